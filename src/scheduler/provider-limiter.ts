import type { ChatProvider, ChatRequest, ChatResponse } from '../types/providers.js';
import type { RateLimitObservation, RateLimitWindow } from '../providers/chat/rate-limit-headers.js';
import type { LimitSource, LimiterSnapshot } from '../types/rate-limits.js';
import { ProviderError } from '../errors.js';
import { RateBucket, RateWindow } from './rate-bucket.js';

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

export type { LimitSource, LimiterSnapshot } from '../types/rate-limits.js';

const DEFAULT_CONCURRENCY = 16;
/** A paced bucket holds this many ms of its rate, so timer granularity does not cap a fast rate. */
const PACING_BURST_MS = 50;
/**
 * The mirror of a server's bucket keeps this many ms of the rate in hand: the server counts a call
 * when it arrives, a little after the limiter let it go, and rounds `remaining` down.
 */
const MIRROR_SLACK_MS = 50;
/** Multiplicative decrease: the learned rate after a congestion event, as a share of the goodput. */
const BACKOFF = 0.85;
/** Additive increase: the learned rate grows by this share per second while it is what limits. */
const GROWTH_PER_SECOND = 0.02;
/**
 * The learned rate never falls below this share of the best goodput seen. A real limit
 * lowered tenfold or more is then reached only through the Retry-After pauses.
 */
const MIN_SHARE_OF_BEST_GOODPUT = 0.1;
/** Pause after a 429 that names no Retry-After. */
const DEFAULT_PAUSE_MS = 1000;
/** 429s within this window despite the server's headers make the limiter learn a rate of its own too. */
const STRAY_429_WINDOW_MS = 5000;
const STRAY_429_COUNT = 3;
/**
 * A cut is judged once the round of calls sent after it has this many results (answers and 429s);
 * a round with fewer results cannot cause one (its share and goodput say too little).
 */
const PROBE_RESULTS = 20;
/** The cut worked when the 429 share fell to at most this share of the share that caused it. */
const CUT_WORKED = 0.5;
/**
 * A share that fell below this share of the one before, but not to half: the pace is still above a
 * limit (the goodput a cut is taken from lags a second behind a lowered limit), cut again.
 */
const CUT_HELPED = 0.8;
/**
 * The 429 share rose clearly: at least this many times the reference share and at least
 * `CLEAR_RISE_POINTS` above it (a round of 20 results at a share of 1/4 swings by ±0.1).
 */
const CLEAR_RISE = 2;
const CLEAR_RISE_POINTS = 0.1;

interface CallRecord {
  readonly startedAt: number;
  /** Requests and tokens sent up to and including this call: what the server had counted at its answer. */
  readonly requestsSent: number;
  readonly tokensSent: number;
  /** The round of calls it was sent in (see `#round`). */
  readonly round: number;
}

/** Results of the calls sent in one round. */
interface RoundCount {
  answers: number;
  limited: number;
}

/** A cut on trial: the round whose 429s caused it, the round that judges it, the rate before the first unproven cut. */
interface Trial {
  readonly cause: number;
  readonly probe: number;
  /** The learned rate (per minute) before the first cut not yet proven; undefined: there was none. */
  readonly rateBefore: number | undefined;
}

interface Waiter {
  readonly cost: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Per-provider limits shared by every model of that provider: calls in flight, and the request and
 * token rates, from three sources, the strictest winning:
 *
 * - **configured** (`defaults.limits`): requestsPerMinute spread evenly, tokensPerMinute as a bucket
 *   of a minute's tokens (estimated before the call, corrected after);
 * - **the server's headers** (`x-ratelimit-{limit,remaining}-{requests,tokens}`, reported by the
 *   provider per call): a mirror of the server's bucket. Its level is re-set from each answer's
 *   `remaining`, counted from when that call was sent, minus what was sent after it; it refills at
 *   the limit per minute. So the limiter sends while the server has room, then at the server's rate,
 *   and follows a limit the server changes at once;
 * - **learned** from 429s (a server without such headers): a congestion event sets the rate to 85%
 *   of the goodput (answers per second) and then raises it by 2% a second while it is what limits
 *   (AIMD; one cut per round of calls: 429s to calls sent before the cut do not cut again; never
 *   below a tenth of the best goodput seen).
 *
 * A cut must prove itself, since a server may refuse a share of requests whatever the pace (a 429
 * that is no rate limit). A round is the calls sent between two verdicts; each counts its answers and
 * 429s. A round cuts only once it has 20 results. After a cut, once the round sent after it has 20 results, its 429 share is compared with the
 * share of the round that caused the cut: a pace-driven limit (a token bucket) refuses clearly less
 * once the pace falls below it. Share fell to half or less: the cut stands and the rate grows again.
 * Share fell, but less (below 80% of it), or rose clearly (twice and 10 points above, a lowered
 * limit): the pace is still too high, cut again (on trial again). Otherwise the 429s do not depend on the pace: every unproven cut is undone (back to the
 * rate before them, or no learned rate) and learning stops, its 429 share kept as the baseline, until
 * a round of 20 results refuses clearly more than that baseline (then it cuts, on trial, again). A
 * server that refuses nearly everything therefore ends up paced by its Retry-After pauses alone.
 *
 * Every 429 also pauses new calls for the server's Retry-After (1 s when it names none). Calls start
 * in the order they arrive.
 */
export class ProviderLimiter {
  readonly #concurrency: number;
  readonly #configuredRequests?: RateBucket;
  readonly #configuredTokens?: RateBucket;
  readonly #tokensPerMinute?: number;
  #serverRequests?: RateBucket;
  #serverTokens?: RateBucket;
  #learned?: RateBucket;
  /** The largest `remaining` seen + 1: the server's bucket size as far as it has shown it. */
  #seenCapacity = { requests: 0, tokens: 0 };
  /** The call (by send order) whose answer last set the mirror: answers to earlier calls say less. */
  #syncedSeq = { requests: -1, tokens: -1 };
  #pausedUntil = 0;
  #inFlight = 0;
  #inFlightTokens = 0;
  #sent = { requests: 0, tokens: 0 };
  readonly #queue: Waiter[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #calls = new Map<AbortSignal, CallRecord>();
  readonly #starts: RateWindow;
  readonly #answers: RateWindow;
  /** Calls sent (by count) when the learned rate was last cut: 429s to these are news of the past round. */
  #cutAtSent = -1;
  #lastGrowthAt = 0;
  #recent429: number[] = [];
  /** The round calls are sent in now; a verdict on a cut (or a watch window while learning is off) starts the next. */
  #round = 0;
  readonly #rounds = new Map<number, RoundCount>();
  #trial: Trial | undefined;
  /** Learning is off: the 429 share that did not depend on the pace. */
  #paceIndependentShare: number | undefined;
  /** The highest goodput seen (answers per ms over a second), the reference of the learned rate's floor. */
  #bestGoodput = 0;
  /** Congestion events: 429s that made this limiter slow down (reported in the progress display). */
  slowdowns = 0;

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
  }

  get concurrency(): number {
    return this.#concurrency;
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
    if (this.#queue.length - this.#head > 0 || this.#delay(cost, Date.now()) > 0) await this.#enqueue(cost, signal);
    else this.#admit(cost, Date.now());
    const record: CallRecord = { startedAt: Date.now(), requestsSent: this.#sent.requests, tokensSent: this.#sent.tokens, round: this.#round };
    if (signal) this.#calls.set(signal, record);
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
      this.#inFlight--;
      this.#inFlightTokens -= cost;
      this.#pump();
    }
  }

  /** What a response's headers said about the limits; `signal` names the call it answered. */
  observe(observation: RateLimitObservation, signal?: AbortSignal): void {
    const now = Date.now();
    const call = signal ? this.#calls.get(signal) : undefined;
    if (observation.requests) this.#serverRequests = this.#mirror('requests', this.#serverRequests, observation.requests, call, now);
    if (observation.tokens) this.#serverTokens = this.#mirror('tokens', this.#serverTokens, observation.tokens, call, now);
    if (observation.retryAfterMs !== undefined && observation.status === 429) this.#pausedUntil = Math.max(this.#pausedUntil, now + observation.retryAfterMs);
    this.#pump();
  }

  snapshot(now: number = Date.now()): LimiterSnapshot {
    const candidates: { perMinute: number; source: LimitSource }[] = [];
    if (this.#configuredRequests) candidates.push({ perMinute: this.#configuredRequests.perMinute, source: 'configured' });
    if (this.#serverRequests) candidates.push({ perMinute: this.#serverRequests.perMinute, source: 'server' });
    if (this.#learned) candidates.push({ perMinute: this.#learned.perMinute, source: 'learned' });
    const requestLimit = candidates.sort((a, b) => a.perMinute - b.perMinute)[0];
    const tokenCandidates: { perMinute: number; source: 'configured' | 'server' }[] = [];
    if (this.#tokensPerMinute) tokenCandidates.push({ perMinute: this.#tokensPerMinute, source: 'configured' });
    if (this.#serverTokens) tokenCandidates.push({ perMinute: this.#serverTokens.perMinute, source: 'server' });
    const tokenLimit = tokenCandidates.sort((a, b) => a.perMinute - b.perMinute)[0];
    return {
      requestsPerSecond: this.#starts.perMs(now, 5000) * 1000,
      ...(requestLimit ? { requestLimit } : {}),
      ...(tokenLimit ? { tokenLimit } : {}),
      inFlight: this.#inFlight,
      waiting: this.#queue.length - this.#head,
      slowdowns: this.slowdowns,
    };
  }

  /** How long before a call of `cost` tokens may start (Infinity: it waits for a slot). */
  #delay(cost: number, now: number): number {
    if (this.#inFlight >= this.#concurrency) return Infinity;
    let wait = this.#pausedUntil - now;
    for (const bucket of [this.#configuredRequests, this.#serverRequests, this.#learned]) {
      if (bucket) wait = Math.max(wait, bucket.waitMs(1, now));
    }
    for (const bucket of [this.#configuredTokens, this.#serverTokens]) {
      if (bucket && cost > 0) wait = Math.max(wait, bucket.waitMs(cost, now));
    }
    return wait;
  }

  #admit(cost: number, now: number): void {
    this.#inFlight++;
    this.#inFlightTokens += cost;
    this.#sent.requests++;
    this.#sent.tokens += cost;
    this.#configuredRequests?.take(1, now);
    this.#serverRequests?.take(1, now);
    this.#learned?.take(1, now);
    this.#configuredTokens?.take(cost, now);
    this.#serverTokens?.take(cost, now);
    this.#starts.add(now);
  }

  #enqueue(cost: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { cost, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#queue.indexOf(waiter, this.#head);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal.reason);
          this.#pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** Starts waiting calls, in order, while the slots and the rates allow; else sleeps until they will. */
  #pump(): void {
    while (this.#queue.length - this.#head > 0) {
      const now = Date.now();
      const waiter = this.#queue[this.#head]!;
      const wait = this.#delay(waiter.cost, now);
      if (wait === Infinity) return; // a finishing call pumps again
      if (wait > 0) {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, wait);
        return;
      }
      this.#queue[this.#head++] = undefined as unknown as Waiter;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      this.#admit(waiter.cost, now);
      waiter.resolve();
    }
  }

  #mirror(dimension: 'requests' | 'tokens', bucket: RateBucket | undefined, window: RateLimitWindow, call: CallRecord | undefined, now: number): RateBucket {
    // The server counted this call when it arrived; what was sent after it, it had not counted yet.
    // An answer the limiter cannot place is taken as of now, with every other call in flight uncounted.
    // The answer to an older call says less than one to a newer call already read: it is passed over.
    const sentAt = call?.startedAt ?? now;
    const seq = call?.requestsSent ?? this.#sent.requests;
    if (bucket && seq < this.#syncedSeq[dimension]) return bucket;
    this.#syncedSeq[dimension] = seq;
    // A changed limit is a new bucket, whose size is learnt again.
    const seen = bucket && bucket.perMinute !== window.limit ? 0 : this.#seenCapacity[dimension];
    this.#seenCapacity[dimension] = Math.min(window.limit, Math.max(seen, window.remaining + 1));
    const capacity = this.#seenCapacity[dimension];
    if (!bucket) bucket = new RateBucket(window.limit, capacity, now, { slackMs: MIRROR_SLACK_MS });
    else if (bucket.perMinute !== window.limit || bucket.capacity !== capacity) bucket.resize(window.limit, capacity, now);
    const others = Math.max(0, this.#inFlight - 1);
    const sentSince = call
      ? this.#sent[dimension] - (dimension === 'requests' ? call.requestsSent : call.tokensSent)
      : dimension === 'requests' ? others : this.#inFlight > 0 ? (this.#inFlightTokens * others) / this.#inFlight : 0;
    const refilled = Math.min(capacity, window.remaining + ((now - sentAt) * window.limit) / 60_000);
    bucket.sync(refilled - sentSince, now);
    return bucket;
  }

  #onAnswer(record: CallRecord): void {
    const now = Date.now();
    this.#answers.add(now);
    this.#bestGoodput = Math.max(this.#bestGoodput, this.#answers.perMs(now, 1000));
    this.#count(record.round).answers++;
    this.#judge(now);
    const learned = this.#learned;
    if (!learned || this.#trial || record.requestsSent <= this.#cutAtSent) return;
    // Additive increase, only while the learned rate is what holds the calls back.
    const elapsed = now - this.#lastGrowthAt;
    if (elapsed < 250) return;
    this.#lastGrowthAt = now;
    const perMs = learned.perMinute / 60_000;
    if (this.#starts.perMs(now, 1000) < 0.8 * perMs) return;
    const next = perMs * (1 + (GROWTH_PER_SECOND * elapsed) / 1000);
    learned.resize(next * 60_000, Math.max(1, next * PACING_BURST_MS), now);
  }

  #onRateLimited(retryAfterMs: number | undefined, record: CallRecord): void {
    const now = Date.now();
    this.#recent429 = this.#recent429.filter((t) => now - t < STRAY_429_WINDOW_MS);
    this.#recent429.push(now);
    if (retryAfterMs !== undefined) this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    this.#count(record.round).limited++;
    const defaultPause = () => {
      if (retryAfterMs === undefined) this.#pausedUntil = Math.max(this.#pausedUntil, now + DEFAULT_PAUSE_MS);
    };
    if (this.#judge(now)) return defaultPause();
    // A 429 to a call sent before the last cut is news of the past round: no second cut for it.
    // Nor while a cut is on trial (its round judges it), nor while learning is off.
    if (record.requestsSent <= this.#cutAtSent || this.#trial || this.#paceIndependentShare !== undefined) return;
    defaultPause();
    // A round too young to give a share (and a goodput) to judge the cut by: the pause alone.
    if (this.#share(record.round).results < PROBE_RESULTS) return;
    // With the server's headers the mirror already knows the rate, unless 429s keep coming anyway.
    if (this.#serverRequests && this.#recent429.length < STRAY_429_COUNT) {
      this.slowdowns++;
      this.#cutAtSent = this.#sent.requests;
      return;
    }
    this.#cut(record.round, now, this.#learned?.perMinute);
  }

  #count(round: number): RoundCount {
    let count = this.#rounds.get(round);
    if (!count) this.#rounds.set(round, (count = { answers: 0, limited: 0 }));
    return count;
  }

  #share(round: number): { results: number; share: number } {
    const count = this.#rounds.get(round);
    const results = count ? count.answers + count.limited : 0;
    return { results, share: results > 0 ? count!.limited / results : 0 };
  }

  /** Starts the next round; counts of rounds no verdict reads any more are dropped. */
  #nextRound(keep: number): void {
    this.#round++;
    for (const round of this.#rounds.keys()) if (round < keep) this.#rounds.delete(round);
  }

  /**
   * The verdict on a cut on trial, or, while learning is off, whether the 429 share rose clearly
   * above its pace-independent baseline. True when it cut.
   */
  #judge(now: number): boolean {
    if (this.#trial) {
      const { cause, probe, rateBefore } = this.#trial;
      const after = this.#share(probe);
      if (after.results < PROBE_RESULTS) return false;
      const before = this.#share(cause);
      this.#trial = undefined;
      this.#cutAtSent = this.#sent.requests;
      if (after.share <= CUT_WORKED * before.share) {
        this.#lastGrowthAt = now;
        this.#nextRound(this.#round + 1);
        return false;
      }
      const rose = after.share >= CLEAR_RISE * before.share && after.share - before.share >= CLEAR_RISE_POINTS;
      if (rose || after.share < CUT_HELPED * before.share) {
        this.#cut(probe, now, rateBefore);
        return true;
      }
      // The share did not follow the pace: undo every unproven cut, learn no more for now.
      if (rateBefore === undefined) this.#learned = undefined;
      else this.#learned?.resize(rateBefore, Math.max(1, (rateBefore / 60_000) * PACING_BURST_MS), now);
      const both = { limited: (this.#rounds.get(cause)?.limited ?? 0) + (this.#rounds.get(probe)?.limited ?? 0), results: before.results + after.results };
      this.#paceIndependentShare = both.limited / both.results;
      this.#nextRound(this.#round + 1);
      return false;
    }
    const baseline = this.#paceIndependentShare;
    if (baseline === undefined) return false;
    const watch = this.#share(this.#round);
    if (watch.results < PROBE_RESULTS) return false;
    if (watch.share >= CLEAR_RISE * baseline && watch.share - baseline >= CLEAR_RISE_POINTS) {
      this.#paceIndependentShare = undefined;
      this.#cut(this.#round, now, this.#learned?.perMinute);
      return true;
    }
    this.#nextRound(this.#round + 1);
    return false;
  }

  /** Multiplicative decrease, on trial: `cause` is the round whose 429s made it. */
  #cut(cause: number, now: number, rateBefore: number | undefined): void {
    this.slowdowns++;
    this.#cutAtSent = this.#sent.requests;
    this.#lastGrowthAt = now;
    this.#nextRound(cause);
    this.#trial = { cause, probe: this.#round, rateBefore };
    const sending = this.#learned ? this.#learned.perMinute / 60_000 : this.#starts.perMs(now, 1000);
    const goodput = this.#answers.perMs(now, 1000);
    const perMs = BACKOFF * (goodput > 0 ? Math.min(sending, goodput) : sending);
    // A last guard: a chain of cuts on trial never takes the rate below a tenth of the best goodput.
    const floor = Math.max(1 / 60_000, this.#bestGoodput * MIN_SHARE_OF_BEST_GOODPUT);
    const rate = Math.max(floor, perMs);
    if (this.#learned) this.#learned.resize(rate * 60_000, Math.max(1, rate * PACING_BURST_MS), now);
    else this.#learned = pacedBucket(rate * 60_000, now);
    this.#learned.sync(Math.min(0, this.#learned.level(now)), now);
  }
}

/** A bucket that spreads calls evenly at `perMinute` (a few ms of burst, for the timer's granularity). */
function pacedBucket(perMinute: number, now: number): RateBucket {
  return new RateBucket(perMinute, Math.max(1, (perMinute / 60_000) * PACING_BURST_MS), now);
}

/** Rough token count of the messages sent: ~4 characters per token (also `vaflow plan`'s estimate). */
export function estimateInputTokens(messages: readonly { readonly content: string }[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4);
}

/** Rough token estimate before a call: the messages plus the answer budget. */
export function estimateTokens(request: ChatRequest, defaultMaxTokens = 64): number {
  return estimateInputTokens(request.messages) + (request.maxTokens ?? defaultMaxTokens);
}

/** What limitChat needs of a limiter: this process's ProviderLimiter, or the one workers share through Redis (src/run/remote/redis-limiter.ts). */
export type CallLimiter = Pick<ProviderLimiter, 'run'> & { readonly observe?: ProviderLimiter['observe'] };

/**
 * A chat provider behind a limiter: tokens estimated before the call (with the model's own answer
 * budget when it has one), corrected with the usage after.
 */
export function limitChat(provider: ChatProvider, limiter: CallLimiter, options: { readonly maxTokens?: number } = {}): LimitedChat {
  const estimate = (request: ChatRequest) => estimateTokens(request, options.maxTokens);
  return {
    id: provider.id,
    call: async (request, hooks) => {
      if (!provider.admit) return limiter.run(estimate(request), () => provider.call(request), tokensOf, { ...hooks, signal: request.signal });
      hooks?.onQueued?.();
      const release = await provider.admit(request);
      try {
        return await limiter.run(estimate(request), () => provider.call(request), tokensOf, { ...hooks, signal: request.signal });
      } finally {
        release();
      }
    },
  };
}

const tokensOf = (r: ChatResponse): number | undefined => (r.usage ? r.usage.inputTokens + r.usage.outputTokens : undefined);

/** A chat model behind its provider's limiter; `hooks` tell the caller when its call really starts. */
export interface LimitedChat {
  readonly id: string;
  call(request: ChatRequest, hooks?: Omit<CallHooks, 'signal'>): Promise<ChatResponse>;
}
