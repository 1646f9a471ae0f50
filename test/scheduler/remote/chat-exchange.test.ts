/**
 * The chat-answer exchange between executions and their coordinator, against a real redis-server but
 * without BullMQ: executions are played by hand (two workers' clients, execution ids of one job), and
 * the coordinator's liveness look is a fake the test answers, so "found not running once" and "twice
 * in a row" are exact, not timed. What must hold: the right to pay for a call belongs to one execution
 * at a time; another execution waits for its answer unless the holder is found not running twice in a
 * row; a late answer from a holder that lost its right gives way to the answer that stands; messages
 * of another protocol version are refused, saying so; and no wait on the coordinator is unbounded.
 */
import { getEventListeners } from 'node:events';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { ChatResponse } from '../../../src/types/providers.js';
import type { EngineProviders } from '../../../src/scheduler/provider-services.js';
import { ChatCalls } from '../../../src/scheduler/chat-calls.js';
import { MemoryCacheStore } from '../../../src/cache/memory-store.js';
import { ChatExchangeClient, ChatExchangeHost, type Reply } from '../../../src/run/remote/chat-exchange.js';
import { RunningExecutions, redisLiveness, type Holder } from '../../../src/run/remote/executions.js';
import { connectRedis } from '../../../src/run/remote/redis-connection.js';
import { parseRedisUrl } from '../../../src/run/remote/executor-setting.js';
import { PROTOCOL_VERSION, redisKeys, type CoordinatorMessage } from '../../../src/run/remote/protocol.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const JOB = 'a'.repeat(64);
const EXEC_A = `${JOB}/first`;
const EXEC_B = `${JOB}/second`;
const KEY = 'chat-key';
const call = (exec: string) => ({ key: KEY, origin: 'task', model: 'm', exec });
const answerOf = (text: string): ChatResponse => ({ text });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A promise and whether it has settled yet. */
function watch<T>(promise: Promise<T>): { readonly promise: Promise<T>; settled(): boolean } {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  return { promise, settled: () => done };
}

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.close();
});

interface Setting {
  readonly host: ChatExchangeHost;
  readonly cache: MemoryCacheStore;
  readonly workerA: ChatExchangeClient;
  readonly workerB: ChatExchangeClient;
  /** Liveness looks the coordinator has made so far. */
  looks(): number;
  /** Times the coordinator told an execution to wait for another's call. */
  waits(): number;
  readonly coordinator: string;
}

/** A coordinator whose liveness look asks `alive(holder, look)`, and two workers' clients. */
async function withExchange(alive: (holder: Holder, look: number) => boolean, body: (s: Setting) => Promise<void>): Promise<void> {
  const connections: Redis[] = [];
  const connect = () => {
    const connection = redis.client();
    connections.push(connection);
    return connection;
  };
  let looks = 0;
  let waits = 0;
  const cache = new MemoryCacheStore();
  const chatCalls = new (class extends ChatCalls {
    override answer(...args: Parameters<ChatCalls['answer']>): ReturnType<ChatCalls['answer']> {
      const [key, origin, model, produce, onWait] = args;
      return super.answer(key, origin, model, produce, () => {
        waits++;
        onWait?.();
      });
    }
  })({ providers: {} as EngineProviders, cache, mode: { read: true, write: true }, onStoreError: () => undefined });
  const host = new ChatExchangeHost({
    id: 'coordinator',
    pub: connect(),
    sub: connect(),
    chatCalls,
    checkMs: 30,
    liveness: async (holders) => {
      const look = looks++;
      return holders.map((holder) => alive(holder, look));
    },
  });
  await host.start();
  const client = (workerId: string) => new ChatExchangeClient({ workerId, pub: connect(), sub: connect(), limits: { resendMs: 50, silenceMs: 2000, waitMs: 60_000 } });
  const workerA = client('worker-a');
  const workerB = client('worker-b');
  await Promise.all([workerA.start(), workerB.start()]);
  try {
    await body({ host, cache, workerA, workerB, looks: () => looks, waits: () => waits, coordinator: 'coordinator' });
  } finally {
    host.close();
    for (const connection of connections) connection.disconnect();
  }
}

const never = new AbortController().signal;

test('a second execution of a job waits for the first one\'s call and gets its answer; nothing is paid twice', { timeout: 30_000 }, async () => {
  await withExchange(() => true, async ({ workerA, workerB, cache, looks, waits, coordinator }) => {
    assert.equal(await workerA.ask(coordinator, call(EXEC_A), never), 'go');
    const second = watch(workerB.ask(coordinator, call(EXEC_B), never));
    await until(() => waits() >= 1, 'the second execution to be told to wait');
    const seen = looks();
    await until(() => looks() >= seen + 3, 'three more liveness looks');
    assert.equal(second.settled(), false, 'a live holder is not paid over');
    const standing = await workerA.deliver(coordinator, call(EXEC_A), answerOf('first'));
    assert.deepEqual(standing, { answer: answerOf('first'), kept: true });
    assert.deepEqual(await second.promise, { hit: answerOf('first') } satisfies Reply);
    assert.deepEqual(cache.get(KEY), answerOf('first'));
  });
});

test('an execution asking again for the call it holds (its go was lost) is told go again', { timeout: 30_000 }, async () => {
  await withExchange(() => true, async ({ workerA, coordinator }) => {
    // One signal for both questions, as an attempt's: a question that ended leaves no listener on it.
    const attempt = new AbortController().signal;
    assert.equal(await workerA.ask(coordinator, call(EXEC_A), attempt), 'go');
    assert.equal(await workerA.ask(coordinator, call(EXEC_A), attempt), 'go');
    assert.equal(getEventListeners(attempt, 'abort').length, 0, 'every question removed its abort listener');
  });
});

test('a holder found not running once, then running again, keeps its call: two failed looks in a row are needed', { timeout: 30_000 }, async () => {
  // The first look at the holder fails (a stop, a blip), every later one finds it.
  let firstLook: number | undefined;
  await withExchange((_, look) => (firstLook ??= look) !== look, async ({ workerA, workerB, looks, waits, coordinator }) => {
    assert.equal(await workerA.ask(coordinator, call(EXEC_A), never), 'go');
    const second = watch(workerB.ask(coordinator, call(EXEC_B), never));
    await until(() => waits() >= 1 && firstLook !== undefined, 'the second execution to wait and the first look');
    await until(() => looks() >= firstLook! + 4, 'more looks after the failed one');
    assert.equal(second.settled(), false, 'one failed look does not pass the call on');
    await workerA.deliver(coordinator, call(EXEC_A), answerOf('first'));
    assert.deepEqual(await second.promise, { hit: answerOf('first') });
  });
});

test('a holder found not running twice in a row loses its call to the next execution; its late answer gives way to the one that stands', { timeout: 30_000 }, async () => {
  const failedLooks: number[] = [];
  await withExchange((holder, look) => {
    if (holder.exec !== EXEC_A) return true;
    failedLooks.push(look);
    return false;
  }, async ({ workerA, workerB, cache, coordinator }) => {
    assert.equal(await workerA.ask(coordinator, call(EXEC_A), never), 'go');
    assert.equal(await workerB.ask(coordinator, call(EXEC_B), never), 'go', 'the call passed on');
    assert.ok(failedLooks.length >= 2, `passed on after ${failedLooks.length} failed looks`);
    // The first execution was alive after all: its answer arrives while the second's call is in flight.
    const late = watch(workerA.deliver(coordinator, call(EXEC_A), answerOf('first')));
    const own = await workerB.deliver(coordinator, call(EXEC_B), answerOf('second'));
    assert.deepEqual(own, { answer: answerOf('second'), kept: true }, 'the holder\'s answer is the call\'s');
    assert.deepEqual(await late.promise, { answer: answerOf('second'), kept: false }, 'the late answer gives way: its execution goes on with the stored one');
    assert.deepEqual(cache.get(KEY), answerOf('second'));
  });
});

test('a job completing settles only the calls its own execution holds', { timeout: 30_000 }, async () => {
  await withExchange(() => true, async ({ host, workerA, workerB, waits, coordinator }) => {
    assert.equal(await workerA.ask(coordinator, call(EXEC_A), never), 'go');
    const second = watch(workerB.ask(coordinator, call(EXEC_B), never));
    await until(() => waits() >= 1, 'the second execution to wait');
    // The other execution of the job completes: the first one's call is still its own.
    host.settleExecution(EXEC_B, []);
    await sleep(100);
    assert.equal(second.settled(), false);
    // The first one completes with the answer in its return value (its message was lost).
    host.settleExecution(EXEC_A, [[KEY, answerOf('first'), 'm']]);
    assert.deepEqual(await second.promise, { hit: answerOf('first') });
  });
});

test('a message of another protocol version is refused, saying so; a reply of another version is an error', { timeout: 30_000 }, async () => {
  await withExchange(() => true, async ({ coordinator }) => {
    const pub = redis.client();
    const sub = redis.client();
    const replies: CoordinatorMessage[] = [];
    sub.on('message', (_channel: string, text: string) => replies.push(JSON.parse(text) as CoordinatorMessage));
    await sub.subscribe('old-worker-replies');
    // A version-1 ask: no `v`, the job id where the execution id is now.
    await pub.publish(redisKeys.coordinatorChannel(coordinator), JSON.stringify({ t: 'ask', id: 7, key: KEY, origin: 'task', model: 'm', job: JOB, reply: 'old-worker-replies' }));
    await until(() => replies.length > 0, 'a reply');
    assert.equal(replies[0]!.t, 'refused');
    assert.match((replies[0] as { reason: string }).reason, new RegExp(`speaks chat-exchange protocol 1, its coordinator ${PROTOCOL_VERSION}: run one vaflow version everywhere`));

    // A coordinator of another version answers this worker.
    const fake = redis.client();
    await fake.subscribe(redisKeys.coordinatorChannel('newer'));
    fake.on('message', (_channel: string, text: string) => {
      const ask = JSON.parse(text) as { id: number; reply: string };
      void pub.publish(ask.reply, JSON.stringify({ v: PROTOCOL_VERSION + 1, id: ask.id, t: 'go' }));
    });
    const worker = new ChatExchangeClient({ workerId: 'worker-v', pub: redis.client(), sub: redis.client() });
    await worker.start();
    await assert.rejects(worker.ask('newer', call(EXEC_A), never), new RegExp(`the coordinator newer speaks chat-exchange protocol ${PROTOCOL_VERSION + 1}, worker worker-v ${PROTOCOL_VERSION}`));
  });
});

test('no wait is unbounded: a silent coordinator is an error, a gone one lets the execution pay, a lost Redis ends the wait', { timeout: 60_000 }, async () => {
  const local = await startRedisServer();
  try {
    const url = parseRedisUrl(local.url, 'test');
    // Connections as the worker makes them: commands wait for a Redis that is away.
    const pub = connectRedis(url, { name: 'test-pub' });
    const sub = connectRedis(url, { name: 'test-sub' });
    const worker = new ChatExchangeClient({ workerId: 'worker-s', pub, sub, limits: { resendMs: 50, silenceMs: 500, waitMs: 60_000 } });
    await worker.start();
    // Nobody listens on the coordinator's channel: it is gone, the execution pays.
    assert.equal(await worker.ask('gone', call(EXEC_A), never), 'go');
    // Subscribed but never answering.
    const silent = local.client();
    await silent.subscribe(redisKeys.coordinatorChannel('silent'));
    await assert.rejects(worker.ask('silent', call(EXEC_A), never), /the coordinator silent has not answered about a chat call for \d+ s \(Redis unreachable, or the coordinator is stuck\)/);
    // A coordinator that says `wait` for ever (another execution's call that never ends).
    const waiting = local.client();
    const replier = local.client();
    await waiting.subscribe(redisKeys.coordinatorChannel('waiting'));
    waiting.on('message', (_channel: string, text: string) => {
      const ask = JSON.parse(text) as { id: number; reply: string };
      void replier.publish(ask.reply, JSON.stringify({ v: PROTOCOL_VERSION, id: ask.id, t: 'wait' }));
    });
    const patientSub = connectRedis(url, { name: 'test-sub-w' });
    const patient = new ChatExchangeClient({ workerId: 'worker-w', pub, sub: patientSub, limits: { resendMs: 50, silenceMs: 500, waitMs: 1000 } });
    await patient.start();
    await assert.rejects(patient.ask('waiting', call(EXEC_A), never), /waited \d+ s for another execution's answer to a chat call: giving up/);
    // Delivering to a silent coordinator keeps the execution's own answer (it travels in the job's return value).
    assert.deepEqual(await worker.deliver('silent', call(EXEC_A), answerOf('own')), { answer: answerOf('own'), kept: true });
    // Redis goes away while an execution asks.
    const asking = worker.ask('silent', call(EXEC_B), never);
    await local.kill();
    await assert.rejects(asking, /has not answered about a chat call/);
    pub.disconnect();
    sub.disconnect();
    patientSub.disconnect();
  } finally {
    await local.close();
  }
});

test('an execution is running while its worker lists it in its running set; a worker that stops rewriting it is not running once its TTL passes', { timeout: 30_000 }, async () => {
  const worker = redis.client();
  const coordinator = redis.client();
  const running = new RunningExecutions(worker, 'worker-r', 400);
  const liveness = redisLiveness(coordinator);
  // Connected first: a coordinator not connected yet cannot tell (undefined), which is not the point here.
  await Promise.all([worker.ping(), coordinator.ping()]);
  const a = { exec: EXEC_A, worker: 'worker-r' };
  const b = { exec: EXEC_B, worker: 'worker-r' };
  running.add(EXEC_A);
  // The add goes before anything else the worker sends; a coordinator reading after that sees it.
  await worker.ping();
  assert.deepEqual(await liveness([a, b]), [true, false]);
  running.add(EXEC_B);
  running.delete(EXEC_A);
  await worker.ping();
  assert.deepEqual(await liveness([a, b]), [false, true]);
  // Rewritten every 100 ms, the set outlives its 400 ms TTL…
  running.start(100);
  await sleep(900);
  assert.deepEqual(await liveness([b]), [true]);
  // …and a stopped worker's set lapses.
  await running.close();
  assert.deepEqual(await liveness([b]), [false]);
  const stopped = new RunningExecutions(worker, 'worker-q', 200);
  stopped.add(EXEC_A);
  await sleep(600);
  assert.deepEqual(await liveness([{ exec: EXEC_A, worker: 'worker-q' }]), [false], 'a set not rewritten lapses after its TTL');
});
