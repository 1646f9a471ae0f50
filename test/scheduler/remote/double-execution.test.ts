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
import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import { structuredAnswer, type OpenAIServer, type Responder } from '../../helpers/openai-server.js';
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

/** The executions every worker lists as running (vaflow:running:<worker> sets). */
async function runningExecutions(client: Redis): Promise<string[]> {
  const keys = await client.keys('vaflow:running:*');
  return (await Promise.all(keys.map((key) => client.smembers(key)))).flat();
}

/** PUBLISH commands the server has run so far. */
async function publishCount(client: Redis): Promise<number> {
  return Number(/cmdstat_publish:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
}

/**
 * The setting both tests share: one item, one worker making its chat call, whose answer the server
 * holds until `release`; a second worker started, idle until the first one's lock lapses; `body`
 * makes the lapse happen. Then the run must end well, and its record hold the cached answer.
 */
async function withHeldCall(
  name: string,
  body: (s: { first: ChildProcess; client: Redis; job: string; release: () => void; server: OpenAIServer }) => Promise<void>,
): Promise<{ readonly requests: number; readonly answer: unknown; readonly cached: string; readonly stderr: string }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived = 0;
  const responder: Responder = async (request) => {
    const index = arrived++;
    if (index === 0) await released;
    return structuredAnswer(request, ANSWERS[index % ANSWERS.length]!);
  };
  let outcome: { requests: number; answer: unknown; cached: string; stderr: string } | undefined;
  await withRemoteProject(name, { rows: 1, workers: 1, server: { responder }, worker: { lockMs: LOCK_MS, concurrency: 1 } }, async ({ dir, server, redis, workers, runArgs }) => {
    const run = startCli(['run', 'classify.yaml', ...runArgs], { cwd: dir });
    // The first execution's call is at the server, held there.
    await waitFor(() => server.requests.chat >= 1, 60_000);
    // A second worker, idle (there is one job) until the first one's lock lapses.
    const second = await startWorkers(1, { redis: redis.url, cwd: dir, lockMs: LOCK_MS, concurrency: 1 });
    let stderr: string;
    try {
      const client = redis.client();
      const [job] = (await client.keys('vaflow:items:*')).filter((key) => /^vaflow:items:[0-9a-f]{64}$/.test(key));
      assert.ok(job, 'the item job is in Redis');
      await body({ first: workers.all[0]!.child, client, job, release, server });
      const result = await run.done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /its worker stopped answering/, 'the lock did lapse: the job ran twice');
      stderr = result.stderr;
    } finally {
      // Whatever failed, nothing is left stopped or running.
      release();
      workers.all[0]!.child.kill('SIGCONT');
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await second.stop();
    }
    const { records, errors } = await classifyOutput(onlyRun(path.join(dir, 'runs')));
    assert.deepEqual(errors, []);
    assert.equal(records.length, 1);
    const cached = [...cachedChatAnswers(path.join(dir, 'cache')).values()] as { text: string }[];
    assert.equal(cached.length, 1, 'one chat answer cached');
    outcome = { requests: server.requests.chat, answer: records[0]!['answer'], cached: cached[0]!.text, stderr };
  });
  return outcome!;
}

test('a lapsed lock runs a job twice: its chat call is paid once, and the record holds the cached answer', { timeout: 120_000 }, async () => {
  const outcome = await withHeldCall('remote-double-execution', async ({ first, client, job, release }) => {
    first.kill('SIGSTOP');
    // Its execution is listed in its worker's running set, which is what keeps it from being paid over.
    assert.equal((await runningExecutions(client)).filter((exec) => exec.startsWith(`${job.slice('vaflow:items:'.length)}/`)).length, 1, 'the first execution is listed as running');
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
  });
  assert.equal(outcome.requests, 1, 'the chat call of the job was paid once across its two executions');
  assert.equal(outcome.answer, outcome.cached, 'the record holds the cached answer');
  assert.match(String(outcome.answer), new RegExp(ANSWERS[0]!), 'the first execution\'s answer');
});

test('the first execution dies holding the call: the second one pays once its running set has lapsed, and the run ends', { timeout: 120_000 }, async () => {
  const outcome = await withHeldCall('remote-double-execution-dead', async ({ first, release }) => {
    first.kill('SIGKILL');
    // Its answer goes to a dead socket: lost with its worker.
    release();
  });
  assert.equal(outcome.requests, 2, 'the answer lost with the dead worker is paid again, once');
  assert.equal(outcome.answer, outcome.cached, 'the record holds the cached answer');
  assert.match(String(outcome.answer), new RegExp(ANSWERS[1]!), 'the second execution\'s answer');
});
