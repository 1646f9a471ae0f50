import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderLimiter, estimateTokens, limitChat } from '../../src/scheduler/provider-limiter.js';
import { ProviderError } from '../../src/errors.js';

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

test('a 429 halves the concurrency and pauses for Retry-After; clean calls give slots back', async () => {
  const limiter = new ProviderLimiter({ concurrency: 8 });
  const limited = new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true, retryAfterMs: 120 });
  await assert.rejects(limiter.run(0, async () => { throw limited; }, () => undefined));
  assert.equal(limiter.concurrency, 4);
  assert.equal(limiter.slowdowns, 1);
  const started = Date.now();
  await limiter.run(0, async () => undefined, () => undefined);
  assert.ok(Date.now() - started >= 100, 'the next call waited for the server-given pause');
  for (let i = 0; i < 20; i++) await limiter.run(0, async () => undefined, () => undefined);
  assert.equal(limiter.concurrency, 5, 'twenty clean calls give one slot back');
});

test('tokensPerMinute makes a call wait for its estimated tokens', async () => {
  const limiter = new ProviderLimiter({ tokensPerMinute: 60_000 }); // 1,000 tokens per second
  const started = Date.now();
  await limiter.run(60_000, async () => undefined, () => 60_000); // empties the bucket
  await limiter.run(200, async () => undefined, () => 200); // needs ~200 ms of refill
  const waited = Date.now() - started;
  assert.ok(waited >= 150, `waited ${waited} ms`);
});

test('limitChat estimates tokens from the messages and passes answers through', async () => {
  const request = { messages: [{ role: 'user' as const, content: 'x'.repeat(400) }], maxTokens: 20, signal: new AbortController().signal };
  assert.equal(estimateTokens(request), 120);
  const chat = limitChat({ id: 'm', call: async () => ({ text: 'happiness', usage: { inputTokens: 100, outputTokens: 1 } }) }, new ProviderLimiter({}));
  assert.deepEqual(await chat.call(request), { text: 'happiness', usage: { inputTokens: 100, outputTokens: 1 } });
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

test('after a 429, exactly twenty clean calls in a row give one slot back, and a 429 between them starts the count again', async () => {
  const limiter = new ProviderLimiter({ concurrency: 4 });
  const limited = new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true, retryAfterMs: 0 });
  await assert.rejects(limiter.run(0, async () => { throw limited; }, () => undefined));
  assert.equal(limiter.concurrency, 2);
  for (let i = 0; i < 19; i++) await limiter.run(0, async () => undefined, () => undefined);
  assert.equal(limiter.concurrency, 2, 'nineteen are not enough');
  await limiter.run(0, async () => undefined, () => undefined);
  assert.equal(limiter.concurrency, 3, 'the twentieth gives a slot back');
  for (let i = 0; i < 10; i++) await limiter.run(0, async () => undefined, () => undefined);
  await assert.rejects(limiter.run(0, async () => { throw limited; }, () => undefined));
  assert.equal(limiter.concurrency, 1);
  for (let i = 0; i < 19; i++) await limiter.run(0, async () => undefined, () => undefined);
  assert.equal(limiter.concurrency, 1, 'the streak started again at the 429');
});

test('limitChat with a provider that admits calls itself (llama.cpp\'s one context): admitted and released around each call, hooks and signal passed on', async () => {
  const log: string[] = [];
  const provider = {
    id: 'local',
    admit: async () => {
      log.push('admit');
      return () => log.push('release');
    },
    call: async () => {
      log.push('call');
      return { text: 'ok' };
    },
  };
  const chat = limitChat(provider, new ProviderLimiter({}));
  const request = { messages: [{ role: 'user' as const, content: 'hi' }], signal: new AbortController().signal };
  assert.deepEqual(await chat.call(request), { text: 'ok' }, 'without hooks');
  await chat.call(request, { onQueued: () => log.push('queued'), onStart: () => log.push('started') });
  // Queued before the admission and again in the limiter's queue: both pause the attempt's timer.
  assert.deepEqual(log, ['admit', 'call', 'release', 'queued', 'admit', 'queued', 'started', 'call', 'release']);
  const aborted = new AbortController();
  aborted.abort(new Error('cancelled'));
  log.length = 0;
  await assert.rejects(chat.call({ ...request, signal: aborted.signal }), /cancelled/);
  assert.deepEqual(log, ['admit', 'release'], 'an aborted request never calls, and its admission is released');
});
