import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONCURRENCY, ProviderLimiter, pacingBurst } from '../../../src/scheduler/provider-limiter.js';
import { ProviderError } from '../../../src/errors.js';
import type { RateLimitObservation } from '../../../src/providers/chat/rate-limit-headers.js';

// ProviderLimiter on node's mock clock (Date and setTimeout): the ms a call starts at is exact, so
// pauses, rates and corrections are asserted to the ms, without timing anything. Written against
// survivors of `npm run mutate -- retry-limiter` (issue 19).

const T0 = 1_000_000;
const none = () => undefined;
const settle = () => new Promise((resolve) => setImmediate(resolve));
const rateLimited = (retryAfterMs?: number) => new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

function mockClock(t: TestContext): void {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
}

/** Steps the mocked clock in 1 ms steps (a timer set in a timer's callback counts from the tick's end), letting promises settle. */
async function advance(t: TestContext, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    t.mock.timers.tick(1);
    await settle();
  }
}

/** Starts a call of `tokens` estimated tokens; `at` holds the ms (since T0) it started at, once it has. */
function startCall(limiter: ProviderLimiter, tokens = 0, options: { signal?: AbortSignal; usage?: number } = {}) {
  const call = { at: undefined as number | undefined, done: undefined as unknown as Promise<unknown> };
  call.done = limiter.run(tokens, async () => { call.at = Date.now() - T0; }, () => options.usage, options.signal ? { signal: options.signal } : {});
  return call;
}

/**
 * Starts a call of `tokens` estimated tokens (its answer reporting `usage`), steps the clock until the
 * limiter lets it go (at most `withinMs`) and lets it end: the ms (since T0) it started at, undefined
 * when it had not started by then.
 */
async function nextStart(t: TestContext, limiter: ProviderLimiter, options: { tokens?: number; usage?: number; withinMs?: number } = {}): Promise<number | undefined> {
  const call = startCall(limiter, options.tokens ?? 0, { usage: options.usage });
  await settle();
  for (let i = 0; i < (options.withinMs ?? 20_000) && call.at === undefined; i++) await advance(t, 1);
  if (call.at !== undefined) await call.done;
  return call.at;
}

test('a call whose signal is already aborted is refused before it queues: it never runs and takes no slot', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({ concurrency: 1 });
  const aborted = new AbortController();
  aborted.abort(new Error('cancelled'));
  let ran = false;
  let queued = false;
  await assert.rejects(limiter.run(0, async () => { ran = true; }, none, { signal: aborted.signal, onQueued: () => (queued = true) }), /cancelled/);
  assert.equal(ran, false);
  assert.equal(queued, true, 'the caller heard it queued (its timer paused) before the refusal');
  assert.deepEqual([limiter.snapshot().inFlight, limiter.snapshot().waiting], [0, 0]);
  assert.equal(await nextStart(t, limiter), 0, 'the slot is free');
});

test('by default 16 calls run at once; the 17th waits for a slot', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  assert.equal(limiter.concurrency, DEFAULT_CONCURRENCY);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const started: number[] = [];
  const calls = Array.from({ length: 17 }, (_, i) => limiter.run(0, async () => { started.push(i); await held; }, none));
  await settle();
  assert.equal(started.length, 16);
  assert.deepEqual([limiter.snapshot().inFlight, limiter.snapshot().waiting], [16, 1]);
  release();
  await Promise.all(calls);
  assert.equal(started.length, 17);
  assert.deepEqual([limiter.snapshot().inFlight, limiter.snapshot().waiting], [0, 0]);
});

test('tokensPerMinute: a call waits for its estimated tokens; one without usage keeps its estimate, one with usage is corrected by it', async (t) => {
  mockClock(t);
  // 60,000 tokens a minute: 1 a ms, a bucket of 60,000.
  const limiter = new ProviderLimiter({ tokensPerMinute: 60_000 });
  const first = startCall(limiter, 60_000); // no usage reported: the estimate stands
  await first.done;
  assert.equal(await nextStart(t, limiter, { tokens: 500, usage: 100 }), 500, 'waited for 500 tokens of refill');
  // The second call used 100, not 500: 400 given back. At 600 the bucket holds 600 - 500 + 400 = 500
  // tokens (100 without the correction), so a 600-token call waits 100 ms (500 without it).
  assert.equal(await nextStart(t, limiter, { tokens: 600 }), 700);
});

test('a call of no tokens is not held back by a token debt; a negative estimate counts as none', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({ tokensPerMinute: 60_000 });
  await startCall(limiter, 10_000, { usage: 70_000 }).done; // used 60,000 more than estimated: 10,000 in debt
  assert.equal(await nextStart(t, limiter, { tokens: 0 }), 0);
  assert.equal(await nextStart(t, limiter, { tokens: -5000 }), 0, 'no tokens taken, none given back');
  assert.equal(await nextStart(t, limiter, { tokens: 1 }), 10_001, 'the debt and the one token, at 1 a ms: a negative estimate gave nothing back');
});

test('only a ProviderError with status 429 pauses and slows the provider', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  const lookalike = Object.assign(new Error('429 from a kind of its own'), { status: 429, retryAfterMs: 5000 });
  await assert.rejects(limiter.run(0, async () => { throw lookalike; }, none));
  assert.equal(limiter.slowdowns, 0);
  assert.equal(await nextStart(t, limiter), 0, 'no pause');
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(5000); }, none));
  assert.equal(await nextStart(t, limiter), 5000, 'the 429\'s Retry-After, to the ms');
  // A Retry-After shorter than the default pause is kept to: the default is for 429s that name none.
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(10); }, none));
  assert.equal(await nextStart(t, limiter), 5000 + 10);
});

test('a 429 without Retry-After pauses for DEFAULT_PAUSE_MS (1 s); a shorter pause never cuts a longer one short', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(); }, none));
  assert.equal(await nextStart(t, limiter), 1000);
  // Two calls in flight answer 429s, the longer Retry-After first.
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const both = [3000, 10].map((ms) => limiter.run(0, async () => { await answered; throw rateLimited(ms); }, none).catch(() => 'limited'));
  answer();
  assert.deepEqual(await Promise.all(both), ['limited', 'limited']);
  assert.equal(await nextStart(t, limiter), 1000 + 3000, 'the 3 s pause, not the 10 ms one');
});

test('the headers of a 429 answer pause the provider for their Retry-After; other answers\' Retry-After does not', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  limiter.observe({ status: 503, retryAfterMs: 60_000 });
  assert.equal(await nextStart(t, limiter), 0, 'a 503\'s Retry-After is the retry layer\'s business, not a pause of the provider');
  limiter.observe({ status: 429, retryAfterMs: 2000 });
  limiter.observe({ status: 429, retryAfterMs: 500 });
  assert.equal(await nextStart(t, limiter), 2000, 'the longer of the two pauses');
});

test('what the headers say takes effect for calls already waiting: a limit that rises lets them go at once', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  limiter.observe({ status: 200, requests: { limit: 60, remaining: 0 } }); // one a second, none left
  const waiting = startCall(limiter);
  await advance(t, 100);
  assert.equal(waiting.at, undefined, 'held back');
  limiter.observe({ status: 200, requests: { limit: 60_000, remaining: 500 } });
  await settle();
  assert.equal(waiting.at, 100, 'let go by the new headers, not by the old timer');
  await waiting.done;
});

test('the snapshot: the lowest request and token limits with their sources, starts per second over 5 s, calls in flight and waiting', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({ concurrency: 2, requestsPerMinute: 600, tokensPerMinute: 9000 });
  assert.deepEqual(limiter.snapshot(), { requestsPerSecond: 0, requestLimit: { perMinute: 600, source: 'configured' }, tokenLimit: { perMinute: 9000, source: 'configured' }, inFlight: 0, waiting: 0, slowdowns: 0 });
  limiter.observe({ status: 200, requests: { limit: 300, remaining: 100 }, tokens: { limit: 20_000, remaining: 5000 } });
  assert.deepEqual([limiter.snapshot().requestLimit, limiter.snapshot().tokenLimit], [{ perMinute: 300, source: 'server' }, { perMinute: 9000, source: 'configured' }]);
  limiter.observe({ status: 200, requests: { limit: 1200, remaining: 100 }, tokens: { limit: 4000, remaining: 3000 } });
  assert.deepEqual([limiter.snapshot().requestLimit, limiter.snapshot().tokenLimit], [{ perMinute: 600, source: 'configured' }, { perMinute: 4000, source: 'server' }]);
  // Ten calls, one every 100 ms (600 a minute), two held open at the end, a third waiting for a slot.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const calls = Array.from({ length: 11 }, (_, i) => limiter.run(0, async () => { if (i >= 8) await held; }, none));
  await advance(t, 1000);
  const snapshot = limiter.snapshot();
  assert.equal(snapshot.requestsPerSecond, 10 / 5, 'ten starts over the five seconds counted');
  assert.deepEqual([snapshot.inFlight, snapshot.waiting], [2, 1]);
  release();
  await advance(t, 200);
  await Promise.all(calls);
  assert.deepEqual([limiter.snapshot().inFlight, limiter.snapshot().waiting], [0, 0]);
});

/** 20 answers, then a 429 (Retry-After 1 ms) before any headers: the limiter learns a rate. */
async function learnARate(limiter: ProviderLimiter): Promise<number> {
  for (let i = 0; i < 20; i++) await limiter.run(0, async () => undefined, none);
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(1); }, none));
  const limit = limiter.snapshot().requestLimit;
  assert.equal(limit?.source, 'learned');
  return limit.perMinute;
}

/** One call, sent as soon as the limiter lets it, whose answer carries `observation`. */
async function answerWith(t: TestContext, limiter: ProviderLimiter, observation: RateLimitObservation): Promise<void> {
  const controller = new AbortController();
  let started = false;
  const done = limiter.run(0, async () => {
    started = true;
    limiter.observe(observation, controller.signal);
  }, none, { signal: controller.signal });
  for (let i = 0; i < 10_000 && !started; i++) await advance(t, 1);
  assert.ok(started, 'the call was let go');
  await done;
}

test('after a cut the next call waits a whole interval of the learned rate (the bucket is emptied, not left full)', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({ concurrency: 8 });
  const perMinute = await learnARate(limiter);
  const interval = Math.ceil(60_000 / perMinute);
  assert.ok(interval > 2, `an interval of ${interval} ms is longer than the 1 ms pause`);
  assert.equal(await nextStart(t, limiter), interval);
});

test('the learned rate gives way only to an answer (status below 400) whose every window shows room, one left being room', async (t) => {
  const room = { limit: 60_000, remaining: 1 };
  const cases: { observation: RateLimitObservation; givesWay: boolean; why: string }[] = [
    { observation: { status: 200, requests: room }, givesWay: true, why: 'one left is room' },
    { observation: { status: 200, requests: room, tokens: { limit: 600_000, remaining: 0 } }, givesWay: false, why: 'the tokens show none' },
    { observation: { status: 200, retryAfterMs: 5 }, givesWay: false, why: 'no window at all says nothing of room' },
    { observation: { status: 429, requests: { limit: 60_000, remaining: 500 } }, givesWay: false, why: 'a 429 is no room, whatever its headers' },
    { observation: { status: 400, requests: { limit: 60_000, remaining: 500 } }, givesWay: false, why: 'nor is a 400' },
  ];
  for (const c of cases) {
    await t.test(c.why, async (t) => {
      mockClock(t);
      const limiter = new ProviderLimiter({ concurrency: 8 });
      await learnARate(limiter);
      await answerWith(t, limiter, c.observation);
      assert.equal(limiter.snapshot().requestLimit?.source, c.givesWay ? 'server' : 'learned');
    });
  }
});

test('the learned rate does not give way to an answer it cannot place, nor to a server limit below it; it still stands when that limit rises to no room', async (t) => {
  await t.test('an answer it cannot place', async (t) => {
    mockClock(t);
    const limiter = new ProviderLimiter({ concurrency: 8 });
    await learnARate(limiter);
    limiter.observe({ status: 200, requests: { limit: 60_000, remaining: 500 } });
    assert.equal(limiter.snapshot().requestLimit?.source, 'learned');
  });
  await t.test('a server limit below the learned rate', async (t) => {
    mockClock(t);
    const limiter = new ProviderLimiter({ concurrency: 8 });
    const learned = await learnARate(limiter);
    const below = Math.floor(learned / 2);
    await answerWith(t, limiter, { status: 200, requests: { limit: below, remaining: 5 } });
    const governing = limiter.snapshot().requestLimit;
    assert.ok(governing?.source === 'server' && Math.abs(governing.perMinute - below) < 1e-6, 'the mirror governs; the learned rate is kept');
    await answerWith(t, limiter, { status: 200, requests: { limit: 60_000, remaining: 0 } });
    assert.equal(limiter.snapshot().requestLimit?.source, 'learned');
    assert.ok(Math.abs(limiter.snapshot().requestLimit!.perMinute - learned) < 1e-6);
  });
});

test('an observation a call\'s signal no longer names (the call has ended) is read as of now, not placed at that call', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  const ended = new AbortController();
  await limiter.run(0, async () => undefined, none, { signal: ended.signal });
  await advance(t, 60_000);
  // 60 a minute, none left (a bucket of one, as far as it has shown): as of now the next call waits a
  // second; placed at the ended call, a minute ago, the bucket would have refilled.
  limiter.observe({ status: 200, requests: { limit: 60, remaining: 0 } }, ended.signal);
  assert.equal(await nextStart(t, limiter), 60_000 + 1000);
});

test('a 429 observed without Retry-After adds no pause and leaves later pauses intact', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  limiter.observe({ status: 429, requests: { limit: 60_000, remaining: 500 } });
  assert.equal(await nextStart(t, limiter), 0);
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(300); }, none));
  assert.equal(await nextStart(t, limiter), 300);
});

test('a 429 to a call sent before the cut adds no pause of its own (the first 429 of its round paused already)', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({ concurrency: 8 });
  for (let i = 0; i < 20; i++) await limiter.run(0, async () => undefined, none);
  let answerLate!: () => void;
  const late = new Promise<void>((resolve) => (answerLate = resolve));
  const old = limiter.run(0, async () => { await late; throw rateLimited(); }, none).catch(() => 'limited');
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(); }, none)); // the cut, and the default pause of 1 s
  await advance(t, 1500);
  answerLate();
  assert.equal(await old, 'limited');
  // No new pause: the next call waits only for the learned rate's interval.
  const interval = Math.ceil(60_000 / limiter.snapshot().requestLimit!.perMinute);
  assert.equal(await nextStart(t, limiter), 1500 + Math.max(0, interval - 1500));
});

test('a slow answer after a cut leaves the learned bucket as it refilled: the next call goes at once', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({ concurrency: 8 });
  const perMinute = await learnARate(limiter);
  const interval = Math.ceil(60_000 / perMinute);
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const slow = startCall(limiter);
  const slowDone = limiter.run(0, () => answered, none);
  await advance(t, 2 * interval + 5000);
  answer();
  await slowDone;
  await slow.done;
  assert.equal(await nextStart(t, limiter), 2 * interval + 5000, 'the bucket refilled during the slow call; its answer does not empty it');
});

/**
 * The headers become known (room), 20 answers, then six calls in flight answered 429 with `headers`
 * (`status`: what the observed response was; a provider may retry a 400 without a parameter and end
 * in a 429 without headers): the slowdowns they caused.
 */
async function slowdownsFrom429sWith(t: TestContext, headers: Pick<RateLimitObservation, 'requests' | 'tokens'>, status = 429): Promise<number> {
  mockClock(t);
  const limiter = new ProviderLimiter({ concurrency: 8 });
  await answerWith(t, limiter, { status: 200, requests: { limit: 60_000, remaining: 59_000 } });
  for (let i = 0; i < 20; i++) await limiter.run(0, async () => undefined, none);
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const calls = Array.from({ length: 6 }, () => {
    const controller = new AbortController();
    return limiter.run(0, async () => {
      await answered;
      limiter.observe({ status, retryAfterMs: 1, ...headers }, controller.signal);
      throw rateLimited(1);
    }, none, { signal: controller.signal }).catch(() => 'limited');
  });
  answer();
  assert.deepEqual(await Promise.all(calls), Array(6).fill('limited'));
  return limiter.slowdowns;
}

test('a 429 whose headers show any window spent is a miss of the mirror (no slowdown); one whose headers show room in all is a limit they do not tell', async (t) => {
  assert.equal(await slowdownsFrom429sWith(t, { requests: { limit: 60_000, remaining: 0 }, tokens: { limit: 600_000, remaining: 5000 } }), 0, 'the requests are spent');
  t.mock.timers.reset();
  assert.ok(await slowdownsFrom429sWith(t, { requests: { limit: 60_000, remaining: 1 } }) >= 1, 'one left is not spent: these 429s teach');
  t.mock.timers.reset();
  assert.ok(await slowdownsFrom429sWith(t, { requests: { limit: 60_000, remaining: 0 } }, 400) >= 1, 'a spent window in an earlier response of the call (a 400) does not explain its 429');
});

test('answers that cannot be placed, and 429s among them, are read without a call to pin them to', async (t) => {
  mockClock(t);
  const limiter = new ProviderLimiter({});
  limiter.observe({ status: 429, requests: { limit: 600, remaining: 0 }, retryAfterMs: 100 });
  limiter.observe({ status: 429, tokens: { limit: 6000, remaining: 0 } });
  assert.deepEqual(limiter.snapshot().requestLimit, { perMinute: 600, source: 'server' });
  assert.deepEqual(limiter.snapshot().tokenLimit, { perMinute: 6000, source: 'server' });
});

test('the mirror counts what was sent after the answered call, and, for an answer it cannot place, the tokens of the other calls in flight', async (t) => {
  mockClock(t);
  // 60,000 tokens a minute (1 a ms) on the server.
  const limiter = new ProviderLimiter({ concurrency: 8 });
  await limiter.run(500, async () => undefined, none); // a call done before: its tokens are no longer in flight
  const controller = new AbortController();
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const first = limiter.run(100, async () => { await answered; limiter.observe({ status: 200, tokens: { limit: 60_000, remaining: 1000 } }, controller.signal); }, none, { signal: controller.signal });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const later = [limiter.run(200, () => held, none), limiter.run(300, () => held, none)];
  answer();
  await first;
  // 1000 left when the first call arrived, less the 500 tokens sent after it: 500. A 550-token call
  // waits for 50 tokens and 50 ms of slack at 1 a ms.
  assert.equal(await nextStart(t, limiter, { tokens: 550 }), 100);
  // An answer it cannot place, with the 200- and 300-token calls still in flight: as of now, less the
  // other call's share of the 500 tokens in flight (250). An 800-token call waits for 100 ms.
  limiter.observe({ status: 200, tokens: { limit: 60_000, remaining: 1000 } });
  assert.equal(await nextStart(t, limiter, { tokens: 800 }), 200);
  release();
  await Promise.all(later);
});

test('a paced rate lets a burst of 50 ms of its calls go at once (at least one), then paces the rest', async (t) => {
  assert.equal(pacingBurst(120_000), 100, '2 a ms × 50 ms');
  assert.equal(pacingBurst(600), 1, 'at least one call');
  mockClock(t);
  const limiter = new ProviderLimiter({ concurrency: 1000, requestsPerMinute: 120_000 });
  const calls = Array.from({ length: 102 }, () => startCall(limiter));
  await settle();
  assert.equal(calls.filter((c) => c.at === 0).length, 100, 'the burst');
  await advance(t, 1);
  await Promise.all(calls.map((c) => c.done));
  assert.deepEqual(calls.slice(100).map((c) => c.at), [1, 1], 'then 2 a ms');
});
