/**
 * One job run by two executions at once, for real: a worker takes the only job and makes its chat
 * call; the server holds that answer while the worker is stopped (SIGSTOP) past its lock, so BullMQ's
 * stalled-job check hands the job to a second worker; then the first worker resumes. The server
 * answers each request differently (as a model at temperature > 0 would), so the record and the
 * cache show whose answer each holds. The call must be paid once (the second execution waits for the
 * first one's answer, whose worker is alive), and the record must hold the very answer the cache
 * holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { structuredAnswer, type Responder } from '../../helpers/openai-server.js';
import { startCli, waitFor } from '../../helpers/cli.js';
import { startWorkers } from '../../helpers/vaflow-workers.js';
import { cachedChatAnswers } from '../../helpers/cache-counts.js';
import { classifyOutput, onlyRun, withRemoteProject } from './remote-project.js';

const LOCK_MS = 1000;
/** Each request's answer, in arrival order: the first one's differs from any later one's. */
const ANSWERS = ['sadness', 'anger', 'fear', 'disgust'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** PUBLISH commands the server has run so far. */
async function publishCount(client: Redis): Promise<number> {
  return Number(/cmdstat_publish:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
}

test('a lapsed lock runs a job twice: its chat call is paid once, and the record holds the cached answer', { timeout: 120_000 }, async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived = 0;
  const responder: Responder = async (request) => {
    const index = arrived++;
    if (index === 0) await released;
    return structuredAnswer(request, ANSWERS[index % ANSWERS.length]!);
  };
  await withRemoteProject('remote-double-execution', { rows: 1, workers: 1, server: { responder }, worker: { lockMs: LOCK_MS, concurrency: 1 } }, async ({ dir, server, redis, workers, runArgs }) => {
    const run = startCli(['run', 'classify.yaml', ...runArgs], { cwd: dir });
    // The first execution's call is at the server, held there.
    await waitFor(() => server.requests.chat >= 1, 60_000);
    // A second worker, idle (there is one job) until the first one's lock lapses.
    const second = await startWorkers(1, { redis: redis.url, cwd: dir, lockMs: LOCK_MS, concurrency: 1 });
    try {
      const client = redis.client();
      const [job] = (await client.keys('vaflow:items:*')).filter((key) => /^vaflow:items:[0-9a-f]{64}$/.test(key));
      assert.ok(job, 'the item job is in Redis');
      const first = workers.all[0]!.child;
      first.kill('SIGSTOP');
      // Only the chat-answer exchange publishes; from now on only the second execution and the coordinator can.
      const published = await publishCount(client);
      // The held answer goes out while its worker is stopped: it waits in the socket.
      release();
      // BullMQ starts the job a second time (`ats`: attempts started) on the second worker…
      await until(async () => Number(await client.hget(job, 'ats')) >= 2, 60_000, 'the job to start again on the second worker');
      // …whose execution asks the coordinator about the same call and hears back (told to wait, or,
      // were it not told apart from the first execution, to pay).
      await until(async () => (await publishCount(client)) >= published + 2, 60_000, 'the second execution to ask about the call');
      first.kill('SIGCONT');
      const result = await run.done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /its worker stopped answering/, 'the lock did lapse: the job ran twice');
    } finally {
      await second.stop();
    }
    assert.equal(server.requests.chat, 1, 'the chat call of the job was paid once across its two executions');
    const { records, errors } = await classifyOutput(onlyRun(path.join(dir, 'runs')));
    assert.deepEqual(errors, []);
    assert.equal(records.length, 1);
    const cached = [...cachedChatAnswers(path.join(dir, 'cache')).values()] as { text: string }[];
    assert.equal(cached.length, 1, 'one chat answer cached');
    assert.equal(records[0]!['answer'], cached[0]!.text, 'the record holds the cached answer');
  });
});
