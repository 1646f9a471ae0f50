import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs, withRetries, RetryBudget, AttemptsExhausted, AttemptTimer, DEFAULT_RETRY_POLICY } from '../../src/scheduler/retry.js';
import { InterruptedError, ProviderError, TimeoutError } from '../../src/errors.js';

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

// Written against survivors of `npm run mutate -- retry-core` (issue 19). Times run on node's mock
// timers: a test steps the clock and lets promises settle between steps, so no assertion depends on
// how busy the machine is.

/** Lets every promise that can settle settle (setImmediate is not mocked). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Steps the mocked clock `ms` forward in `step` ms steps, letting promises settle after each (a mocked
 * tick runs a timer set inside another timer's callback from the end of the tick).
 */
async function advance(timers: { tick(ms: number): void }, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    timers.tick(step);
    await settle();
  }
}

test('the attempt timer fires once, a full countdown plus the late window after its last start; pausing stops it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  // Mocked ticks run a timer set inside another timer's callback from the end of the tick: 1 ms steps.
  const tick = (ms: number) => { for (let i = 0; i < ms; i++) t.mock.timers.tick(1); };
  let fired = 0;
  const timer = new AttemptTimer({ ms: 100, lateMs: 30, onTimeout: () => fired++ });
  timer.start();
  tick(90);
  timer.pause(); // waiting for a slot: the countdown stops
  tick(1000);
  assert.equal(fired, 0, 'a paused timer does not fire');
  timer.start(); // the call starts: a whole countdown again
  tick(129);
  assert.equal(fired, 0, 'not before timeout + late window');
  assert.equal(timer.fired, false);
  tick(1);
  assert.equal(fired, 1);
  assert.equal(timer.fired, true);
  timer.start(); // a late chat hook of the timed-out attempt
  tick(1000);
  assert.equal(fired, 1, 'a fired timer does not start again');
  assert.equal(timer.fired, true);
});

/** withRetries over one attempt whose call answers after `answerMs` (mocked time); resolves to the answer or the failure's name. */
function answeredAfter(answerMs: number, timeoutMs: number, lateAnswerMs?: number): Promise<string> {
  return withRetries(() => new Promise<string>((resolve) => setTimeout(resolve, answerMs, 'answer')), {
    policy: { ...policy, retries: 0 }, budget: new RetryBudget(0), timeoutMs, signal: new AbortController().signal, ...(lateAnswerMs === undefined ? {} : { lateAnswerMs }),
  }).then((outcome) => outcome.value, (error: AttemptsExhausted) => (error.cause as Error).name);
}

test('the late window is a quarter of the timeout by default, at most a second; lateAnswerMs sets it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const cases = [
    { answerMs: 490, timeoutMs: 400, expected: 'answer' }, // inside 400 + 100
    { answerMs: 520, timeoutMs: 400, expected: 'TimeoutError' }, // past 400 + 100
    { answerMs: 8900, timeoutMs: 8000, expected: 'answer' }, // inside 8000 + 1000
    { answerMs: 9500, timeoutMs: 8000, expected: 'TimeoutError' }, // a quarter would be 2000: capped at 1000
    { answerMs: 520, timeoutMs: 400, lateAnswerMs: 200, expected: 'answer' },
    { answerMs: 410, timeoutMs: 400, lateAnswerMs: 0, expected: 'TimeoutError' },
  ];
  for (const c of cases) {
    const outcome = answeredAfter(c.answerMs, c.timeoutMs, c.lateAnswerMs);
    await advance(t.mock.timers, c.answerMs + 100);
    assert.equal(await outcome, c.expected, JSON.stringify(c));
  }
});

test('onRetry is told each retry\'s number, delay and cause', async () => {
  const seen: { attempt: number; delayMs: number; error: unknown }[] = [];
  const errors = [rateLimited(250), rateLimited(0)];
  let calls = 0;
  const outcome = await withRetries(async () => {
    if (calls < errors.length) throw errors[calls++];
    return 'ok';
  }, { policy, budget: new RetryBudget(10), timeoutMs: 1000, signal: new AbortController().signal, sleep: async () => {}, onRetry: (info) => void seen.push(info) });
  assert.deepEqual(outcome, { value: 'ok', attempts: 3 });
  assert.deepEqual(seen, [{ attempt: 1, delayMs: 250, error: errors[0] }, { attempt: 2, delayMs: 0, error: errors[1] }]);
});

test('the default policy: four retries, with back-off under 0.5, 1, 2 and 4 s', async () => {
  const slept: number[] = [];
  await assert.rejects(withRetries(async () => { throw new ProviderError('VAFLOW_PROVIDER_HTTP', '503', { status: 503, retryable: true }); }, {
    policy: DEFAULT_RETRY_POLICY, budget: new RetryBudget(100), timeoutMs: 1000, signal: new AbortController().signal, sleep: async (ms) => void slept.push(ms),
  }), (e: unknown) => e instanceof AttemptsExhausted && e.attempts === 5);
  assert.equal(slept.length, 4);
  slept.forEach((ms, i) => assert.ok(Number.isInteger(ms) && ms >= 0 && ms < 500 * 2 ** i, `retry ${i + 1} slept ${ms} ms`));
});

test('once stopped, nothing starts: the error says so and counts only the attempts made', async () => {
  const stopped = new AbortController();
  stopped.abort('SIGINT');
  const options = { policy, budget: new RetryBudget(5), timeoutMs: 100, signal: new AbortController().signal, stop: stopped.signal };
  await assert.rejects(withRetries(async () => 'x', options), (e: unknown) =>
    e instanceof AttemptsExhausted && e.attempts === 0 && e.cause instanceof InterruptedError && e.message === 'interrupted: the call was not started');
  // Stopped during the back-off: one attempt made, the retry never started.
  const stop = new AbortController();
  await assert.rejects(withRetries(async () => { throw rateLimited(5); }, { ...options, stop: stop.signal, sleep: async () => stop.abort('SIGINT') }),
    (e: unknown) => e instanceof AttemptsExhausted && e.attempts === 1 && e.cause instanceof InterruptedError);
});

test('a retryable failure after the stop (or the run\'s abort) is not retried: its own error, no budget spent, no retry reported', async () => {
  for (const which of ['stop', 'abort'] as const) {
    const stop = new AbortController();
    const run = new AbortController();
    const budget = new RetryBudget(5);
    const failure = rateLimited(0);
    const retries: unknown[] = [];
    const ended = withRetries(async () => {
      (which === 'stop' ? stop : run).abort(failure); // the reason a run's abort gives is retryable here, too
      throw failure;
    }, { policy, budget, timeoutMs: 1000, signal: run.signal, stop: stop.signal, sleep: async () => {}, onRetry: (info) => void retries.push(info) });
    await assert.rejects(ended, (e: unknown) => e instanceof AttemptsExhausted && e.attempts === 1 && e.cause === failure, which);
    assert.equal(budget.left, 5, which);
    assert.deepEqual(retries, [], which);
  }
});

test('the back-off listens to the stop signal when there is one, else to the run\'s signal', async () => {
  const run = new AbortController();
  const stop = new AbortController();
  const heard: AbortSignal[] = [];
  const options = { policy, budget: new RetryBudget(5), timeoutMs: 1000, signal: run.signal, sleep: async (_ms: number, signal: AbortSignal) => void heard.push(signal) };
  let calls = 0;
  const flaky = async () => { if (calls++ % 2 === 0) throw rateLimited(0); return 'ok'; };
  await withRetries(flaky, { ...options, stop: stop.signal });
  await withRetries(flaky, options);
  assert.equal(heard.length, 2);
  assert.equal(heard[0], stop.signal);
  assert.equal(heard[1], run.signal);
});
