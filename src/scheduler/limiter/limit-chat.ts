import type { ChatProvider, ChatRequest, ChatResponse } from '../../types/providers.js';
import type { CallHooks, ProviderLimiter } from '../provider-limiter.js';

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
