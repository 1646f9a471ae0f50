import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { CacheStore } from '../cache/store.js';
import type { TextEmbedding } from '../types/embeddings.js';
import type { CachedEmbedder, EmbedResult, ResolvedEmbedder } from '../types/providers.js';
import { cacheSides, type CacheMode } from './task-runtime.js';
import { embedderIdentity, embeddingCacheKey } from '../cache/key.js';
import { compareText } from '../stats/stable-order.js';
import { isVaflowEmbeddings } from '../types/embeddings.js';
import { bytesToVector, isFiniteVector, norm, vectorToBytes } from '../providers/embedders/vector-math.js';

export interface EmbedCachedOptions {
  /** A vaflow embedder or any LangChain `Embeddings`; loaded only when some text is not cached. */
  readonly embedder: () => Promise<EmbeddingsInterface>;
  /** `embedderIdentity(entry)`: the cache key's embedder part. */
  readonly identity: unknown;
  readonly cache: CacheStore | null;
  /** `--refresh` embeds every text again (and stores it); a plan or `--no-cache` stores nothing. */
  readonly mode: CacheMode;
  readonly batchSize: number;
  readonly signal: AbortSignal;
  /** Cache entry origin, for humans (`embedder:<id>`). */
  readonly origin: string;
}

/**
 * The embedder kinds get from `ctx.providers.embedder(entry)`: the run's cache in front of the
 * engine's shared embedder (`load`, called only when some text is not cached), keyed by the entry's
 * identity (`embedderIdentity`: type, model, file digests) and each text. Kinds never see the cache.
 */
export function cachedEmbedder(entry: ResolvedEmbedder, options: { load: () => Promise<EmbeddingsInterface>; cache: CacheStore | null; mode: CacheMode }): CachedEmbedder {
  return {
    id: entry.id,
    embed: (texts, signal) =>
      embedCached(texts, { embedder: options.load, identity: embedderIdentity(entry), cache: options.cache, mode: options.mode, batchSize: entry.batchSize ?? 32, signal, origin: `embedder:${entry.id}` }),
  };
}

/**
 * Embeds each distinct text once per embedder identity, reading and writing the run's cache:
 * vectors as Float32 bytes under `embeddingCacheKey(identity, text)`, the OOV rate (word vectors)
 * as JSON under a sibling key. Texts without a vector (empty, no known words) are not cached:
 * they are cheap to find again and there is no vector to store.
 */
export async function embedCached(texts: Iterable<string>, options: EmbedCachedOptions): Promise<EmbedResult> {
  // Sorted, so batches hold the same texts whatever order the records came in: an embedder's
  // padding to the longest text of a batch must not make a vector depend on record order.
  const distinct = [...new Set(texts)].sort(compareText);
  const embeddings = new Map<string, TextEmbedding>();
  const vectorKey = (text: string) => embeddingCacheKey(options.identity, text);
  const statsKey = (text: string) => embeddingCacheKey({ stats: options.identity }, text);
  const misses: string[] = [];
  const { reading, writing } = cacheSides(options.cache, options.mode);
  if (reading) {
    const vectors = reading.getMany(distinct.map(vectorKey));
    const stats = reading.getMany(distinct.map(statsKey));
    for (const text of distinct) {
      const bytes = vectors.get(vectorKey(text));
      const vector = bytes instanceof Uint8Array ? bytesToVector(bytes) : null;
      if (!vector) {
        misses.push(text);
        continue;
      }
      const stat = stats.get(statsKey(text));
      const oovRate = typeof stat === 'object' && stat !== null && typeof (stat as { oovRate?: unknown }).oovRate === 'number' ? (stat as { oovRate: number }).oovRate : undefined;
      embeddings.set(text, oovRate === undefined ? { vector } : { vector, oovRate });
    }
  } else {
    misses.push(...distinct);
  }
  const embedder = misses.length > 0 ? await options.embedder() : undefined;
  for (let start = 0; embedder && start < misses.length; start += options.batchSize) {
    options.signal.throwIfAborted();
    const batch = misses.slice(start, start + options.batchSize);
    const results = await embedTexts(embedder, batch);
    batch.forEach((text, i) => {
      const result = results[i];
      embeddings.set(text, result);
      if (!writing || !result.vector) return;
      writing.putBytes(vectorKey(text), vectorToBytes(result.vector), { namespace: 'embedding', origin: options.origin });
      if (typeof result.oovRate === 'number') writing.put(statsKey(text), { oovRate: result.oovRate }, { namespace: 'embedding', origin: options.origin });
    });
  }
  return { embeddings, embedded: misses.length, cached: distinct.length - misses.length };
}

/**
 * One call for a batch, whatever the embedder: vaflow embedders report per-text problems
 * themselves; for any other LangChain `Embeddings`, empty texts are not sent and a zero or
 * non-finite vector becomes "no vector" with a reason.
 */
export async function embedTexts(embedder: EmbeddingsInterface, texts: readonly string[]): Promise<TextEmbedding[]> {
  if (isVaflowEmbeddings(embedder)) return embedder.embedWithStats(texts);
  const results: TextEmbedding[] = texts.map(() => ({ vector: null, reason: 'empty text' }));
  const present = texts.flatMap((text, i) => (text.trim().length > 0 ? [i] : []));
  if (present.length === 0) return results;
  const vectors = await embedder.embedDocuments(present.map((i) => texts[i]));
  present.forEach((textIndex, j) => {
    const values = vectors[j];
    const vector = Array.isArray(values) ? Float32Array.from(values) : null;
    if (!vector || vector.length === 0 || !isFiniteVector(vector)) results[textIndex] = { vector: null, reason: 'the embedder returned a malformed vector' };
    else if (norm(vector) === 0) results[textIndex] = { vector: null, reason: 'the embedder returned a zero vector' };
    else results[textIndex] = { vector };
  });
  return results;
}
