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
  const bad = new ProviderError('HTTP_400', 'bad', { status: 400, retryable: false });
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
