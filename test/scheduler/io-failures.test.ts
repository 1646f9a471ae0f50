/**
 * Storage failures (issue 13 point 3): a full disk under a task's records, a full cache, a read-only
 * runs folder, a resumed folder without tasks/, a graph of 1,101 nodes at a low open-file limit.
 * Real failures where the system gives them (/dev/full, `ulimit -n`, a read-only mount or folder);
 * an injected cache store for the full cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { CacheEntryMeta } from '../../src/cache/store.js';
import { RunIOError } from '../../src/errors.js';
import type { RunLifeCycle, RunInfo } from '../../src/types/run-events.js';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';
import { runCli, VAFLOW_BIN } from '../helpers/cli.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

const NO_STACK = /\n\s+at /;

function events(runDir: string): { event: string; status?: string; cause?: string }[] {
  return readFileSync(path.join(runDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function manifestOf(runDir: string): { status: string; failure?: string } {
  return JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
}

/** Points a task's `.partial` records file at /dev/full as soon as the run folder exists: that file's disk is full. */
function fullDiskFor(taskFile: string): RunLifeCycle {
  return { runStart: (info: RunInfo) => symlinkSync('/dev/full', path.join(info.runDir, 'tasks', `${taskFile}.partial`)) };
}

test('a disk that fills up under a task: no new call starts, the run fails with the file and a plain cause, nothing paid is lost', async () => {
  const items = 2000;
  const server = await startFlakyServer({ latencyMs: 1 });
  const project = makeEngineProject(items);
  try {
    project.writePipeline(httpPipeline({ url: server.url, settings: 'concurrency: 8' }));
    const options = { file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} };
    const result = await runPipeline({ ...options, lifeCycles: [fullDiskFor('call.jsonl')] });
    const partial = path.join(result.runDir, 'tasks', 'call.jsonl.partial');
    assert.equal(result.status, 'failed');
    assert.equal(result.failure, `cannot write ${partial}: no space left on device (ENOSPC)`);
    assert.ok(server.total() < items, `the run stopped calling at the failure (${server.total()} of ${items} items asked)`);
    const manifest = manifestOf(result.runDir);
    assert.equal(manifest.status, 'failed');
    assert.equal(manifest.failure, result.failure);
    const last = events(result.runDir).at(-1)!;
    assert.deepEqual([last.event, last.status, last.cause], ['run_end', 'failed', result.failure]);

    // Space is back: a new run pays only for the items never asked.
    const asked = server.total();
    unlinkSync(partial);
    const again = await runPipeline(options);
    assert.equal(again.status, 'completed');
    assert.equal(server.total(), items, `every answer paid before the failure came from the cache (${asked} before, ${server.total()} in all)`);
    // The writer failed on its first 64 KiB chunk. The disk's answer takes a round trip to the file
    // system, during which a few more items finish and start (up to 8 in flight at a time); after
    // it, none starts. (Without the stop, the 256 items admitted ahead of the writer all call.)
    const shortest = Math.min(...readFileSync(path.join(again.runDir, 'tasks', 'call.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => Buffer.byteLength(l) + 1));
    const chunk = Math.ceil(65536 / shortest);
    assert.ok(asked <= chunk + 4 * 8, `${asked} items were asked; a chunk holds at most ${chunk} records`);
  } finally {
    await server.close();
    project.cleanup();
  }
});

/** The in-memory store, failing as a full SQLite cache does (SqliteCacheStore throws RunIOError on SQLITE_FULL) after `room` answers. */
class FullCache extends MemoryCacheStore {
  readonly file = '/caches/vaflow/cache.db';
  stored = 0;
  constructor(private readonly room: number) {
    super();
  }
  override put(key: string, value: unknown, meta: CacheEntryMeta): void {
    if (meta.durable && this.stored >= this.room) {
      throw new RunIOError(this.file, 'write', Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    }
    super.put(key, value, meta);
    if (meta.durable) this.stored++;
  }
}

test('a cache that fills up fails the run at once, with the cache file and the cause, not after every task', async () => {
  const server = await startFlakyServer({ latencyMs: 1 });
  const project = makeEngineProject(300);
  try {
    project.writePipeline(httpPipeline({ url: server.url, settings: 'concurrency: 4' }));
    const cache = new FullCache(20);
    const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {}, cacheStore: cache });
    assert.equal(result.status, 'failed');
    assert.equal(result.failure, 'cannot write /caches/vaflow/cache.db: database or disk is full (SQLITE_FULL)');
    assert.ok(server.total() <= 20 + 1 + 4, `${server.total()} calls: only those in flight when the cache failed were added`);
    assert.equal(manifestOf(result.runDir).failure, result.failure);
    assert.equal(events(result.runDir).at(-1)!.event, 'run_end');
  } finally {
    await server.close();
    project.cleanup();
  }
});

/** Runs the http pipeline once through the CLI (completed), then hands its run folder to `body` for a resume. */
async function afterCompletedRun(items: number, body: (run: { runDir: string; resume: () => ReturnType<typeof runCli>; calls: () => number }) => Promise<void>): Promise<void> {
  const server = await startFlakyServer();
  const project = makeEngineProject(items);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    const args = ['--runs-dir', project.runsDir, '--cache-dir', project.cacheDir];
    const first = await runCli(['run', project.pipeline, ...args], { cwd: project.dir });
    assert.equal(first.code, 0, first.stderr);
    const runDir = path.join(project.runsDir, listRunIds(project.runsDir)[0]!);
    await body({ runDir, resume: () => runCli(['run', '--resume', 'latest', ...args], { cwd: project.dir }), calls: () => server.total() });
  } finally {
    await server.close();
    project.cleanup();
  }
}

test('through the CLI: a full disk exits 1 with the file and the cause, no stack trace', async () => {
  await afterCompletedRun(50, async ({ runDir, resume }) => {
    // The resume reruns the task whose records were lost, into a file on a full disk.
    unlinkSync(path.join(runDir, 'tasks', 'call.jsonl'));
    symlinkSync('/dev/full', path.join(runDir, 'tasks', 'call.jsonl.partial'));
    const resumed = await resume();
    assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr);
    assert.doesNotMatch(resumed.stdout + resumed.stderr, NO_STACK);
    assert.ok(resumed.stderr.includes(`vaflow: run failed: cannot write ${path.join(runDir, 'tasks', 'call.jsonl.partial')}: no space left on device (ENOSPC)`), resumed.stderr);
    assert.equal(manifestOf(runDir).status, 'failed');
  });
});

test('a resumed folder whose tasks/ was deleted gets it back and completes from the cache', async () => {
  await afterCompletedRun(30, async ({ runDir, resume, calls }) => {
    rmSync(path.join(runDir, 'tasks'), { recursive: true });
    const resumed = await resume();
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.doesNotMatch(resumed.stderr, NO_STACK);
    assert.equal(calls(), 30, 'no call repeated');
    assert.equal(readFileSync(path.join(runDir, 'tasks', 'call.jsonl'), 'utf8').split('\n').filter(Boolean).length, 30);
  });
});

/** Makes `dir` read-only for this process: a read-only mount as root (permissions do not bind root), else mode 555. */
function readOnly(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'vaflow-test-ro', dir]);
    return () => execFileSync('umount', [dir]);
  }
  chmodSync(dir, 0o555);
  return () => chmodSync(dir, 0o755);
}

test('a read-only runs folder is reported before any call, with exit code 2', async () => {
  const server = await startFlakyServer();
  const project = makeEngineProject(10);
  const restore = readOnly(project.runsDir);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    const result = await runCli(['run', project.pipeline, '--runs-dir', project.runsDir, '--cache-dir', project.cacheDir], { cwd: project.dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`^runs folder ${project.runsDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not writable: (read-only file system \\(EROFS\\)|permission denied \\(EACCES\\))\\n$`));
    assert.equal(server.total(), 0, 'no call was made');
  } finally {
    restore();
    await server.close();
    project.cleanup();
  }
});

test('1,101 independent nodes at an open-file limit of 256: tasks are streamed, the run completes', async () => {
  await withTempDir('emfile', async (dir) => {
    writeFileSync(path.join(dir, 'tag.mjs'), `export default { name: 'tag', version: '1', mode: 'item', cacheable: false, consumes: ['va'], produces: 'va', paramsSchema: { type: 'object' }, async item() { return { fields: { tagged: true } }; } };\n`);
    writeFileSync(path.join(dir, 'items.csv'), ['id,valence,arousal,label', ...Array.from({ length: 20 }, (_, i) => `i${i},0.1,0.2,happiness`)].join('\n') + '\n');
    const nodes = Array.from({ length: 1101 }, (_, i) => `  n${i}: { kind: ./tag.mjs, needs: [items] }`).join('\n');
    writeFileSync(path.join(dir, 'p.yaml'), `version: 1\nname: wide\nnodes:\n  items: { kind: extract, with: { table: items.csv } }\n${nodes}\n`);
    const run = spawnSync('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" "${VAFLOW_BIN}" run p.yaml --runs-dir runs --cache-dir cache`], { cwd: dir, encoding: 'utf8', env: { ...process.env, VAFLOW_CACHE_DIR: '' } });
    assert.equal(run.status, 0, run.stderr.split('\n').filter((l) => !/^\s*(✓|…|start)/.test(l)).join('\n').slice(0, 2000));
    assert.doesNotMatch(run.stderr, /EMFILE/);
    const runDir = path.join(dir, 'runs', listRunIds(path.join(dir, 'runs'))[0]!);
    assert.equal(readdirSync(path.join(runDir, 'tasks')).filter((f) => f.endsWith('.jsonl')).length, 1102);
    assert.equal(manifestOf(runDir).status, 'completed');
  });
});
