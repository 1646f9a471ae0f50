import type { EmbeddingsInterface } from '@langchain/core/embeddings';

/**
 * One text's embedding, or why there is none. `vector` is null for an empty text or a text with no
 * known words: an item-level problem reported as data (never a NaN vector, never a thrown error).
 */
export interface TextEmbedding {
  readonly vector: Float32Array | null;
  /** Word vectors: share of the text's (non-stop-word) tokens missing from the vocabulary, 0–1. */
  readonly oovRate?: number | null;
  /** Why `vector` is null: 'empty text', 'no known words', ... */
  readonly reason?: string;
}

/**
 * What vaflow's own embedders offer beyond LangChain's `Embeddings` (which they extend, so they
 * plug into any LangChain chain). Any other `EmbeddingsInterface` works too: see `embedTexts`.
 */
export interface VaflowEmbeddings extends EmbeddingsInterface {
  /** The fields that decide the vectors (from `embedderIdentity`): part of every embedding cache key. */
  readonly identity: Readonly<Record<string, unknown>>;
  /** Vector length, when known before the first call. */
  readonly dimension: number | null;
  /** Embeds texts, reporting per-text problems and statistics instead of returning NaN or zero vectors. */
  embedWithStats(texts: readonly string[]): Promise<TextEmbedding[]>;
  /** Releases native resources (ONNX sessions, TF.js tensors); optional. */
  dispose?(): Promise<void>;
}

export function isVaflowEmbeddings(embedder: EmbeddingsInterface): embedder is VaflowEmbeddings {
  return typeof (embedder as Partial<VaflowEmbeddings>).embedWithStats === 'function';
}
