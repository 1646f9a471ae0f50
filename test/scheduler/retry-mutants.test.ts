/**
 * The engine's one retry layer (src/scheduler/retry.ts, driven by the item runner in run-items.ts),
 * seen from outside: loopback servers script the failures, a life cycle records every retry the
 * engine announces, and the servers count what was asked. Written against bugs that survived the
 * older suite (issue 19), whose retry tests counted a test harness's own loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import type { RunLifeCycle } from '../../src/types/run-events.js';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { startFlakyServer, type Fault } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';
import { nearestLabelResponder, startOpenAIServer } from '../helpers/openai-server.js';

interface RetryEvent {
  readonly itemId: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly code: string;
}

function retryRecorder(): { lifeCycle: RunLifeCycle; events: RetryEvent[] } {
  const events: RetryEvent[] = [];
  return { events, lifeCycle: { retry: (_task, info) => void events.push(info) } };
}

function errorLines(runDir: string, prefix: string): Record<string, unknown>[] {
  const tasks = path.join(runDir, 'tasks');
  const file = readdirSync(tasks).find((f) => f.startsWith(prefix) && f.endsWith('.errors.jsonl'));
  return file ? readFileSync(path.join(tasks, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

async function runHttp(faults: Record<string, Fault[]>, rows: number, settings: string) {
  const server = await startFlakyServer({ faults });
  const project = makeEngineProject(rows);
  const recorder = retryRecorder();
  try {
    project.writePipeline(httpPipeline({ url: server.url, settings }));
    const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {}, lifeCycles: [recorder.lifeCycle] });
    return { result, calls: new Map(server.calls), retries: recorder.events, errors: errorLines(result.runDir, 'call') };
  } finally {
    await server.close();
    project.cleanup();
  }
}

test('non-retryable failures do not use up the task\'s retry budget', async () => {
  // Four 400s come first (concurrency 1, input order), then two items that each need one retry.
  // The budget of 2 is exactly what the retryable failures need.
  const { result, calls, retries, errors } = await runHttp(
    { 'item-0': ['bad-request'], 'item-1': ['bad-request'], 'item-2': ['bad-request'], 'item-3': ['bad-request'], 'item-4': ['500'], 'item-5': ['500'] },
    6,
    'concurrency: 1, retries: 3, retryBudget: 2, maxErrorRate: 1',
  );
  assert.equal(result.status, 'completed');
  assert.deepEqual(retries.map((r) => r.itemId), ['item-4', 'item-5']);
  assert.equal(calls.get('item-4'), 2);
  assert.equal(calls.get('item-5'), 2);
  assert.deepEqual(errors.map((e) => [e.id, (e.error as { attempts: number }).attempts]), [['item-0', 1], ['item-1', 1], ['item-2', 1], ['item-3', 1]]);
  assert.equal(result.tasks.call.records, 2);
});

test('an exhausted budget stops retries for the rest of the task, and the item error says how many attempts were made', async () => {
  // An item waiting out its backoff gives its slot away, so which items get the two retries depends
  // on timing; what cannot depend on it: exactly two retries, each failure after that ends its item
  // at once, and every item error counts the calls its item really made.
  const { result, calls, retries, errors } = await runHttp({ 'item-0': ['500', '500'], 'item-1': ['500'], 'item-2': ['500'] }, 3, 'concurrency: 1, retries: 3, retryBudget: 2, maxErrorRate: 1');
  assert.equal(retries.length, 2, 'the budget of 2 is spent, and no more');
  const callsOf = (id: string) => calls.get(id) ?? 0;
  assert.equal(callsOf('item-0') + callsOf('item-1') + callsOf('item-2'), 3 + 2, 'three first attempts and the two retries');
  for (const item of ['item-0', 'item-1', 'item-2']) {
    assert.equal(callsOf(item), 1 + retries.filter((r) => r.itemId === item).length, `${item}: one call per attempt`);
  }
  assert.ok(errors.length >= 1, 'four failures and two retries: at least one item fails');
  for (const e of errors) assert.equal((e.error as { attempts: number }).attempts, callsOf(e.id as string), `${String(e.id)}: attempts as called`);
  assert.equal(result.tasks.call.records + errors.length, 3, 'every item ends as a record or an error');
});

test('retries: N means N retries after the first attempt, no more and no fewer', async () => {
  // item-0 fails twice then answers (needs 2 retries); item-1 fails three times (needs 3).
  const { result, calls, errors } = await runHttp({ 'item-0': ['500', '500'], 'item-1': ['500', '500', '500'] }, 2, 'concurrency: 1, retries: 2, maxErrorRate: 1');
  assert.equal(calls.get('item-0'), 3);
  assert.equal(calls.get('item-1'), 3, 'two retries, then the item fails');
  assert.deepEqual(errors.map((e) => [e.id, (e.error as { attempts: number; code: string }).attempts, (e.error as { code: string }).code]), [['item-1', 3, 'HTTP_500']]);
  assert.equal(result.tasks.call.retries, 4);
});

test('a 429 with Retry-After: 0 is retried at once, through the real OpenAI provider', async () => {
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points) });
  const project = makeEngineProject(3);
  const recorder = retryRecorder();
  try {
    // Three rate limits that say "retry now"; without them the backoff would be up to 500 ms, 1 s, 2 s.
    for (let i = 0; i < 3; i++) server.faults.push({ type: 'status', status: 429, retryAfterSeconds: 0 });
    writeFileSync(project.pipeline, `version: 1
name: retry-after-zero
defaults: { concurrency: 1, retries: 4 }
models:
  gpt: { provider: openai, model: gpt-test, baseURL: "${server.url}", temperature: 0 }
nodes:
  faces: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [gpt], labels: basic7 } }
`);
    const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {}, lifeCycles: [recorder.lifeCycle] });
    assert.equal(result.status, 'completed');
    assert.equal(result.tasks['classify[model=gpt,variant=numeric]'].records, 3);
    assert.deepEqual(recorder.events.map((e) => [e.code, e.delayMs]), [['VAFLOW_RATE_LIMITED', 0], ['VAFLOW_RATE_LIMITED', 0], ['VAFLOW_RATE_LIMITED', 0]]);
    assert.equal(server.requests.chat, 6);
  } finally {
    await server.close();
    project.cleanup();
  }
});
