import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs, withRetries, RetryBudget, AttemptsExhausted } from '../../src/scheduler/retry.js';
import { ProviderError, TimeoutError } from '../../src/errors.js';

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const rateLimited = (ms?: number) => new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true, retryAfterMs: ms });

test('full jitter stays within the exponential ceiling; Retry-After wins', () => {
  assert.equal(retryDelayMs(1, policy, undefined, () => 0.999), 99);
  assert.equal(retryDelayMs(3, policy, undefined, () => 0.5), 200);
  assert.equal(retryDelayMs(10, policy, undefined, () => 0.999), 999);
  assert.equal(retryDelayMs(1, policy, undefined, () => 0), 0);
  assert.equal(retryDelayMs(2, policy, 2500), 2500);
  assert.equal(retryDelayMs(2, policy, 60_000), 4000, 'capped at 4 × maxDelayMs');
});

test('retries retryable failures, sleeping the server-given delay, then succeeds', async () => {
  const slept: number[] = [];
  let calls = 0;
  const outcome = await withRetries(async () => {
    calls++;
    if (calls < 3) throw rateLimited(250);
    return 'ok';
  }, { policy, budget: new RetryBudget(10), timeoutMs: 1000, signal: new AbortController().signal, sleep: async (ms) => void slept.push(ms) });
  assert.deepEqual(outcome, { value: 'ok', attempts: 3 });
  assert.deepEqual(slept, [250, 250]);
});

test('a non-retryable failure is not retried; an exhausted policy or budget reports its attempts', async () => {
  const bad = new ProviderError('VAFLOW_PROVIDER_HTTP', 'bad', { status: 400, retryable: false });
  await assert.rejects(withRetries(async () => { throw bad; }, { policy, budget: new RetryBudget(10), timeoutMs: 100, signal: new AbortController().signal }),
    (e: unknown) => e instanceof AttemptsExhausted && e.attempts === 1 && e.cause === bad);
  await assert.rejects(withRetries(async () => { throw rateLimited(0); }, { policy, budget: new RetryBudget(10), timeoutMs: 100, signal: new AbortController().signal, sleep: async () => {} }),
    (e: unknown) => e instanceof AttemptsExhausted && e.attempts === 4);
  const budget = new RetryBudget(1);
  await assert.rejects(withRetries(async () => { throw rateLimited(0); }, { policy, budget, timeoutMs: 100, signal: new AbortController().signal, sleep: async () => {} }),
    (e: unknown) => e instanceof AttemptsExhausted && e.attempts === 2);
  assert.equal(budget.left, 0);
});

test('a call that ignores its signal still times out, as a retryable TimeoutError', async () => {
  let calls = 0;
  await assert.rejects(
    withRetries(() => { calls++; return new Promise(() => {}); }, { policy: { ...policy, retries: 1 }, budget: new RetryBudget(5), timeoutMs: 30, signal: new AbortController().signal, sleep: async () => {} }),
    (e: unknown) => e instanceof AttemptsExhausted && e.cause instanceof TimeoutError && e.attempts === 2,
  );
  assert.equal(calls, 2);
});

test('a non-retryable failure leaves the task\'s retry budget untouched; a Retry-After of 0 means now', async () => {
  const budget = new RetryBudget(3);
  const bad = new ProviderError('VAFLOW_PROVIDER_HTTP', 'bad', { status: 400, retryable: false });
  for (let i = 0; i < 5; i++) await assert.rejects(withRetries(async () => { throw bad; }, { policy, budget, timeoutMs: 100, signal: new AbortController().signal }));
  assert.equal(budget.left, 3);
  assert.equal(retryDelayMs(1, policy, 0, () => 0.999), 0, 'the server said retry now: no back-off of our own');
  const slept: number[] = [];
  let calls = 0;
  await withRetries(async () => { if (++calls === 1) throw rateLimited(0); return 'ok'; }, { policy, budget, timeoutMs: 100, signal: new AbortController().signal, sleep: async (ms) => void slept.push(ms) });
  assert.deepEqual(slept, [0]);
});

test('the timeout counts only while the attempt\'s timer runs: a long wait for a slot is not call time', async () => {
  const outcome = await withRetries(async (signal, _attempt, timer) => {
    timer.pause();
    await new Promise((r) => setTimeout(r, 120)); // waiting for a slot: four timeouts long
    timer.start();
    await new Promise((r) => setTimeout(r, 10));
    signal.throwIfAborted();
    return 'answered';
  }, { policy: { ...policy, retries: 0 }, budget: new RetryBudget(0), timeoutMs: 30, signal: new AbortController().signal });
  assert.deepEqual(outcome, { value: 'answered', attempts: 1 });
});

test('an answer that arrives just after the deadline is used, not thrown away and bought again', async () => {
  let calls = 0;
  const outcome = await withRetries(() => {
    calls++;
    // Answered 4 ms after the 40 ms deadline: inside the late window (a quarter of the timeout).
    return new Promise<string>((resolve) => setTimeout(() => resolve('late answer'), 44));
  }, { policy, budget: new RetryBudget(5), timeoutMs: 40, signal: new AbortController().signal, sleep: async () => {} });
  assert.deepEqual(outcome, { value: 'late answer', attempts: 1 });
  assert.equal(calls, 1);
});

test('after the stop signal no attempt starts: neither the first nor a retry waiting out its back-off', async () => {
  const stopped = new AbortController();
  stopped.abort('SIGINT');
  let calls = 0;
  await assert.rejects(withRetries(async () => { calls++; return 'x'; }, { policy, budget: new RetryBudget(5), timeoutMs: 100, signal: new AbortController().signal, stop: stopped.signal }));
  assert.equal(calls, 0);
  const stop = new AbortController();
  const pending = withRetries(async () => { calls++; throw rateLimited(5_000); }, { policy, budget: new RetryBudget(5), timeoutMs: 100, signal: new AbortController().signal, stop: stop.signal });
  await new Promise((r) => setTimeout(r, 20));
  stop.abort('SIGINT');
  await assert.rejects(pending);
  assert.equal(calls, 1, 'the back-off ended at the signal and the retry never started');
});

test('a negative Retry-After (a date already past, from a local kind) falls back to the engine\'s backoff', () => {
  const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(retryDelayMs(1, policy, -5, () => 0.5), 50);
  assert.equal(retryDelayMs(2, policy, -1, () => 0.5), 100);
  assert.equal(retryDelayMs(1, policy, 0, () => 0.5), 0, 'zero is a wait the server asked for');
});

test('the run\'s abort ends every attempt in flight with its reason; an attempt that already ended is not touched; one started after it ends at once', { timeout: 20_000 }, async () => {
  const run = new AbortController();
  const seen: unknown[] = [];
  // A call that only ends when its attempt signal aborts, and says what it saw.
  const hang = (signal: AbortSignal) => new Promise<string>((_, reject) => signal.addEventListener('abort', () => { seen.push(signal.reason); reject(signal.reason); }, { once: true }));
  const options = { policy, budget: new RetryBudget(5), timeoutMs: 60_000, signal: run.signal };
  let finishedSignal: AbortSignal | undefined;
  assert.deepEqual(await withRetries(async (signal) => { finishedSignal = signal; return 'done'; }, options), { value: 'done', attempts: 1 });
  const inFlight = [withRetries(hang, options), withRetries(hang, options), withRetries(hang, options)];
  run.abort('grace period over');
  const outcomes = await Promise.allSettled(inFlight);
  assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
  assert.deepEqual(seen, ['grace period over', 'grace period over', 'grace period over']);
  assert.equal(finishedSignal!.aborted, false, 'a finished attempt was let go');
  let started = false;
  await assert.rejects(withRetries(async (signal) => { started = true; signal.throwIfAborted(); return 'x'; }, options));
  assert.ok(started);
});
