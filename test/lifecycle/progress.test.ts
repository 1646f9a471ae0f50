import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLifeCycle } from '../../src/lifecycle/progress.js';
import type { TaskNode } from '../../src/types/graph.js';
import type { RunInfo } from '../../src/types/run-events.js';
import type { ProviderRate } from '../../src/types/rate-limits.js';

const task: TaskNode = {
  id: 'classify[model=local]', nodeId: 'classify', kind: 'classify', coords: { model: 'local' }, params: {}, axisParams: [],
  settings: { concurrency: 1, retries: 0, timeoutMs: 1000, maxErrorRate: 0, retryBudget: 0 },
};

test('on a TTY a warning is printed once above the live table, which is drawn again below it', () => {
  let out = '';
  const progress = new ProgressLifeCycle({ mode: 'tty', write: (text) => (out += text), now: () => 0, intervalMs: 3_600_000 });
  progress.taskStart(task, 3);
  progress.itemEnd(task, 'computed');
  progress.log({ level: 'warn', message: 'model local: the server refused response_format', task: task.id });
  progress.log({ level: 'debug', message: 'not for the terminal' });
  assert.equal(out.match(/warn: classify\[model=local\]: model local: the server refused response_format\n/g)?.length, 1);
  assert.ok(!out.includes('not for the terminal'));
  const afterWarning = out.slice(out.indexOf('refused response_format'));
  assert.match(afterWarning, /classify\[model=local\] {2}1\/3 {2}cached 0 {2}errors 0/, 'the table follows the warning');
});

test('plain and JSON modes print the warning as a line and as an event', () => {
  let plain = '';
  new ProgressLifeCycle({ mode: 'plain', write: (text) => (plain += text), now: () => 0 }).log({ level: 'warn', message: 'w' });
  assert.equal(plain, '  warn: w\n');
  let json = '';
  new ProgressLifeCycle({ mode: 'json', write: (text) => (json += text), now: () => 0 }).log({ level: 'warn', message: 'w' });
  assert.deepEqual(JSON.parse(json), { time: new Date(0).toISOString(), event: 'log', level: 'warn', message: 'w' });
});

const runInfo = (rates: () => readonly ProviderRate[]): RunInfo => ({
  runId: 'r', runDir: '/tmp/r', pipelineName: 'p', graph: { tasks: {}, order: [task.id] } as unknown as RunInfo['graph'], resumed: false, dryRun: false, providerRates: rates,
});

test('a provider that is calling gets a line: its request rate, and once its limit is known, the limit and the ETA it allows', () => {
  let out = '';
  let limit: { perMinute: number; source: 'server' | 'learned' } | undefined;
  let columns = 160;
  const progress = new ProgressLifeCycle({ mode: 'tty', write: (text) => (out += text), now: () => 0, intervalMs: 3_600_000, size: () => ({ columns, rows: 24 }) });
  progress.runStart(runInfo(() => [{ provider: 'openai', models: ['local'], snapshot: { requestsPerSecond: 48.64, ...(limit ? { requestLimit: limit } : {}), inFlight: 2, waiting: 5, slowdowns: 0 } }]));
  progress.taskStart(task, 1000);
  for (let i = 0; i < 100; i++) progress.itemEnd(task, 'computed');
  progress.runEnd('completed', { durationMs: 1 });
  assert.match(out, /openai: 48\.6 req\/s\n/, 'no limit known yet: the rate alone');
  out = '';
  limit = { perMinute: 3000, source: 'server' };
  progress.runEnd('completed', { durationMs: 1 });
  assert.match(out, /openai: 48\.6 req\/s {2}limit 3,000\/min \(from the server\) {2}900 left → ETA 18s at the limit/);
  out = '';
  limit = { perMinute: 120, source: 'learned' };
  progress.runEnd('completed', { durationMs: 1 });
  assert.match(out, /limit 120\/min \(learned from 429s\) {2}900 left → ETA 7m30s at the limit/);
  // On a narrow terminal the provider's line is cut at its end, below the task's line, so a redraw moves up exactly two rows.
  out = '';
  columns = 40;
  progress.runEnd('completed', { durationMs: 1 });
  const drawn = out.split('\n').filter(Boolean).map((line) => line.replace(/\x1b\[\d*[A-Z]/g, ''));
  assert.equal(drawn.length, 2);
  assert.match(drawn[1]!, /^ {2}openai: 48\.6 req\/s {2}limit 120\/min/);
  assert.ok(drawn.every((line) => [...line].length <= 39), drawn.join(' | '));
});

test('in JSON mode the provider line is a rate event; an idle provider gets none', () => {
  let json = '';
  let busy = true;
  const progress = new ProgressLifeCycle({ mode: 'json', write: (text) => (json += text), now: () => 0, intervalMs: 5 });
  progress.runStart(runInfo(() => [{ provider: 'openai', models: ['local'], snapshot: { requestsPerSecond: busy ? 10 : 0, requestLimit: { perMinute: 600, source: 'configured' }, inFlight: busy ? 1 : 0, waiting: 0, slowdowns: 0 } }]));
  progress.taskStart(task, 20);
  return new Promise<void>((resolve) => setTimeout(() => {
    const rate = json.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.event === 'rate');
    assert.deepEqual(rate, { time: new Date(0).toISOString(), event: 'rate', provider: 'openai', requestsPerSecond: 10, limitPerMinute: 600, limitSource: 'configured', itemsLeft: 20, etaSeconds: 2 });
    busy = false;
    json = '';
    setTimeout(() => {
      progress.runEnd('completed', { durationMs: 1 });
      assert.ok(!json.includes('"rate"'), 'an idle provider is not shown');
      resolve();
    }, 30);
  }, 30));
});
