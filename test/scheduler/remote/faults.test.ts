/**
 * The Redis executor under faults, with real processes: a worker killed with SIGKILL mid-job, Redis
 * killed and restarted empty mid-run, and a coordinator killed and resumed. Every item ends in the
 * records exactly once, no item error, and a resumed coordinator pays for nothing twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { nearestLabelResponder } from '../../helpers/openai-server.js';
import { runCli, startCli, waitFor } from '../../helpers/cli.js';
import { getLabelSet } from '../../../src/labels/label-sets.js';
import { classifyOutput, onlyRun, withRemoteProject } from './remote-project.js';

const ROWS = 30;
const responder = nearestLabelResponder(getLabelSet('basic7')!.points);

async function assertEveryItemOnce(dir: string): Promise<void> {
  const { records, errors } = await classifyOutput(onlyRun(path.join(dir, 'runs')));
  assert.deepEqual(errors, [], 'no item error');
  assert.deepEqual(records.map((r) => r.id), Array.from({ length: ROWS }, (_, i) => `item-${i}`), 'every item once, in input order');
}

test('a worker killed with SIGKILL mid-job: its jobs go to the others, every item once, no error', { timeout: 120_000 }, async () => {
  await withRemoteProject('remote-kill-worker', { rows: ROWS, workers: 3, server: { responder, latencyMs: 400 }, worker: { lockMs: 1500 } }, async ({ dir, server, workers, runArgs }) => {
    const run = startCli(['run', 'classify.yaml', ...runArgs], { cwd: dir });
    // Each worker holds two calls at the server: kill the first while its calls are in flight.
    await waitFor(() => server.requests.chat >= 8, 60_000);
    await workers.kill(0);
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /its worker stopped answering \(killed\?\); the job goes to another worker/);
    await assertEveryItemOnce(dir);
  });
});

test('Redis killed mid-run and started again empty: the coordinator waits, queues the lost jobs again, every item once', { timeout: 120_000 }, async () => {
  await withRemoteProject('remote-redis-restart', { rows: ROWS, workers: 2, server: { responder, latencyMs: 300 } }, async ({ dir, server, redis, runArgs }) => {
    const run = startCli(['run', 'classify.yaml', ...runArgs], { cwd: dir });
    await waitFor(() => server.requests.chat >= 6, 60_000);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /lost the connection to redis:\/\/127\.0\.0\.1:\d+; waiting for it/);
    assert.match(result.stderr, /is back after/);
    assert.match(result.stderr, /\d+ jobs? had vanished from Redis \(restarted without persistence\?\): queued again/);
    await assertEveryItemOnce(dir);
  });
});

test('Redis gone for longer than the outage limit: the run fails saying so, and a resume finishes it', { timeout: 120_000 }, async () => {
  await withRemoteProject('remote-redis-gone', { rows: ROWS, workers: 1, server: { responder, latencyMs: 200 } }, async ({ dir, server, redis, runArgs }) => {
    const run = startCli(['run', 'classify.yaml', ...runArgs], { cwd: dir, env: { VAFLOW_EXECUTOR_OUTAGE_MS: '2000' } });
    await waitFor(() => server.requests.chat >= 4, 60_000);
    await redis.kill();
    const failed = await run.done;
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /run failed: redis:\/\/127\.0\.0\.1:\d+ unreachable for \d+ s: the run stops\. Finished items are in the cache; resume with vaflow run --resume \S+ once Redis is back/);
    await redis.start();
    const resumed = await runCli(['run', '--resume', 'latest', ...runArgs], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    await assertEveryItemOnce(dir);
  });
});

test('a coordinator killed mid-run and resumed collects what the workers finished meanwhile: every item paid once', { timeout: 120_000 }, async () => {
  await withRemoteProject('remote-kill-coordinator', { rows: ROWS, workers: 2, server: { responder, latencyMs: 300 } }, async ({ dir, server, redis, runArgs }) => {
    const run = startCli(['run', 'classify.yaml', ...runArgs], { cwd: dir });
    await waitFor(() => server.requests.chat >= 6, 60_000);
    run.child.kill('SIGKILL');
    await run.done;
    // The workers go on with the queued jobs; their results wait in Redis.
    await waitFor(() => server.requests.chat >= ROWS, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const resumed = await runCli(['run', '--resume', 'latest', ...runArgs], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(server.requests.chat, ROWS, 'each item was paid for once: the resume collected the finished jobs');
    await assertEveryItemOnce(dir);
    // The jobs the resume collected leave Redis; only those whose items the killed coordinator
    // had already recorded stay (until their retention runs out), and nothing waits or runs.
    const client = redis.client();
    const jobs = (await client.keys('vaflow:items:*')).filter((key) => /^vaflow:items:[0-9a-f]{64}$/.test(key));
    assert.ok(jobs.length < ROWS / 2, `collected jobs leave Redis: ${jobs.length} left`);
    assert.deepEqual([await client.llen('vaflow:items:wait'), await client.llen('vaflow:items:active')], [0, 0], 'no job waits or runs');
  });
});
