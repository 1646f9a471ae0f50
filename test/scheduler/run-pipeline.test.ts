import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';

function readLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function tasksFile(runDir: string, prefix: string, suffix = '.jsonl'): string {
  const name = readdirSync(path.join(runDir, 'tasks')).find((f) => f.startsWith(prefix) && f.endsWith(suffix) && (suffix !== '.jsonl' || !f.endsWith('.errors.jsonl')));
  assert.ok(name, `no ${prefix}*${suffix} in ${runDir}`);
  return path.join(runDir, 'tasks', name);
}

test('429 with Retry-After, 500 and a slow reply are retried and succeed; a 400 is recorded with its cause', async () => {
  const server = await startFlakyServer({
    faults: { 'item-1': ['429', '429'], 'item-2': ['500'], 'item-3': ['slow'], 'item-4': ['bad-request'] },
    retryAfterSeconds: 0,
    slowMs: 4000,
  });
  const project = makeEngineProject(6);
  try {
    // The timeout is generous for a loopback answer on a loaded machine, and far below the slow reply.
    project.writePipeline(httpPipeline({ url: server.url, settings: 'timeoutMs: 1500, maxErrorRate: 0.5' }));
    const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} });
    assert.equal(result.status, 'completed');
    const call = result.tasks['call'];
    assert.equal(call.records, 5);
    assert.equal(call.errors, 1);
    assert.equal(server.calls.get('item-1'), 3, 'two 429s, then the answer');
    assert.equal(server.calls.get('item-2'), 2, 'a 500, then the answer');
    assert.equal(server.calls.get('item-3'), 2, 'a reply slower than the timeout, then the answer');
    for (const id of ['item-0', 'item-5']) assert.equal(server.calls.get(id), 1);
    assert.equal(call.retries, 4, '2 for the 429s, 1 for the 500, 1 for the timeout');
    assert.equal(server.calls.get('item-4'), 1, 'a 400 is not retried');
    const [error] = readLines(tasksFile(result.runDir, 'call', '.errors.jsonl'));
    assert.deepEqual(error, { id: 'item-4', coords: {}, error: { class: 'HttpCallError', code: 'HTTP_400', message: 'server answered 400', status: 400, attempts: 1 } });
    const records = readLines(tasksFile(result.runDir, 'call'));
    assert.deepEqual(records.map((r) => r.id).sort(), ['item-0', 'item-1', 'item-2', 'item-3', 'item-5']);
    assert.equal(records.find((r) => r.id === 'item-1')?.answer, 'label-item-1');
    const manifest = JSON.parse(readFileSync(path.join(result.runDir, 'manifest.json'), 'utf8')) as { status: string; totals: { inputTokens: number } };
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.totals.inputTokens, 50);
  } finally {
    await server.close();
    project.cleanup();
  }
});

test('a rerun is served from the cache; errors were not cached; a semantic param change misses; a concurrency change does not', async () => {
  const server = await startFlakyServer({ faults: { 'item-2': ['bad-request'] } });
  const project = makeEngineProject(5);
  try {
    const run = () => runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} });
    project.writePipeline(httpPipeline({ url: server.url, settings: 'maxErrorRate: 0.5' }));
    await run();
    assert.equal(server.total(), 5);
    const second = await run();
    assert.equal(server.total(), 6, 'only the failed item is asked again');
    assert.equal(second.tasks['call'].cacheHits, 4);
    assert.equal(second.tasks['call'].errors, 0);
    project.writePipeline(httpPipeline({ url: server.url, settings: 'maxErrorRate: 0.5, concurrency: 1, retries: 0, timeoutMs: 5000' }));
    await run();
    assert.equal(server.total(), 6, 'engine settings are not part of the key');
    project.writePipeline(httpPipeline({ url: server.url, salt: 'v2', settings: 'maxErrorRate: 0.5' }));
    await run();
    assert.equal(server.total(), 11, 'a semantic param is part of the key');
    const refresh = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {}, cache: 'refresh' });
    assert.equal(refresh.tasks['call'].cacheHits, 0);
    assert.equal(server.total(), 16);
  } finally {
    await server.close();
    project.cleanup();
  }
});

test('past maxErrorRate the node fails and its dependants are skipped with the reason', async () => {
  const server = await startFlakyServer({ faults: { 'item-0': ['bad-request'], 'item-1': ['bad-request'] } });
  const project = makeEngineProject(4);
  try {
    project.writePipeline(
      httpPipeline({
        url: server.url,
        settings: 'maxErrorRate: 0.25',
        extraNodes: `  after: { kind: ${JSON.stringify(path.join(path.dirname(project.pipeline), 'noop.mjs'))}, needs: [call] }\n`,
      }),
    );
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      path.join(project.dir, 'noop.mjs'),
      `export default { name: 'noop', version: '1', mode: 'item', cacheable: false, consumes: ['classification'], produces: 'classification', paramsSchema: { type: 'object' }, async item() { return { fields: {} }; } };\n`,
    );
    const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} });
    assert.equal(result.status, 'failed');
    assert.equal(result.tasks['call'].status, 'failed');
    assert.match(result.tasks['call'].reason ?? '', /^error rate 50\.0% is above maxErrorRate 25\.0% \(2 of 4 items failed/);
    assert.equal(result.tasks['after'].status, 'skipped');
    assert.equal(result.tasks['after'].reason, 'dependency call failed');
    assert.ok(existsSync(path.join(result.runDir, 'manifest.json')));
  } finally {
    await server.close();
    project.cleanup();
  }
});
