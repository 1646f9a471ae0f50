import type { RateLimitObservation } from '../providers/chat/rate-limit-headers.js';
import type { LimitSource, LimiterSnapshot } from '../types/rate-limits.js';
import { ProviderError } from '../errors.js';
import { RateBucket, RateWindow } from './rate-bucket.js';
import { CallQueue } from './limiter/call-queue.js';
import { HeaderMirror, type MirroredCall } from './limiter/header-mirror.js';
import { headersShowRoom, learnFrom429, learnFromAnswer, newLearnedRate, type LearnedRateState, type Pace, type SentCall } from './limiter/learned-rate.js';

export { estimateInputTokens, estimateTokens, limitChat, type CallLimiter, type LimitedChat } from './limiter/limit-chat.js';
export type { LimitSource, LimiterSnapshot } from '../types/rate-limits.js';

/** What a caller learns about its call's life in the limiter. */
export interface CallHooks {
  /** The call starts waiting: for a slot, for a 429 pause, for the rate. */
  readonly onQueued?: () => void;
  /** The call itself starts now; throwing here cancels it before it reaches the provider. */
  readonly onStart?: () => void;
  /**
   * Aborting it takes a waiting call out of the queue at once (a running call reads the request's own
   * signal). It also names the call when the provider reports what its response said about the limits.
   */
  readonly signal?: AbortSignal;
}

export interface ProviderLimits {
  readonly concurrency?: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
}

export const DEFAULT_CONCURRENCY = 16;
/** A paced bucket holds this many ms of its rate, so timer granularity does not cap a fast rate. */
const PACING_BURST_MS = 50;
/** Pause after a 429 that names no Retry-After. */
export const DEFAULT_PAUSE_MS = 1000;

/** A call in the limiter: where it was sent; `spentAt429`: its 429's headers showed nothing left. */
type CallRecord = MirroredCall & SentCall & { spentAt429?: boolean };

/**
 * Per-provider limits shared by every model of that provider: calls in flight, and the request and
 * token rates, from three sources, the strictest winning:
 *
 * - **configured** (`defaults.limits`): requestsPerMinute spread evenly, tokensPerMinute as a bucket
 *   of a minute's tokens (estimated before the call, corrected after);
 * - **the server's headers**, reported by the provider per call: a mirror of the server's buckets
 *   (limiter/header-mirror.ts). When the server publishes them, they govern;
 * - **learned** from 429s (AIMD, every cut on trial; limiter/learned-rate.ts).
 *
 * Every 429 also pauses new calls for the server's Retry-After (1 s when it names none). Calls start
 * in the order they arrive (limiter/call-queue.ts).
 */
export class ProviderLimiter {
  readonly #concurrency: number;
  readonly #configuredRequests?: RateBucket;
  readonly #configuredTokens?: RateBucket;
  readonly #tokensPerMinute?: number;
  readonly #mirror = new HeaderMirror();
  readonly #learnedState: LearnedRateState;
  #learned?: RateBucket;
  #pausedUntil = 0;
  #inFlight = 0;
  #inFlightTokens = 0;
  readonly #sent = { requests: 0, tokens: 0 };
  readonly #queue: CallQueue<CallRecord>;
  readonly #calls = new Map<AbortSignal, CallRecord>();
  /** Every call in flight, named by a signal or not (the mirror places answers among them). */
  readonly #open = new Set<CallRecord>();
  readonly #starts: RateWindow;
  readonly #answers: RateWindow;

  constructor(limits: ProviderLimits) {
    const now = Date.now();
    this.#concurrency = limits.concurrency ?? DEFAULT_CONCURRENCY;
    if (limits.requestsPerMinute) this.#configuredRequests = pacedBucket(limits.requestsPerMinute, now);
    if (limits.tokensPerMinute) {
      this.#tokensPerMinute = limits.tokensPerMinute;
      this.#configuredTokens = new RateBucket(limits.tokensPerMinute, limits.tokensPerMinute, now);
    }
    this.#starts = new RateWindow(now);
    this.#answers = new RateWindow(now);
    this.#learnedState = newLearnedRate(now);
    this.#queue = new CallQueue({ delay: (cost, at) => this.#delay(cost, at), admit: (cost, at) => this.#admit(cost, at) });
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /** Congestion events: 429s that made this limiter slow down (reported in the progress display). */
  get slowdowns(): number {
    return this.#learnedState.slowdowns;
  }

  /**
   * Runs `call` once a slot, the pause and the rates allow. An aborted `signal` takes a waiting
   * call out of the queue at once, so it never uses a slot or a rate slot; `onStart` fires right before `call`.
   */
  async run<T>(estimatedTokens: number, call: () => Promise<T>, actualTokens: (result: T) => number | undefined, hooks: CallHooks = {}): Promise<T> {
    const { signal } = hooks;
    hooks.onQueued?.();
    signal?.throwIfAborted();
    const cost = Math.max(0, estimatedTokens);
    const entered = this.#queue.enter(cost, signal);
    const record = entered instanceof Promise ? await entered : entered;
    if (signal) this.#calls.set(signal, record);
    this.#open.add(record);
    try {
      hooks.onStart?.();
      const result = await call();
      const actual = actualTokens(result);
      if (actual !== undefined) this.#configuredTokens?.adjust(cost - actual);
      this.#onAnswer(record);
      return result;
    } catch (error) {
      if (error instanceof ProviderError && error.status === 429) this.#onRateLimited(error.retryAfterMs, record);
      throw error;
    } finally {
      if (signal) this.#calls.delete(signal);
      this.#open.delete(record);
      this.#inFlight--;
      this.#inFlightTokens -= cost;
      this.#queue.pump();
    }
  }

  /** What a response's headers said about the limits; `signal` names the call it answered. */
  observe(observation: RateLimitObservation, signal?: AbortSignal): void {
    const now = Date.now();
    const call = signal ? this.#calls.get(signal) : undefined;
    const flight = { sent: this.#sent, inFlight: this.#inFlight, inFlightTokens: this.#inFlightTokens, open: this.#open };
    if (observation.requests) this.#mirror.sync('requests', observation.requests, call, flight, now);
    if (observation.tokens) this.#mirror.sync('tokens', observation.tokens, call, flight, now);
    if (observation.retryAfterMs !== undefined && observation.status === 429) this.#pausedUntil = Math.max(this.#pausedUntil, now + observation.retryAfterMs);
    const windows = [observation.requests, observation.tokens].filter((w) => w !== undefined);
    if (call && observation.status === 429) call.spentAt429 = windows.some((w) => w.remaining < 1);
    // Room by the server's own count: a rate learned without its headers gives way to them.
    if (call && observation.status < 400 && windows.length > 0 && windows.every((w) => w.remaining >= 1)) {
      const serverPerMinute = this.#mirror.requests?.perMinute ?? Infinity;
      if (headersShowRoom(this.#learnedState, call, serverPerMinute)) this.#applyLearned(false, now);
    }
    this.#queue.pump();
  }

  snapshot(now: number = Date.now()): LimiterSnapshot {
    const candidates: { perMinute: number; source: LimitSource }[] = [];
    if (this.#configuredRequests) candidates.push({ perMinute: this.#configuredRequests.perMinute, source: 'configured' });
    if (this.#mirror.requests) candidates.push({ perMinute: this.#mirror.requests.perMinute, source: 'server' });
    if (this.#learned) candidates.push({ perMinute: this.#learned.perMinute, source: 'learned' });
    const requestLimit = candidates.sort((a, b) => a.perMinute - b.perMinute)[0];
    const tokenCandidates: { perMinute: number; source: 'configured' | 'server' }[] = [];
    if (this.#tokensPerMinute) tokenCandidates.push({ perMinute: this.#tokensPerMinute, source: 'configured' });
    if (this.#mirror.tokens) tokenCandidates.push({ perMinute: this.#mirror.tokens.perMinute, source: 'server' });
    const tokenLimit = tokenCandidates.sort((a, b) => a.perMinute - b.perMinute)[0];
    return {
      requestsPerSecond: this.#starts.perMs(now, 5000) * 1000,
      ...(requestLimit ? { requestLimit } : {}),
      ...(tokenLimit ? { tokenLimit } : {}),
      inFlight: this.#inFlight,
      waiting: this.#queue.waiting,
      slowdowns: this.slowdowns,
    };
  }

  /** How long before a call of `cost` tokens may start (Infinity: it waits for a slot). */
  #delay(cost: number, now: number): number {
    if (this.#inFlight >= this.#concurrency) return Infinity;
    let wait = Math.max(this.#pausedUntil - now, this.#mirror.waitMs(cost, now));
    if (this.#configuredRequests) wait = Math.max(wait, this.#configuredRequests.waitMs(1, now));
    if (this.#learned) wait = Math.max(wait, this.#learned.waitMs(1, now));
    if (this.#configuredTokens && cost > 0) wait = Math.max(wait, this.#configuredTokens.waitMs(cost, now));
    return wait;
  }

  /** Takes a slot and the rates' share of one call; what the call was sent after, for the mirror and the rules. */
  #admit(cost: number, now: number): CallRecord {
    this.#inFlight++;
    this.#inFlightTokens += cost;
    this.#sent.requests++;
    this.#sent.tokens += cost;
    this.#configuredRequests?.take(1, now);
    this.#learned?.take(1, now);
    this.#configuredTokens?.take(cost, now);
    this.#mirror.take(cost, now);
    this.#starts.add(now);
    return { startedAt: now, requestsSent: this.#sent.requests, tokensSent: this.#sent.tokens, cost, round: this.#learnedState.round, underMirror: this.#mirror.known };
  }

  #pace(now: number): Pace {
    return { now, goodput: this.#answers.perMs(now, 1000), sending: this.#starts.perMs(now, 1000), sent: this.#sent.requests };
  }

  #onAnswer(record: CallRecord): void {
    const now = Date.now();
    this.#answers.add(now);
    this.#applyLearned(learnFromAnswer(this.#learnedState, record, this.#pace(now)), now);
  }

  #onRateLimited(retryAfterMs: number | undefined, record: CallRecord): void {
    const now = Date.now();
    if (retryAfterMs !== undefined) this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    const { pause, cut } = learnFrom429(this.#learnedState, record, this.#pace(now), { known: this.#mirror.known, showSpent: record.spentAt429 === true });
    if (pause && retryAfterMs === undefined) this.#pausedUntil = Math.max(this.#pausedUntil, now + DEFAULT_PAUSE_MS);
    this.#applyLearned(cut, now);
  }

  /** Keeps the learned bucket at the learned rate; after a cut the next call waits a whole interval. */
  #applyLearned(cut: boolean, now: number): void {
    const perMinute = this.#learnedState.perMinute;
    if (perMinute === undefined) {
      this.#learned = undefined;
      return;
    }
    if (!this.#learned) this.#learned = pacedBucket(perMinute, now);
    else if (this.#learned.perMinute !== perMinute) this.#learned.resize(perMinute, pacingBurst(perMinute), now);
    if (cut) this.#learned.sync(Math.min(0, this.#learned.level(now)), now);
  }
}

/** The burst of a paced bucket: a few ms of its rate, at least one call. */
export function pacingBurst(perMinute: number): number {
  return Math.max(1, (perMinute / 60_000) * PACING_BURST_MS);
}

/** A bucket that spreads calls evenly at `perMinute` (a few ms of burst, for the timer's granularity). */
function pacedBucket(perMinute: number, now: number): RateBucket {
  return new RateBucket(perMinute, pacingBurst(perMinute), now);
}
