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
