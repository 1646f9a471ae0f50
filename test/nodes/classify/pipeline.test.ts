/**
 * End to end through the CLI: extract table → prompt-variant → classify with an openai model served
 * by the loopback server. The server's request counts prove that a rerun is served from the cache,
 * that a model change misses it, and that faults are retried or recorded; a planted API key must
 * never reach runs/ or the cache. Needs dist/ (npm test builds it first).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/util/paths.js';
import { getLabelSet } from '../../../src/labels/label-sets.js';
import { nearestLabelResponder, startOpenAIServer, type OpenAIServer } from '../../helpers/openai-server.js';

const KEY_VAR = 'VAFLOW_TEST_PLANTED_KEY';
const KEY_VALUE = 'sk-planted-7f3e9c2a-do-not-leak';
let server: OpenAIServer;
let dir: string;

before(async () => {
  server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points) });
  dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-classify-e2e-'));
  await writeFile(path.join(dir, 'faces.csv'), 'id,valence,arousal,label\nf1,0.87,0.26,happiness\nf2,-0.73,-0.38,sadness\nf3,-0.62,0.3,anger\nf4,0.13,-0.39,neutral\n');
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function pipeline(model: { name: string; temperature: number }, extra = ''): string {
  return `version: 1
name: classify-e2e
models:
  gpt: { provider: openai, model: ${model.name}, baseURL: "${server.url}", apiKeyEnv: ${KEY_VAR}, temperature: ${model.temperature} }
nodes:
  faces: { kind: extract, with: { table: faces.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [gpt], labels: basic7${extra} } }
`;
}

/** Runs the CLI without blocking this process's event loop (the server lives here). */
async function run(yaml: string): Promise<{ code: number; stdout: string; runDir: string }> {
  await writeFile(path.join(dir, 'p.yaml'), yaml);
  let code = 0;
  let stdout = '';
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [path.join(packageRoot, 'bin/vaflow.js'), 'run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], {
      cwd: dir, env: { ...process.env, [KEY_VAR]: KEY_VALUE }, encoding: 'utf8',
    }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    code = failed.code ?? 1;
    stdout = failed.stdout ?? '';
  }
  const runs = (await readdir(path.join(dir, 'runs'))).sort();
  return { code, stdout, runDir: path.join(dir, 'runs', runs.at(-1)!) };
}

async function classifyRecords(runDir: string, suffix = '.jsonl'): Promise<Record<string, unknown>[]> {
  const tasks = path.join(runDir, 'tasks');
  const file = (await readdir(tasks)).find((f) => f.startsWith('classify') && f.endsWith(suffix) && (suffix !== '.jsonl' || !f.endsWith('.errors.jsonl')));
  if (!file) return [];
  const text = await readFile(path.join(tasks, file), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('a run classifies through the server, with a 429 retried; a rerun requests nothing; a model change misses the cache', async () => {
  server.faults.push({ type: 'status', status: 429, retryAfterMs: 20 });
  const first = await run(pipeline({ name: 'gpt-test', temperature: 0 }));
  assert.equal(first.code, 0, first.stdout);
  assert.equal(server.requests.chat, 5, '4 items + 1 retried 429');
  const records = await classifyRecords(first.runDir);
  assert.deepEqual(records.map((r) => [r.id, r.prediction, r.valid]).sort(),
    [['f1', 'happiness', true], ['f2', 'sadness', true], ['f3', 'anger', true], ['f4', 'neutral', true]]);
  assert.ok(server.requests.authorizations.includes(`Bearer ${KEY_VALUE}`), 'the key from apiKeyEnv was sent');

  const rerun = await run(pipeline({ name: 'gpt-test', temperature: 0 }));
  assert.equal(rerun.code, 0, rerun.stdout);
  assert.equal(server.requests.chat, 5, 'a rerun is served from the cache');
  assert.deepEqual((await classifyRecords(rerun.runDir)).map((r) => r.prediction).sort(), records.map((r) => r.prediction).sort());

  await run(pipeline({ name: 'gpt-test', temperature: 0.5 }));
  assert.equal(server.requests.chat, 9, 'a temperature change misses the cache');
  await run(pipeline({ name: 'gpt-other', temperature: 0.5 }));
  assert.equal(server.requests.chat, 13, 'a model name change misses the cache');
  const prompt = server.requests.bodies[0]!.messages;
  assert.equal(server.requests.forPrompt(prompt), 4, 'one prompt: first try, its 429 retry or not, then two model changes');
});

test('a non-retryable failure is recorded as an item error with its cause, and never cached', async () => {
  // f3's prompt (valence -0.62) is refused; the test needs no request of another test to find it.
  server.rule = (request) => (request.messages.some((m) => m.content.includes('-0.62')) ? { type: 'status', status: 401 } : undefined);
  try {
    const failed = await run(pipeline({ name: 'gpt-fresh', temperature: 0 }, ', maxErrorRate: 0.5'));
    assert.equal(failed.code, 0, failed.stdout);
    const errors = await classifyRecords(failed.runDir, '.errors.jsonl');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.id, 'f3');
    assert.deepEqual(errors[0]!.error, { class: 'ProviderError', code: 'VAFLOW_PROVIDER_HTTP', status: 401, attempts: 1, message: (errors[0]!.error as { message: string }).message });
    server.rule = undefined;
    const before = server.requests.chat;
    await run(pipeline({ name: 'gpt-fresh', temperature: 0 }, ', maxErrorRate: 0.5'));
    assert.equal(server.requests.chat, before + 1, 'only the failed item is requested again');
  } finally {
    server.rule = undefined;
  }
});

test('the planted API key appears nowhere in runs/ or the cache', async () => {
  // This test's own run, with an item error (a 401 whose body echoes the key, as some servers do).
  server.rule = (request) => (request.messages.some((m) => m.content.includes('-0.73'))
    ? { type: 'status', status: 401, message: `Incorrect API key provided: ${KEY_VALUE}` }
    : undefined);
  let output: string;
  try {
    const result = await run(pipeline({ name: 'gpt-leak-check', temperature: 0 }, ', maxErrorRate: 0.5'));
    assert.equal(result.code, 0, result.stdout);
    assert.equal((await classifyRecords(result.runDir, '.errors.jsonl')).length, 1);
    output = result.stdout;
  } finally {
    server.rule = undefined;
  }
  assert.equal(output.includes(KEY_VALUE), false, 'stdout contains the key');
  const files = [...await filesUnder(path.join(dir, 'runs')), ...await filesUnder(path.join(dir, 'cache'))];
  assert.ok(files.some((f) => f.endsWith('manifest.json')) && files.some((f) => f.includes('cache')));
  for (const file of files) {
    const bytes = await readFile(file);
    assert.equal(bytes.includes(KEY_VALUE), false, `${file} contains the key`);
  }
});

test('a price table gives the cost per task and per run in the manifest; a cached rerun costs nothing', async () => {
  const priced = (yaml: string) => yaml.replace('temperature: 0 }', 'temperature: 0, price: { inputPerMTok: 2, outputPerMTok: 8 } }');
  const first = await run(priced(pipeline({ name: 'gpt-priced', temperature: 0 })));
  assert.equal(first.code, 0, first.stdout);
  interface Stats { inputTokens: number; outputTokens: number; cost?: number }
  const manifest = JSON.parse(await readFile(path.join(first.runDir, 'manifest.json'), 'utf8')) as { tasks: Record<string, Stats>; totals: Stats };
  const task = manifest.tasks['classify[model=gpt,variant=numeric]'];
  assert.ok(task.inputTokens > 0 && task.outputTokens > 0, 'the server reported usage');
  const expected = (task.inputTokens * 2 + task.outputTokens * 8) / 1e6;
  assert.ok(Math.abs(task.cost! - expected) < 1e-12, `task cost ${task.cost} = ${expected}`);
  assert.ok(Math.abs(manifest.totals.cost! - expected) < 1e-12, 'the run total adds the tasks up');

  const rerun = await run(priced(pipeline({ name: 'gpt-priced', temperature: 0 })));
  const again = JSON.parse(await readFile(path.join(rerun.runDir, 'manifest.json'), 'utf8')) as { tasks: Record<string, Stats>; totals: Stats };
  assert.equal(again.tasks['classify[model=gpt,variant=numeric]'].inputTokens, 0);
  assert.equal(again.totals.cost, undefined, 'nothing was paid for');
});
