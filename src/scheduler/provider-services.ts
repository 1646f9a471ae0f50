import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { ChatProvider, ProviderServices, ResolvedEmbedder, ResolvedModel } from '../types/providers.js';
import type { Defaults } from '../types/generated/pipeline.js';
import type { CacheStore } from '../cache/store.js';
import { FileDigests } from '../cache/file-digest.js';
import type { ProviderRate } from '../types/rate-limits.js';
import { ProviderLimiter, limitChat, type CallLimiter, type LimitedChat, type ProviderLimits } from './provider-limiter.js';

export interface ProviderServicesOptions {
  /** `defaults.limits` of the pipeline: provider name → limits. */
  readonly limits?: Defaults['limits'];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly specDir: string;
  /** Where embedders keep derived files (the word-vector binary cache). */
  readonly vectorCacheDir: string;
  /** Remembers file digests across runs (null: only within this run). */
  readonly cache: CacheStore | null;
  /** Limiters shared beyond this process (a worker of the Redis executor); default: one ProviderLimiter per provider here. */
  readonly limiterFor?: (provider: string, limits: ProviderLimits) => CallLimiter;
}

export type { ProviderRate } from '../types/rate-limits.js';

/** What the engine uses beyond the kinds' ProviderServices (task-context.ts puts the caches in front for kinds). */
export interface EngineProviders extends Omit<ProviderServices, 'embedder' | 'renderCharts' | 'computeCached'> {
  limitedChat(model: ResolvedModel): Promise<LimitedChat>;
  /**
   * The embedder of an `embedders:` entry, created once per run with the environment the CLI read
   * (API keys) and the run's folder for derived files (word-vector binary caches).
   */
  loadEmbedder(entry: ResolvedEmbedder): Promise<EmbeddingsInterface>;
  /** The model entry with its source resolved (base URL, file digests), once per model id and run. */
  resolveModel(model: ResolvedModel): Promise<ResolvedModel>;
  resolveEmbedder(entry: ResolvedEmbedder): Promise<ResolvedEmbedder>;
  /** Each provider's request rate and the limit it keeps to, now (this process's limiters; not those shared through Redis). */
  rates(): ProviderRate[];
}

/**
 * Lazily creates each chat model once per run (LangChain and friends load only on the first cache
 * miss), behind one limiter per provider name shared by all its models.
 */
export function createProviderServices(options: ProviderServicesOptions): EngineProviders {
  const limiters = new Map<string, ProviderLimiter>();
  const modelsOf = new Map<string, Set<string>>();
  const chats = new Map<string, Promise<LimitedChat>>();
  const sharedObjects = new Map<string, Promise<unknown>>();
  const digests = new FileDigests(options.cache);
  const sourceContext = { env: options.env, specDir: options.specDir, digests };

  const shared = <T>(key: string, create: () => Promise<T>): Promise<T> => {
    let pending = sharedObjects.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = create();
      pending.catch(() => sharedObjects.delete(key));
      sharedObjects.set(key, pending);
    }
    return pending;
  };

  const limiterFor = (provider: string): CallLimiter => {
    if (options.limiterFor) return options.limiterFor(provider, options.limits?.[provider] ?? {});
    let limiter = limiters.get(provider);
    if (!limiter) {
      limiter = new ProviderLimiter(options.limits?.[provider] ?? {});
      limiters.set(provider, limiter);
    }
    return limiter;
  };

  const limitedChat = (model: ResolvedModel): Promise<LimitedChat> => {
    let pending = chats.get(model.id);
    if (!pending) {
      const limiter = limiterFor(model.provider);
      modelsOf.set(model.provider, (modelsOf.get(model.provider) ?? new Set()).add(model.id));
      pending = import('../providers/chat/registry.js')
        .then(({ createChatProvider }) => createChatProvider(model, {
          env: options.env,
          specDir: options.specDir,
          onRateLimit: (observation, signal) => limiter.observe?.(observation, signal),
        }))
        .then((provider) => limitChat(provider, limiter, { maxTokens: model.maxTokens }));
      // A failed creation (missing key) must not poison later attempts with a stale rejection.
      pending.catch(() => chats.delete(model.id));
      chats.set(model.id, pending);
    }
    return pending;
  };

  return {
    chat: async (model: ResolvedModel): Promise<ChatProvider> => {
      const limited = await limitedChat(model);
      return { id: limited.id, call: (request) => limited.call(request) };
    },
    limitedChat,
    shared,
    fileDigest: (file) => digests.digest(file),
    loadEmbedder(entry: ResolvedEmbedder): Promise<EmbeddingsInterface> {
      return shared(`embedder:${entry.id}`, async () => {
        const { createEmbedder } = await import('../providers/embedders/registry.js');
        return createEmbedder(entry, { specDir: options.specDir, env: options.env, cacheDir: options.vectorCacheDir });
      });
    },
    resolveModel: (model) =>
      shared(`source:model:${model.id}`, async () => ({ ...model, resolved: await (await import('../providers/identity.js')).modelSource(model, sourceContext) })),
    resolveEmbedder: (entry) =>
      shared(`source:embedder:${entry.id}`, async () => ({ ...entry, resolved: await (await import('../providers/identity.js')).embedderSource(entry, sourceContext) })),
    rates: () => [...limiters].map(([provider, limiter]) => ({ provider, models: [...(modelsOf.get(provider) ?? [])], snapshot: limiter.snapshot() })),
  };
}

