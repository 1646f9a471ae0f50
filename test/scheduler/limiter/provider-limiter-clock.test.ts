import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONCURRENCY, ProviderLimiter, pacingBurst } from '../../../src/scheduler/provider-limiter.js';
import { ProviderError } from '../../../src/errors.js';

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
