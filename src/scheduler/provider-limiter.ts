import PQueue from 'p-queue';
import type { ChatProvider, ChatRequest, ChatResponse } from '../types/providers.js';
import { ProviderError } from '../errors.js';
import { runInQueue } from './concurrency.js';
import { abortableSleep } from './abort.js';

/** What a caller learns about its call's life in the limiter. */
export interface CallHooks {
  /** The call starts waiting: for a slot, for a 429 pause, for tokens. */
  readonly onQueued?: () => void;
  /** The call itself starts now; throwing here cancels it before it reaches the provider. */
  readonly onStart?: () => void;
  /** Aborting it takes a waiting call out of the queue at once (a running call reads the request's own signal). */
  readonly signal?: AbortSignal;
}

export interface ProviderLimits {
  readonly concurrency?: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
}

/**
 * Per-provider limits shared by every model of that provider: calls in flight, requests per minute
 * (spread evenly, not in one burst per minute), tokens per minute (estimated before the call,
 * corrected after), and an adaptive slowdown: a 429 halves the concurrency and pauses new calls for
 * the server's Retry-After; every 20 clean calls give one slot back.
 */
export class ProviderLimiter {
  readonly #queue: PQueue;
  readonly #maxConcurrency: number;
  readonly #tokensPerMinute?: number;
  #tokens: number;
  #tokensAt = Date.now();
  #cleanStreak = 0;
  #pausedUntil = 0;
  /** Times a 429 made this limiter slow down; for tests and debugging, not reported anywhere. */
  slowdowns = 0;

  constructor(limits: ProviderLimits) {
    this.#maxConcurrency = limits.concurrency ?? 16;
    const rpm = limits.requestsPerMinute;
    this.#queue = rpm
      ? new PQueue({ concurrency: this.#maxConcurrency, intervalCap: 1, interval: Math.max(1, Math.floor(60_000 / rpm)) })
      : new PQueue({ concurrency: this.#maxConcurrency });
    this.#tokensPerMinute = limits.tokensPerMinute;
    this.#tokens = limits.tokensPerMinute ?? 0;
  }

  get concurrency(): number {
    return this.#queue.concurrency;
  }

  /**
   * Runs `call` once a slot, the rate and the token bucket allow. An aborted `signal` takes a waiting
   * call out of the queue at once, so it never uses a rate slot; `onStart` fires right before `call`.
   */
  async run<T>(estimatedTokens: number, call: () => Promise<T>, actualTokens: (result: T) => number | undefined, hooks: CallHooks = {}): Promise<T> {
    const { signal } = hooks;
    hooks.onQueued?.();
    return runInQueue(this.#queue, async () => {
      await this.#waitForPause(signal);
      await this.#takeTokens(estimatedTokens, signal);
      signal?.throwIfAborted();
      hooks.onStart?.();
      try {
        const result = await call();
        const actual = actualTokens(result);
        if (actual !== undefined && this.#tokensPerMinute) this.#tokens -= actual - estimatedTokens;
        this.#onSuccess();
        return result;
      } catch (error) {
        if (error instanceof ProviderError && error.status === 429) this.#onRateLimited(error.retryAfterMs);
        throw error;
      }
    }, signal);
  }

  #onSuccess(): void {
    if (this.#queue.concurrency >= this.#maxConcurrency) return;
    if (++this.#cleanStreak >= 20) {
      this.#cleanStreak = 0;
      this.#queue.concurrency = Math.min(this.#maxConcurrency, this.#queue.concurrency + 1);
    }
  }

  #onRateLimited(retryAfterMs: number | undefined): void {
    this.slowdowns++;
    this.#cleanStreak = 0;
    this.#queue.concurrency = Math.max(1, Math.floor(this.#queue.concurrency / 2));
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + (retryAfterMs ?? 1000));
  }

  async #waitForPause(signal: AbortSignal | undefined): Promise<void> {
    const wait = this.#pausedUntil - Date.now();
    if (wait > 0) await abortableSleep(wait, signal);
  }

  /** Token bucket refilled continuously at tokensPerMinute; a call larger than the bucket waits for a full one. */
  async #takeTokens(estimate: number, signal: AbortSignal | undefined): Promise<void> {
    const perMinute = this.#tokensPerMinute;
    if (!perMinute) return;
    for (;;) {
      const now = Date.now();
      this.#tokens = Math.min(perMinute, this.#tokens + ((now - this.#tokensAt) / 60_000) * perMinute);
      this.#tokensAt = now;
      const need = Math.min(estimate, perMinute);
      if (this.#tokens >= need) {
        this.#tokens -= estimate;
        return;
      }
      await abortableSleep(Math.ceil(((need - this.#tokens) / perMinute) * 60_000), signal);
    }
  }
}

/** Rough token count of the messages sent: ~4 characters per token (also `vaflow plan`'s estimate). */
export function estimateInputTokens(messages: readonly { readonly content: string }[]): number {
  const chars = messages.reduce((sum, m) => sum + m.content.length, 0);
  return Math.ceil(chars / 4);
}

/** Rough token estimate before a call: the messages plus the answer budget. */
export function estimateTokens(request: ChatRequest): number {
  return estimateInputTokens(request.messages) + (request.maxTokens ?? 64);
}

/** What limitChat needs of a limiter: this process's ProviderLimiter, or the one workers share through Redis (src/run/remote/redis-limiter.ts). */
export type CallLimiter = Pick<ProviderLimiter, 'run'>;

/** A chat provider behind a limiter: tokens estimated before the call, corrected with the usage after. */
export function limitChat(provider: ChatProvider, limiter: CallLimiter): LimitedChat {
  return {
    id: provider.id,
    call: async (request, hooks) => {
      if (!provider.admit) return limiter.run(estimateTokens(request), () => provider.call(request), tokensOf, { ...hooks, signal: request.signal });
      hooks?.onQueued?.();
      const release = await provider.admit(request);
      try {
        return await limiter.run(estimateTokens(request), () => provider.call(request), tokensOf, { ...hooks, signal: request.signal });
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
