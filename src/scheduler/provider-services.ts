import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { ChatProvider, ProviderServices, ResolvedEmbedder, ResolvedModel } from '../types/providers.js';
import type { Defaults } from '../types/generated/pipeline.js';
import { ProviderLimiter, limitChat } from './provider-limiter.js';

export interface ProviderServicesOptions {
  /** `defaults.limits` of the pipeline: provider name → limits. */
  readonly limits?: Defaults['limits'];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly specDir: string;
  /** Where embedders keep derived files (the word-vector binary cache). */
  readonly vectorCacheDir: string;
}

/**
 * Lazily creates each chat model once per run (LangChain and friends load only on the first cache
 * miss), behind one limiter per provider name shared by all its models.
 */
export function createProviderServices(options: ProviderServicesOptions): ProviderServices & { limiters(): ReadonlyMap<string, ProviderLimiter> } {
  const limiters = new Map<string, ProviderLimiter>();
  const chats = new Map<string, Promise<ChatProvider>>();
  const sharedObjects = new Map<string, Promise<unknown>>();

  const shared = <T>(key: string, create: () => Promise<T>): Promise<T> => {
    let pending = sharedObjects.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = create();
      pending.catch(() => sharedObjects.delete(key));
      sharedObjects.set(key, pending);
    }
    return pending;
  };

  const limiterFor = (provider: string) => {
    let limiter = limiters.get(provider);
    if (!limiter) {
      limiter = new ProviderLimiter(options.limits?.[provider] ?? {});
      limiters.set(provider, limiter);
    }
    return limiter;
  };

  return {
    chat(model: ResolvedModel): Promise<ChatProvider> {
      let pending = chats.get(model.id);
      if (!pending) {
        pending = import('../providers/chat/registry.js')
          .then(({ createChatProvider }) => createChatProvider(model, { env: options.env, specDir: options.specDir }))
          .then((provider) => limitChat(provider, limiterFor(model.provider)));
        // A failed creation (missing key) must not poison later attempts with a stale rejection.
        pending.catch(() => chats.delete(model.id));
        chats.set(model.id, pending);
      }
      return pending;
    },
    shared,
    embedder(entry: ResolvedEmbedder): Promise<EmbeddingsInterface> {
      return shared(`embedder:${entry.id}`, async () => {
        const { createEmbedder } = await import('../providers/embedders/registry.js');
        return createEmbedder(entry, { specDir: options.specDir, env: options.env, cacheDir: options.vectorCacheDir });
      });
    },
    limiters: () => limiters,
  };
}
