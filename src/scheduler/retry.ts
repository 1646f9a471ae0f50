import { InterruptedError, ProviderError, TimeoutError } from '../errors.js';
import { AbortFanout, abortableSleep, raceAbort } from './abort.js';

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

/** What withRetries asks before each retry; the Redis executor's workers share one through Redis (src/run/remote/retry-budget.ts). */
export interface RetryAllowance {
  take(): boolean | Promise<boolean>;
}

/** A task-wide allowance of retries, so a dead endpoint does not cost retries × items attempts. */
export class RetryBudget implements RetryAllowance {
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
  readonly budget: RetryAllowance;
  /** The per-call timeout: it counts while the attempt's timer runs (see AttemptTimer). */
  readonly timeoutMs: number;
  /** Run-level abort (the grace period after an interrupt is over): cancels the call in flight. */
  readonly signal: AbortSignal;
  /** Run-level stop (the first interrupt): no attempt starts and nothing is retried once it is aborted. */
  readonly stop?: AbortSignal;
  /**
   * How long a call past its deadline may still deliver an answer that is arriving before it is
   * aborted (see AttemptTimer). @default a quarter of timeoutMs, at most 1000
   */
  readonly lateAnswerMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
}

/**
 * The per-call timeout of one attempt. It runs from the attempt's start, and whoever makes the attempt
 * wait (a concurrency or rate slot, an identical call in flight) pauses it and starts it again when
 * the call really starts: the timeout measures the call, never the wait for a slot.
 *
 * At the deadline the call is not cut at once: an answer may be arriving (a server answering 1 ms
 * late has done, and billed, the work), so the call gets `lateMs` more before it is aborted. An
 * answer within that window is used; after it the attempt fails with a TimeoutError.
 */
export class AttemptTimer {
  readonly #ms: number;
  readonly #lateMs: number;
  readonly #onTimeout: () => void;
  #deadline: NodeJS.Timeout | undefined;
  #late: NodeJS.Timeout | undefined;
  #fired = false;

  constructor(options: { readonly ms: number; readonly lateMs: number; readonly onTimeout: () => void }) {
    this.#ms = options.ms;
    this.#lateMs = options.lateMs;
    this.#onTimeout = options.onTimeout;
  }

  /** (Re)starts the full countdown: a call is running from now on. */
  start(): void {
    if (this.#fired) return;
    this.pause();
    this.#deadline = setTimeout(() => {
      this.#late = setTimeout(() => {
        this.#fired = true;
        this.#onTimeout();
      }, this.#lateMs);
    }, this.#ms);
  }

  /** Stops the countdown while the attempt waits for something that is not its call. */
  pause(): void {
    clearTimeout(this.#deadline);
    clearTimeout(this.#late);
    this.#deadline = this.#late = undefined;
  }

  /** True once the call was aborted for taking longer than the timeout (and the late window). */
  get fired(): boolean {
    return this.#fired;
  }
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


/**
 * Runs `call` with a per-attempt timeout, retrying retryable failures per the policy and budget.
 * `call` gets the attempt's signal (aborted by the timeout or the run), its number and its timer.
 */
export async function withRetries<T>(
  call: (signal: AbortSignal, attempt: number, timer: AttemptTimer) => Promise<T>,
  options: AttemptOptions,
): Promise<AttemptOutcome<T>> {
  const sleep = options.sleep ?? abortableSleep;
  const lateMs = options.lateAnswerMs ?? Math.min(Math.ceil(options.timeoutMs / 4), 1000);
  for (let attempt = 1; ; attempt++) {
    if (options.stop?.aborted) throw new AttemptsExhausted(new InterruptedError('interrupted: the call was not started'), attempt - 1);
    // One controller per attempt, aborted by the timer or by the run; cheaper than AbortSignal.any on Node 20.
    const attemptAbort = new AbortController();
    const timer = new AttemptTimer({ ms: options.timeoutMs, lateMs, onTimeout: () => attemptAbort.abort(new TimeoutError(options.timeoutMs)) });
    const runAborts = AbortFanout.of(options.signal);
    runAborts.add(attemptAbort);
    const signal = attemptAbort.signal;
    timer.start();
    try {
      const value = await raceAbort(call(signal, attempt, timer), signal);
      return { value, attempts: attempt };
    } catch (error) {
      const cause = timer.fired && !options.signal.aborted ? new TimeoutError(options.timeoutMs) : error;
      if (options.signal.aborted || options.stop?.aborted || !isRetryable(cause) || attempt > options.policy.retries || !(await options.budget.take())) {
        throw new AttemptsExhausted(cause, attempt);
      }
      const delayMs = retryDelayMs(attempt, options.policy, cause.retryAfterMs);
      options.onRetry?.({ attempt, delayMs, error: cause });
      await sleep(delayMs, options.stop ?? options.signal);
    } finally {
      timer.pause();
      runAborts.delete(attemptAbort);
    }
  }
}
