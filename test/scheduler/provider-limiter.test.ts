import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderLimiter, estimateTokens, limitChat } from '../../src/scheduler/provider-limiter.js';
import { ProviderError } from '../../src/errors.js';
import type { RateLimitObservation } from '../../src/providers/chat/rate-limit-headers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('concurrency caps calls in flight', async () => {
  const limiter = new ProviderLimiter({ concurrency: 2 });
  let inFlight = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 8 }, () => limiter.run(0, async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await sleep(10);
    inFlight--;
  }, () => undefined)));
  assert.equal(peak, 2);
});

test('requestsPerMinute spreads starts evenly instead of bursting', async () => {
  const limiter = new ProviderLimiter({ requestsPerMinute: 1200 }); // one start per 50 ms
  const starts: number[] = [];
  await Promise.all(Array.from({ length: 5 }, () => limiter.run(0, async () => void starts.push(Date.now()), () => undefined)));
  const gaps = starts.slice(1).map((t, i) => t - starts[i]);
  assert.ok(starts.at(-1)! - starts[0] >= 4 * 45, `5 starts took ${starts.at(-1)! - starts[0]} ms`);
  assert.ok(gaps.every((g) => g >= 30), `gaps ${gaps.join(', ')}`);
});

const rateLimited = (retryAfterMs?: number) => new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
const ok = async () => undefined;
const none = () => undefined;

test('a 429 pauses new calls for its Retry-After and makes the limiter learn a rate: 85% of the answers per second', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  for (let i = 0; i < 20; i++) await limiter.run(0, ok, none); // 20 answers within the last second
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(120); }, none));
  assert.equal(limiter.slowdowns, 1);
  const learned = limiter.snapshot().requestLimit;
  assert.equal(learned?.source, 'learned');
  // 20 answers in the last second (the window counts a whole second even when the run is younger): 17 a second.
  assert.ok(learned && Math.abs(learned.perMinute - 0.85 * 20 * 60) < 0.5 * 60, `learned ${learned?.perMinute}/min`);
  const started = Date.now();
  await limiter.run(0, ok, none);
  assert.ok(Date.now() - started >= 100, 'the next call waited for the server-given pause');
});

test('a 429 without Retry-After still slows down: a pause of its own and a learned rate', async () => {
  const limiter = new ProviderLimiter({});
  for (let i = 0; i < 20; i++) await limiter.run(0, ok, none);
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(); }, none));
  assert.equal(limiter.snapshot().requestLimit?.source, 'learned');
  const started = Date.now();
  await limiter.run(0, ok, none);
  assert.ok(Date.now() - started >= 800, `the next call waited ${Date.now() - started} ms`);
});

test('429s to calls sent before a slowdown do not slow down again (one cut per round of calls)', async () => {
  const limiter = new ProviderLimiter({ concurrency: 4 });
  for (let i = 0; i < 20; i++) await limiter.run(0, ok, none); // a round old enough to judge a cut by
  let fail!: () => void;
  const gate = new Promise<void>((resolve) => (fail = resolve));
  const round = Array.from({ length: 4 }, () => limiter.run(0, async () => { await gate; throw rateLimited(10); }, none).catch(() => 'limited'));
  fail();
  assert.deepEqual(await Promise.all(round), ['limited', 'limited', 'limited', 'limited']);
  assert.equal(limiter.slowdowns, 1, 'four 429s of one round are one congestion event');
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(10); }, none));
  assert.equal(limiter.slowdowns, 1, 'a 429 to a call sent after the cut does not cut again before the cut is judged');
});

test('the server\'s headers: no room left holds the next call back until its bucket refills, at the server\'s rate', async () => {
  const limiter = new ProviderLimiter({});
  const controller = new AbortController();
  // The answer to this call says: 600 a minute (10 a second), none left.
  // Times count from when that call was sent: the server's "none left" holds as of then, and a loaded
  // machine can only make the next starts later.
  let begun = 0;
  await limiter.run(0, async () => {
    begun = Date.now();
    limiter.observe({ status: 200, requests: { limit: 600, remaining: 0 } }, controller.signal);
  }, none, { signal: controller.signal });
  assert.deepEqual(limiter.snapshot().requestLimit, { perMinute: 600, source: 'server' });
  const starts: number[] = [];
  await Promise.all(Array.from({ length: 3 }, () => limiter.run(0, async () => void starts.push(Date.now() - begun), none)));
  // One call per 100 ms once the bucket holds one (plus 50 ms of slack): about 150, 250, 350 ms.
  // The limiter dates the call from just before `begun` was read, and timers and Date.now() round
  // to whole milliseconds apart: 99 ms was seen under load. Held back at all is what this checks.
  assert.ok(starts[0] >= 90, `first start after ${starts[0]} ms`);
  assert.ok(starts[2] - starts[0] >= 150, `three starts spread over ${starts[2] - starts[0]} ms`);
});

test('the server\'s count is taken as of when its call was sent: calls sent after it are still to be counted', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  const first = new AbortController();
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const slow = limiter.run(0, async () => {
    await answered;
    limiter.observe({ status: 200, requests: { limit: 60, remaining: 3 } }, first.signal);
  }, none, { signal: first.signal });
  // Three more calls go out before the slow call's answer arrives: the server saw 3 left after the
  // slow call, and these three use them up, so the fifth call must wait for the refill (1 a second).
  for (let i = 0; i < 3; i++) await limiter.run(0, ok, none);
  answer();
  await slow;
  const started = Date.now();
  await limiter.run(0, ok, none);
  assert.ok(Date.now() - started >= 500, `the fifth call waited ${Date.now() - started} ms for the refill`);
});

test('an answer to an older call does not undo what the answer to a newer one said; a new limit takes effect at once', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  const older = new AbortController();
  const newer = new AbortController();
  let releaseOlder!: () => void;
  const olderDone = new Promise<void>((resolve) => (releaseOlder = resolve));
  const a = limiter.run(0, async () => { await olderDone; limiter.observe({ status: 200, requests: { limit: 6000, remaining: 5000 } }, older.signal); }, none, { signal: older.signal });
  await limiter.run(0, async () => limiter.observe({ status: 200, requests: { limit: 120, remaining: 0 } }, newer.signal), none, { signal: newer.signal });
  releaseOlder();
  await a;
  assert.deepEqual(limiter.snapshot().requestLimit, { perMinute: 120, source: 'server' });
  const started = Date.now();
  await limiter.run(0, ok, none);
  assert.ok(Date.now() - started >= 300, `waited ${Date.now() - started} ms: two a second, none left`);
  limiter.observe({ status: 200, requests: { limit: 60, remaining: 0 } });
  assert.deepEqual(limiter.snapshot().requestLimit, { perMinute: 60, source: 'server' });
});
/** Starts `n` calls at once, each with its own signal, held until `open()`; `each(i, signal)` runs once they are let go. */
function heldCalls(limiter: ProviderLimiter, n: number, each: (i: number, signal: AbortSignal) => void) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const done = Array.from({ length: n }, (_, i) => {
    const controller = new AbortController();
    return limiter.run(0, async () => {
      await gate;
      each(i, controller.signal);
    }, none, { signal: controller.signal }).then(() => 'answered', () => 'limited');
  });
  return { open, done: Promise.all(done) };
}

const room = { status: 200, requests: { limit: 60_000, remaining: 59_000 } };

/** One call through the limiter whose answer carries `observation` (the server's headers). */
async function answerWith(limiter: ProviderLimiter, observation: RateLimitObservation): Promise<void> {
  const call = heldCalls(limiter, 1, (_, signal) => limiter.observe(observation, signal));
  call.open();
  await call.done;
}

test('with the headers known, 429s to calls sent before them (the unannounced first burst) teach no rate: the headers govern', async () => {
  const limiter = new ProviderLimiter({ concurrency: 64 });
  // 40 calls leave before any header: the server answers 25 with its headers, then refuses 15 (429s
  // without headers: nothing but the send order tells them from a limit the headers do not show).
  const burst = heldCalls(limiter, 40, (i, signal) => {
    if (i < 25) return limiter.observe(room, signal);
    throw rateLimited(1);
  });
  burst.open();
  const outcomes = await burst.done;
  assert.equal(outcomes.filter((o) => o === 'limited').length, 15);
  assert.deepEqual(limiter.snapshot().requestLimit, { perMinute: 60_000, source: 'server' }, 'no learned rate below the server\'s');
  assert.equal(limiter.slowdowns, 0, 'not one congestion event');
});

test('429s that keep coming under the headers (3 within 5 s, a round of 20) still teach a rate, which stands when the headers show room', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  await answerWith(limiter, room);
  for (let i = 0; i < 20; i++) await limiter.run(0, ok, none);
  for (let i = 0; i < 3; i++) await assert.rejects(limiter.run(0, async () => { throw rateLimited(1); }, none));
  assert.equal(limiter.snapshot().requestLimit?.source, 'learned', 'the third miss of the mirror cut');
  await answerWith(limiter, room);
  assert.equal(limiter.snapshot().requestLimit?.source, 'learned', 'a rate learned despite the headers is not undone by them');
});

test('429s under the headers whose own headers show the limit spent are misses of the mirror: however many, they teach no rate', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  await answerWith(limiter, room);
  for (let i = 0; i < 20; i++) await limiter.run(0, ok, none);
  const misses = heldCalls(limiter, 6, (_, signal) => {
    limiter.observe({ status: 429, requests: { limit: 60_000, remaining: 0 }, retryAfterMs: 1 }, signal);
    throw rateLimited(1);
  });
  misses.open();
  assert.deepEqual(await misses.done, Array(6).fill('limited'));
  assert.deepEqual(limiter.snapshot().requestLimit, { perMinute: 60_000, source: 'server' });
  assert.equal(limiter.slowdowns, 0);
});

test('a rate learned before the headers were known gives way once they show room, not while they show none', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  for (let i = 0; i < 20; i++) await limiter.run(0, ok, none);
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(1); }, none));
  const learned = limiter.snapshot().requestLimit;
  assert.equal(learned?.source, 'learned');
  // An answer whose headers show no room: the learned rate stays (the server is at its limit).
  await answerWith(limiter, { status: 200, requests: { limit: 60_000, remaining: 0 } });
  assert.deepEqual(limiter.snapshot().requestLimit, learned);
  await answerWith(limiter, room);
  assert.deepEqual(limiter.snapshot().requestLimit, { perMinute: 60_000, source: 'server' });
});

test('calls let go together from the queue each know their own place in the send order (what the server had counted at their answer)', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  // A pause holds the next four calls in the queue; it ends and one pump lets all four go.
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(100); }, none));
  // The answer to the first of them: 60 a minute, 3 left, as the server counted at that call. The
  // three sent after it use them up: the next call must wait for the refill (one a second).
  const four = heldCalls(limiter, 4, (i, signal) => {
    if (i === 0) limiter.observe({ status: 200, requests: { limit: 60, remaining: 3 } }, signal);
  });
  await sleep(150);
  four.open();
  await four.done;
  await assertStillWaiting((signal) => limiter.run(0, ok, none, { signal }), 300, 'the next call waits for the refill');
});

/** Four calls go out in order; the answer to the last arrives first, saying `window`, while the first three are unanswered. */
async function laterAnswerFirst(window: RateLimitObservation, cost: number, check: (limiter: ProviderLimiter) => Promise<void>): Promise<void> {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  const releases: (() => void)[] = [];
  const calls = Array.from({ length: 4 }, (_, i) => {
    const controller = new AbortController();
    const answered = new Promise<void>((resolve) => releases.push(resolve));
    return limiter.run(cost, async () => {
      await answered;
      if (i === 3) limiter.observe(window, controller.signal);
    }, none, { signal: controller.signal });
  });
  await sleep(20);
  releases[3]();
  await calls[3];
  await check(limiter);
  for (const release of releases.slice(0, 3)) release();
  await Promise.all(calls);
}

test('an answer to a later call that arrives first counts the earlier calls still unanswered as unseen by the server (they may reach it after)', async () => {
  // On new connections the first three may reach the server after the fourth: the 3 requests (or
  // 300 tokens) left are theirs, and the next call must wait for the refill.
  await laterAnswerFirst({ status: 200, requests: { limit: 60, remaining: 3 } }, 0, (limiter) =>
    assertStillWaiting((signal) => limiter.run(0, ok, none, { signal }), 300, 'the next call waits: the three earlier calls may still take the 3 requests left'));
  await laterAnswerFirst({ status: 200, tokens: { limit: 6000, remaining: 300 } }, 100, (limiter) =>
    assertStillWaiting((signal) => limiter.run(100, ok, none, { signal }), 300, 'the next call waits: the three earlier calls may still take the 300 tokens left'));
});

test('tokensPerMinute makes a call wait for its estimated tokens', async () => {
  const limiter = new ProviderLimiter({ tokensPerMinute: 60_000 }); // 1,000 tokens per second
  const started = Date.now();
  await limiter.run(60_000, async () => undefined, () => 60_000); // empties the bucket
  await limiter.run(200, async () => undefined, () => 200); // needs ~200 ms of refill
  const waited = Date.now() - started;
  assert.ok(waited >= 150, `waited ${waited} ms`);
});

test('an aborted call leaves the queue at once and never runs; a running call reports when it starts', async () => {
  const limiter = new ProviderLimiter({ concurrency: 1 });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const ran: string[] = [];
  const events: string[] = [];
  const first = limiter.run(0, async () => { ran.push('a'); await gate; }, () => undefined, { onQueued: () => events.push('a queued'), onStart: () => events.push('a started') });
  const aborted = new AbortController();
  const second = limiter.run(0, async () => void ran.push('b'), () => undefined, { signal: aborted.signal, onStart: () => events.push('b started') });
  const third = limiter.run(0, async () => void ran.push('c'), () => undefined);
  aborted.abort(new Error('timed out'));
  await assert.rejects(second, /timed out/);
  assert.deepEqual(ran, ['a'], 'b left the queue while a still held the only slot');
  open();
  await Promise.all([first, third]);
  assert.deepEqual(ran, ['a', 'c'], 'b never ran');
  assert.deepEqual(events, ['a queued', 'a started']);
});

/** Runs `calls` calls through the limiter, `fails(i)` of them answered 429 (Retry-After 1 ms); returns how many were refused. */
async function drive(limiter: ProviderLimiter, calls: number, fails: (i: number) => boolean): Promise<number> {
  let next = 0;
  let refused = 0;
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      await limiter.run(0, async () => {
        await sleep(1);
        if (fails(i)) throw rateLimited(1);
      }, none).catch(() => refused++);
    }
  };
  await Promise.all(Array.from({ length: limiter.concurrency }, worker));
  return refused;
}

test('429s that do not depend on the pace (a third of calls, at any pace) leave the pace alone: the cut is undone', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  // The unthrottled pace, over a little more than the second the goodput is measured on.
  const started = Date.now();
  let answered = 0;
  while (Date.now() - started < 1200) answered += 200 - (await drive(limiter, 200, () => false));
  const pace = answered / ((Date.now() - started) / 1000);
  let k = 0;
  const refused = await drive(limiter, 1500, () => k++ % 3 === 0);
  assert.ok(refused >= 400, `${refused} refused`);
  assert.ok(limiter.slowdowns >= 1, 'the first 429 did cut, on trial');
  const limit = limiter.snapshot().requestLimit;
  assert.ok(limit === undefined || limit.perMinute / 60 >= 0.8 * pace, `learned ${limit && (limit.perMinute / 60).toFixed(0)}/s against an unthrottled pace of ${pace.toFixed(0)}/s after ${limiter.slowdowns} cuts`);
});

test('a cut after which the 429 share does not fall is followed by one more cut; no fall after that one either: both are undone', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  for (let i = 0; i < 20; i++) await limiter.run(0, ok, none);
  await assert.rejects(limiter.run(0, async () => { throw rateLimited(1); }, none));
  const first = limiter.snapshot().requestLimit;
  assert.equal(first?.source, 'learned');
  // The round sent after the cut refuses the same share (1 in 21 before, 1 in 20 now).
  const probe = async () => {
    await assert.rejects(limiter.run(0, async () => { throw rateLimited(1); }, none));
    for (let i = 0; i < 19; i++) await limiter.run(0, ok, none);
  };
  await probe();
  assert.equal(limiter.slowdowns, 2, 'no fall: cut once more');
  const second = limiter.snapshot().requestLimit;
  assert.ok(second?.source === 'learned' && second.perMinute < first!.perMinute, `the second cut: ${second?.perMinute} after ${first!.perMinute}`);
  await probe();
  assert.equal(limiter.snapshot().requestLimit, undefined, 'no fall after the second cut either: both undone');
  assert.equal(limiter.slowdowns, 2);
});

test('429s that depend on the pace (a token bucket) still teach a rate: the cut stands and 429s stop', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  // The server's bucket: 50 a second, 50 of burst.
  const perMs = 50 / 1000;
  let level = 50;
  let at = Date.now();
  const take = () => {
    const now = Date.now();
    level = Math.min(50, level + (now - at) * perMs);
    at = now;
    if (level < 1) return false;
    level--;
    return true;
  };
  const firstRefused = await drive(limiter, 150, () => !take());
  assert.ok(firstRefused >= 1, 'the burst met the limit');
  const limit = limiter.snapshot().requestLimit;
  assert.equal(limit?.source, 'learned');
  assert.ok(limit.perMinute <= 50 * 60, `learned ${limit.perMinute}/min against a limit of 3000`);
  const refused = await drive(limiter, 100, () => !take());
  assert.ok(refused <= 5, `${refused} of 100 refused once the rate was learned`);
});

// Written against survivors of `npm run mutate -- retry` (issue 19). Waits are asserted one way only
// ("has not started yet"): a loaded machine makes a call later, never earlier.

/**
 * Starts a call with its own abort signal, checks it is still waiting after `ms` (a lower bound: the
 * machine can only add delay), then aborts it so the test need not wait the wait out.
 */
async function assertStillWaiting(start: (signal: AbortSignal) => Promise<unknown>, ms: number, message: string): Promise<void> {
  const stop = new AbortController();
  const call = start(stop.signal);
  let settled = false;
  void call.then(() => (settled = true), () => (settled = true));
  await sleep(ms);
  assert.equal(settled, false, message);
  stop.abort(new Error('enough'));
  await assert.rejects(call, /enough/);
}

test('the token bucket is corrected by the usage the answer reports: a call that used more than estimated delays the next', async () => {
  // 1,000 tokens a minute. The first call is estimated at 100 tokens (256 characters / 4 + maxTokens 36)
  // but reports 1,000 used: the bucket is empty, and the next 100-token call waits ~6 s for a refill.
  const limiter = new ProviderLimiter({ tokensPerMinute: 1000 });
  const request = (signal: AbortSignal) => ({ messages: [{ role: 'user' as const, content: 'x'.repeat(256) }], maxTokens: 36, signal });
  assert.equal(estimateTokens(request(new AbortController().signal)), 100);
  const chat = limitChat({ id: 'm', call: async () => ({ text: 'ok', usage: { inputTokens: 900, outputTokens: 100 } }) }, limiter);
  await chat.call(request(new AbortController().signal));
  await assertStillWaiting((signal) => chat.call(request(signal)), 400, 'the next call waits for tokens the first one really used');
});

test('only a 429 slows the provider down: a 500 or a timeout keeps its concurrency and adds no pause', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  const serverError = new ProviderError('VAFLOW_PROVIDER_HTTP', '500', { status: 500, retryable: true, retryAfterMs: 60_000 });
  await assert.rejects(limiter.run(0, async () => { throw serverError; }, () => undefined));
  await assert.rejects(limiter.run(0, async () => { throw new Error('socket hang up'); }, () => undefined));
  assert.equal(limiter.concurrency, 8);
  assert.equal(limiter.slowdowns, 0);
  // Without a pause the call runs at once; 5 s is far above any machine's noise and far below the 60 s a pause would take.
  const next = limiter.run(0, async () => 'ran', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([next, new Promise((resolve) => (timer = setTimeout(resolve, 5000, 'paused')))]);
  clearTimeout(timer);
  assert.equal(first, 'ran');
});

test('a 429 without Retry-After pauses the provider for a second', async () => {
  const limiter = new ProviderLimiter({ concurrency: 2 });
  const limited = new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true });
  await assert.rejects(limiter.run(0, async () => { throw limited; }, () => undefined));
  await assertStillWaiting((signal) => limiter.run(0, async () => 'ran', () => undefined, { signal }), 300, 'the next call waits out the default pause');
});
