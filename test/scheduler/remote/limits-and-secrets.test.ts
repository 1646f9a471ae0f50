/**
 * Across three `vaflow worker` processes: the provider's requestsPerMinute holds for all of them
 * together (measured where it matters, at the server), and an API key that only the workers have
 * reaches the server yet appears nowhere in Redis (every key and value) or in the run folder, nor
 * does the Redis password of the executor's URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { nearestLabelResponder } from '../../helpers/openai-server.js';
import { runCli } from '../../helpers/cli.js';
import type { ExecutorStatus } from '../../../src/run/remote/executor-status.js';
import { dumpAll } from '../../helpers/redis-server.js';
import { getLabelSet } from '../../../src/labels/label-sets.js';
import { classifyOutput, onlyRun, withRemoteProject } from './remote-project.js';

const ROWS = 30;
const responder = nearestLabelResponder(getLabelSet('basic7')!.points);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

test('requestsPerMinute is one budget for three workers, measured at the server', { timeout: 120_000 }, async () => {
  const arrivals: number[] = [];
  const server = {
    responder: (request: Parameters<typeof responder>[0]) => {
      arrivals.push(Date.now());
      return responder(request);
    },
  };
  // 600 a minute: one call per 100 ms for the provider, whichever worker makes it. Each worker alone
  // would be allowed as much, so three unshared limiters would send about three times as fast.
  await withRemoteProject('remote-rate', { rows: ROWS, workers: 3, server, project: { limits: 'requestsPerMinute: 600' }, worker: { concurrency: 4 } }, async ({ dir, redis, workers, runArgs }) => {
    const result = await runCli(['run', 'classify.yaml', ...runArgs], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    // `vaflow workers` sees the three, the queue empty, and (at their next beat) every item done.
    let status: ExecutorStatus | undefined;
    for (const until = Date.now() + 20_000; status?.jobs.done !== ROWS && Date.now() < until;) {
      const shown = await runCli(['workers', '--redis', redis.url, '--json'], { cwd: dir });
      assert.equal(shown.code, 0, shown.stderr);
      status = JSON.parse(shown.stdout) as ExecutorStatus;
    }
    assert.equal(status!.jobs.done, ROWS);
    assert.equal(status!.workers.length, 3);
    assert.deepEqual([status!.jobs.waiting, status!.jobs.active, status!.jobs.failed, status!.jobs.itemErrors], [0, 0, 0, 0]);
    const text = await runCli(['workers', '--redis', redis.url], { cwd: dir });
    assert.match(text.stdout, /^executor redis:\/\/127\.0\.0\.1:\d+: 3 workers\n/);
    assert.match(text.stdout, /jobs: 0 waiting, 0 active, 30 done by these workers \(0 item errors\)/);
    const taken = (await workers.stop()).map((w) => Number(/stopped after (\d+) items/.exec(w.stderr)?.[1]));
    assert.ok(taken.filter((n) => n > 0).length >= 2, `the calls were spread over the workers: ${taken}`);
    const { records, errors } = await classifyOutput(onlyRun(path.join(dir, 'runs')));
    assert.equal(records.length, ROWS);
    assert.deepEqual(errors, []);
  });
  assert.equal(arrivals.length, ROWS);
  arrivals.sort((a, b) => a - b);
  const span = arrivals.at(-1)! - arrivals[0]!;
  assert.ok(span >= (ROWS - 1) * 100 * 0.8, `${ROWS} calls at 600/min take about ${(ROWS - 1) * 100} ms at the server; they took ${span} ms`);
  // In any two seconds, at most 20 calls (plus a little for a late start bunching with the next).
  const busiest = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 2000).length));
  assert.ok(busiest <= 23, `at most ~20 calls in any 2 s at the server, saw ${busiest}`);
});

test('a key in the workers\' environment and the Redis password appear nowhere in Redis or the run folder', { timeout: 120_000 }, async () => {
  const KEY = 'sk-planted-7f3a9c2e5b1d4a8f';
  const PASSWORD = 'pw-planted-41c9e0d2';
  // Only the workers have the key: it is read where the call is made, never sent along.
  const options = { rows: 12, workers: 2, server: { responder }, redisPassword: PASSWORD, project: { apiKeyEnv: 'PLANTED_API_KEY' }, worker: { env: { PLANTED_API_KEY: KEY } } };
  await withRemoteProject('remote-secrets', options, async ({ dir, server, redis, workers }) => {
    // The URL with its password comes from the environment, as docs/distributed.md advises.
    const result = await runCli(['run', 'classify.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir, env: { VAFLOW_EXECUTOR: redis.url } });
    assert.equal(result.code, 0, result.stderr);
    const inRedis = await dumpAll(redis.client());
    assert.match(inRedis, /vaflow:ctx:/, 'the dump holds the executor\'s keys (a dump of nothing proves nothing)');
    assert.ok(!inRedis.includes(KEY), 'the key is nowhere in Redis');
    assert.ok(!inRedis.includes(PASSWORD), 'nor the password');
    const printed = result.stderr + result.stdout + (await workers.stop()).map((w) => w.stderr).join('');
    assert.ok(!printed.includes(PASSWORD) && !printed.includes(KEY), 'neither is printed by the coordinator or the workers');
    assert.equal(server.requests.authorizations.length, 12);
    assert.ok(server.requests.authorizations.every((a) => a === `Bearer ${KEY}`), 'the workers sent the key from their own environment');
    const runDir = onlyRun(path.join(dir, 'runs'));
    assert.equal((await classifyOutput(runDir)).records.length, 12);
    for (const file of filesUnder(runDir)) {
      const text = readFileSync(file, 'latin1');
      assert.ok(!text.includes(KEY), `the key is not in ${path.relative(dir, file)}`);
      assert.ok(!text.includes(PASSWORD), `the password is not in ${path.relative(dir, file)}`);
    }
    assert.match(readFileSync(path.join(runDir, 'manifest.json'), 'utf8'), /"executor": "redis:\/\/:[^"@]*@127\.0\.0\.1:\d+"/, 'the manifest names the executor without its password');
  });
});
