import { ProviderError, TimeoutError } from '../errors.js';

/** The one retry layer's policy. LangChain's own retries are off (maxRetries: 0), so layers never multiply. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Delay before retry number `attempt` (1-based): the server's Retry-After when it gave one (capped at
 * maxDelayMs × 4, since servers sometimes ask for minutes), else exponential backoff with full jitter
 * (uniform in [0, min(max, base·2^(attempt−1))]) so that many clients hitting one limit spread out.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, serverRetryAfterMs?: number, random: () => number = Math.random): number {
  if (serverRetryAfterMs !== undefined && serverRetryAfterMs >= 0) return Math.min(serverRetryAfterMs, policy.maxDelayMs * 4);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Only failures marked retryable are retried; an item's own bad data never is. Checked by shape, not
 * by class identity, so a local kind bundling its own copy of vaflow's errors is still understood.
 */
export function isRetryable(error: unknown): error is ProviderError {
  return error instanceof Error && (error as Partial<ProviderError>).retryable === true;
}

/** A task-wide allowance of retries, so a dead endpoint does not cost retries × items attempts. */
export class RetryBudget {
  #left: number;
  constructor(total: number) {
    this.#left = total;
  }
  get left(): number {
    return this.#left;
  }
  take(): boolean {
    if (this.#left <= 0) return false;
    this.#left--;
    return true;
  }
}

export interface AttemptOptions {
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget;
  readonly timeoutMs: number;
  /** Run-level abort (interruption); a per-attempt timeout is layered on it. */
  readonly signal: AbortSignal;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
}

export interface AttemptOutcome<T> {
  readonly value: T;
  readonly attempts: number;
}

/** Error that remembers how many attempts were made, for the item error record. */
export class AttemptsExhausted extends Error {
  constructor(override readonly cause: unknown, readonly attempts: number) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `call` with a per-attempt timeout, retrying retryable failures per the policy and budget. */
export async function withRetries<T>(call: (signal: AbortSignal, attempt: number) => Promise<T>, options: AttemptOptions): Promise<AttemptOutcome<T>> {
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    // One controller per attempt, aborted by the timer or by the run; cheaper than AbortSignal.any on Node 20.
    const attemptAbort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptAbort.abort(new TimeoutError(options.timeoutMs));
    }, options.timeoutMs);
    const onRunAbort = () => attemptAbort.abort(options.signal.reason);
    if (options.signal.aborted) onRunAbort();
    else options.signal.addEventListener('abort', onRunAbort, { once: true });
    const signal = attemptAbort.signal;
    try {
      const value = await raceAbort(call(signal, attempt), signal);
      return { value, attempts: attempt };
    } catch (error) {
      const cause = timedOut && !options.signal.aborted ? new TimeoutError(options.timeoutMs) : error;
      if (options.signal.aborted || !isRetryable(cause) || attempt > options.policy.retries || !options.budget.take()) {
        throw new AttemptsExhausted(cause, attempt);
      }
      const delayMs = retryDelayMs(attempt, options.policy, cause.retryAfterMs);
      options.onRetry?.({ attempt, delayMs, error: cause });
      await sleep(delayMs, options.signal);
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onRunAbort);
    }
  }
}

/** A call that ignores its signal must not hold the item past its timeout. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
