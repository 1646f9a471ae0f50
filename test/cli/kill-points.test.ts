/**
 * "No completed call is paid for twice, even after kill -9" (README), at five points of a run. Each
 * test kills `vaflow run` with SIGKILL at one point, resumes it, and checks against the server's log
 * that the resume asked again for exactly the calls that had no answer at the kill (those in flight,
 * and those never sent), each once, and for no answered one.
 *
 * The kill points are reached without timing: the loopback server *holds* the requests a point
 * selects (never answers them), and the test kills once enough are held. Held requests are never
 * answered, so "answered before the kill" is exact. Within a task the kill waits until every slot
 * (concurrency 4) holds a call: the engine commits an answer before its item gives the slot back, so
 * every earlier answer was already committed — nothing answered is still on its way into the cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFlakyServer, type FlakyServer, type Fault } from '../helpers/flaky-server.js';
import { HTTP_BATCH_KIND, HTTP_CALL_KIND, makeEngineProject } from '../helpers/engine-project.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { PAUSE_ENV, type PausePoint } from '../helpers/pause-fs.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

const ITEMS = 60;
const CONCURRENCY = 4;
const ITEM_TASKS = ['call', 'call2'] as const;

/** items → call → call2 (item tasks, one HTTP call per item) → gather (a batch node, one HTTP call per batch). */
function pipeline(url: string): string {
  return `version: 1
name: kill-points
defaults: { retries: 3, timeoutMs: 120000, concurrency: ${CONCURRENCY} }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  call: { kind: ${HTTP_CALL_KIND}, needs: [items], with: { url: "${url}" } }
  call2: { kind: ${HTTP_CALL_KIND}, needs: [call], with: { url: "${url}", salt: second } }
  gather: { kind: ${HTTP_BATCH_KIND}, needs: [call2], with: { url: "${url}" } }
`;
}

const index = (id: string) => Number(id.slice('item-'.length));
const keyOf = (r: { task: string; id: string }) => `${r.task} ${r.id}`;

interface KillPoint {
  /** Requests the server holds (never answers) in the first run. */
  readonly hold: (request: { readonly id: string; readonly task: string }) => boolean;
  /** The kill comes once this holds. */
  readonly ready: (server: FlakyServer) => boolean;
  readonly faults?: Record<string, Fault[]>;
  readonly retryAfterSeconds?: number;
  /** Kill inside a file operation instead (test/helpers/pause-fs.ts): once it is paused, `ready` is not consulted. */
  readonly pause?: Omit<PausePoint, 'signalFile'>;
  /** Checks, after the kill, that the run folder shows the point was really reached. */
  readonly killedAt?: (runDir: string) => void;
}

/** A file operation paused in the child: the kill lands inside it, not before or after. */
function pausedCli(point: KillPoint['pause'] & object, dir: string): { env: Record<string, string>; paused: () => boolean } {
  const signalFile = path.join(dir, 'paused-at');
  const preload = pathToFileURL(path.join(import.meta.dirname, '../helpers/pause-fs.js')).href;
  return {
    env: { [PAUSE_ENV]: JSON.stringify({ ...point, signalFile }), NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}` },
    paused: () => existsSync(signalFile),
  };
}

async function killAndResume(point: KillPoint): Promise<void> {
  const server = await startFlakyServer({ faults: point.faults, retryAfterSeconds: point.retryAfterSeconds });
  const project = makeEngineProject(ITEMS);
  try {
    project.writePipeline(pipeline(server.url));
    const args = ['--runs-dir', project.runsDir, '--cache-dir', project.cacheDir];
    server.hold = point.hold;
    const paused = point.pause && pausedCli(point.pause, project.dir);
    const first = startCli(['run', project.pipeline, ...args], { cwd: project.dir, env: paused?.env });
    // The kill comes in the tick the point is reached: no answer gets time to be committed late.
    const exited = first.done.then(() => 'exited' as const);
    const reaching = paused ? waitFor(paused.paused, 120_000) : server.whenRequest(() => point.ready(server));
    const reached = await Promise.race([exited, reaching.then(() => 'reached' as const)]);
    assert.equal(reached, 'reached', 'the run ended before the kill point');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    point.killedAt?.(path.join(project.runsDir, listRunIds(project.runsDir)[0]));

    const before = server.log.length;
    const answered = new Set(server.log.filter((r) => r.answered).map(keyOf));
    const inFlight = new Set(server.log.filter((r) => !r.answered).map(keyOf));
    // Inside a task's commit or a manifest write the task has no call left: nothing is in flight.
    if (!point.pause) assert.ok(inFlight.size > 0, 'some call was in flight at the kill');
    server.hold = undefined;

    const resumed = await runCli(['run', '--resume', 'latest', ...args], { cwd: project.dir });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);

    const again = server.log.slice(before).map(keyOf);
    assert.deepEqual(again.filter((k) => answered.has(k)), [], 'no answered call was asked again');
    assert.equal(new Set(again).size, again.length, 'each missing call was asked once');
    for (const k of inFlight) assert.ok(again.includes(k), `${k} was in flight at the kill and is asked again`);
    // Everything the run needs and had no answer for: every item of both item tasks and the batch.
    const needed = [...ITEM_TASKS.flatMap((task) => Array.from({ length: ITEMS }, (_, i) => `${task} item-${i}`)), `gather batch-of-${ITEMS}`];
    assert.deepEqual([...again].sort(), needed.filter((k) => !answered.has(k)).sort(), 'exactly the unanswered calls were asked');

    const runs = listRunIds(project.runsDir);
    assert.equal(runs.length, 1, 'the resume continued in the same folder');
    const runDir = path.join(project.runsDir, runs[0]);
    const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { status: string; attempts: string[] };
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.attempts.length, 2);
    for (const task of [...ITEM_TASKS, 'gather']) {
      const file = readdirSync(path.join(runDir, 'tasks')).find((f) => f.startsWith(`${task}.`) && f.endsWith('.jsonl') && !f.endsWith('.errors.jsonl'));
      assert.ok(file, `${task}'s records were published`);
      const ids = readFileSync(path.join(runDir, 'tasks', file), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
      assert.deepEqual(ids, Array.from({ length: ITEMS }, (_, i) => `item-${i}`), `${task}: every item once, in input order`);
    }
  } finally {
    await server.close();
    project.cleanup();
  }
}

/** Every slot of `task` holds a call: all earlier answers of the task are committed. */
const slotsFull = (task: string) => (server: FlakyServer) => server.log.filter((r) => r.task === task && !r.answered).length >= CONCURRENCY && server.held() >= CONCURRENCY;

test('kill -9 mid-task, after the first answers: only the calls in flight are asked again', { timeout: 240_000 }, async () => {
  await killAndResume({ hold: (r) => r.task === 'call' && index(r.id) >= 6, ready: slotsFull('call') });
});

test('kill -9 late in a task, while its records file is being appended: only the calls in flight are asked again', { timeout: 240_000 }, async () => {
  await killAndResume({ hold: (r) => r.task === 'call' && index(r.id) >= ITEMS - CONCURRENCY, ready: slotsFull('call') });
});

test('kill -9 between tasks, as the next task sends its first call (the previous one just closed its records and wrote the manifest)', { timeout: 240_000 }, async () => {
  await killAndResume({ hold: (r) => r.task === 'call2', ready: (server) => server.log.some((r) => r.task === 'call2') });
});

test('kill -9 inside a batch node, its one call in flight: no item call of the tasks before it is asked again', { timeout: 240_000 }, async () => {
  await killAndResume({ hold: (r) => r.task === 'gather', ready: (server) => server.held() >= 1 });
});

test('kill -9 while an item waits out a Retry-After: the 429 was not an answer, the calls in flight are asked again', { timeout: 240_000 }, async () => {
  // item-3 is rate limited for 60 s; its slot goes to later items while it waits, and they are held.
  await killAndResume({
    faults: { 'item-3': ['429'] },
    retryAfterSeconds: 60,
    hold: (r) => r.task === 'call' && index(r.id) >= 20,
    ready: slotsFull('call'),
  });
});

const taskStatus = (runDir: string, task: string): string | undefined =>
  (JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { tasks: Record<string, { status: string }> }).tasks[task]?.status;
const recordsOf = (runDir: string, task: string) => readdirSync(path.join(runDir, 'tasks')).filter((f) => f === `${task}.jsonl` || f === `${task}.jsonl.partial`);

test('kill -9 during a records commit (the task answered everything, its .partial not yet renamed): none of its calls is asked again', { timeout: 240_000 }, async () => {
  await killAndResume({
    hold: () => false,
    ready: () => false,
    pause: { op: 'rename', match: String.raw`[\\/]tasks[\\/]call\.jsonl$` },
    killedAt: (runDir) => {
      const files = recordsOf(runDir, 'call');
      assert.ok(files.some((f) => f.endsWith('.jsonl.partial')) && !files.some((f) => f.endsWith('.jsonl')), `call's records were written but not published: ${files.join(', ')}`);
      assert.notEqual(taskStatus(runDir, 'call'), 'done');
    },
  });
});

test('kill -9 during the manifest write after a task ended (a torn temp file, the old manifest in place): none of its calls is asked again', { timeout: 240_000 }, async () => {
  // manifest.json is written at the run's start, after items, after call: the third write is call's end.
  await killAndResume({
    hold: () => false,
    ready: () => false,
    pause: { op: 'writeFile', match: String.raw`manifest\.json(\.\d+\.\d+\.tmp)?$`, nth: 3 },
    killedAt: (runDir) => {
      assert.ok(readdirSync(runDir).some((f) => /^manifest\.json\..*\.tmp$/.test(f)), 'the manifest write was cut mid-file');
      assert.equal(taskStatus(runDir, 'items'), 'done');
      assert.notEqual(taskStatus(runDir, 'call'), 'done', 'the kill came before call\'s end reached manifest.json');
      assert.ok(recordsOf(runDir, 'call').some((f) => f.endsWith('.jsonl')), "call's records were published before its end was written");
    },
  });
});
