import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestLifeCycle } from '../../src/lifecycle/manifest-writer.js';
import { ProgressLifeCycle } from '../../src/lifecycle/progress.js';
import { ANSWER_READER_VERSION } from '../../src/labels/reader-version.js';
import type { Manifest } from '../../src/artifacts/manifest.js';
import { emptyStats } from '../../src/types/task-stats.js';
import type { TaskNode } from '../../src/types/graph.js';
import { withTempDir } from '../helpers/temp-dir.js';

const settings = { concurrency: null, retries: 0, timeoutMs: 1, maxErrorRate: 0, retryBudget: 0 };
const task = (id: string): TaskNode => ({ id, nodeId: id, kind: 'k', coords: {}, params: {}, settings, axisParams: [] });

function freshManifest(): Manifest {
  return {
    manifestVersion: 1, runId: 'r', vaflowVersion: '0', pipeline: { name: 'p', file: 'p.yaml', sha256: 'x', gitCommit: null }, kinds: {},
    environment: { node: 'v20', os: 'linux', arch: 'x64', cpus: 1 }, dependencies: {}, seed: 1, options: { cache: 'on', concurrency: 1 },
    status: 'running', startedAt: 'T0', attempts: ['T0'], tasks: {}, totals: { items: 0, errors: 0, cacheHits: 0, cacheMisses: 0, retries: 0, inputTokens: 0, outputTokens: 0 },
  };
}

test('the manifest writer: written at the start with the answer reader, after every task with the totals, at the end with the status, cause and end time of its clock', async () => {
  await withTempDir('manifest-clock', async (dir) => {
    const file = path.join(dir, 'manifest.json');
    const read = () => JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    let clock = 'T1';
    const life = new ManifestLifeCycle(file, freshManifest(), () => clock);
    await life.runStart();
    assert.equal(read().answerReader, ANSWER_READER_VERSION);
    await life.taskEnd(task('a'), { ...emptyStats('done'), items: 3, cacheHits: 2, inputTokens: 10, cost: 0.5 });
    life.log({ level: 'warn', message: 'server refused response_format', task: 'b', model: 'm' });
    life.log({ level: 'warn', message: 'server refused response_format', task: 'c' });
    life.log({ level: 'info', message: 'not a notice' });
    await life.taskEnd(task('b'), { ...emptyStats('failed'), items: 2, errors: 2, cost: 0.25 });
    const afterTasks = read();
    assert.deepEqual(afterTasks.totals, { items: 5, errors: 2, cacheHits: 2, cacheMisses: 0, retries: 0, inputTokens: 10, outputTokens: 0, cost: 0.75 });
    assert.deepEqual(afterTasks.notices, [{ message: 'server refused response_format', task: 'b', model: 'm' }], 'each warning once, with where it came from');
    assert.equal(afterTasks.endedAt, undefined);
    clock = 'T2';
    await life.runEnd('failed', { durationMs: 9, failure: 'cannot write x' });
    const ended = read();
    assert.deepEqual([ended.status, ended.failure, ended.endedAt], ['failed', 'cannot write x', 'T2']);
    clock = 'T3';
    await life.runEnd('completed', { durationMs: 10 });
    assert.deepEqual([read().status, read().failure, read().endedAt], ['completed', undefined, 'T3'], 'a resumed run that completes drops the old cause');
  });
});

test('plain progress reports rate and ETA from its clock while a task runs, and the final rate once it ends', (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  let now = 0;
  let out = '';
  const progress = new ProgressLifeCycle({ mode: 'plain', write: (text) => (out += text), now: () => now, intervalMs: 1000 });
  const graph = { roots: ['t'], order: ['t'], tasks: { t: task('t') }, dependencies: { t: [] } };
  progress.runStart({ runId: 'r', runDir: '/runs/r', pipelineName: 'p', graph, resumed: false, dryRun: false });
  progress.taskStart(task('t'), 20);
  for (let i = 0; i < 4; i++) progress.itemEnd(task('t'), 'computed');
  progress.itemEnd(task('t'), 'cached');
  progress.itemEnd(task('t'), 'error');
  now = 3000;
  out = '';
  mock.timers.tick(1000);
  // 6 settled in 3 s: 2.0/s; 14 left: 7 s.
  assert.equal(out, '  … … t  5/20  cached 1  errors 1  2.0/s  ETA 7s\n');
  now = 10_000;
  out = '';
  progress.taskEnd(task('t'), { ...emptyStats('done'), items: 20, records: 19, errors: 1 });
  assert.equal(out, '✓ t  5/20  cached 1  errors 1  0.6/s\n', 'the ended line has no ETA');
  out = '';
  mock.timers.tick(1000);
  assert.equal(out, '', 'an ended task is not reported again');
  progress.runEnd('completed', { durationMs: 10_000 });
});
