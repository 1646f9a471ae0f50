import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { ChatMessage, TokenUsage } from './records.js';
import type { Embedder as EmbedderEntry, Model as ModelEntry } from './generated/pipeline.js';

/**
 * What the engine found out about a model or embedder beyond its entry (src/providers/identity.ts):
 * part of every cache key, so an answer is never served for another server or other files.
 */
export interface ResolvedSource {
  /** The base URL the client really talks to, wherever it came from (entry, baseURLEnv, OPENAI_BASE_URL, a default). */
  readonly baseURL?: string;
  /** sha256 of each file the model or embedder is made of, by its role or name inside the model folder. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A model entry from the pipeline, with its id (and, in a run, what the engine resolved about it). */
export interface ResolvedModel extends ModelEntry {
  readonly id: string;
  readonly resolved?: ResolvedSource;
}

/** An embedder entry from the pipeline, with its id and paths resolved against the pipeline file. */
export interface ResolvedEmbedder extends EmbedderEntry {
  readonly id: string;
  readonly resolved?: ResolvedSource;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Ask for structured output matching this JSON Schema, where the provider supports it. */
  readonly jsonSchema?: { readonly name: string; readonly schema: Record<string, unknown> };
  readonly maxTokens?: number;
  /** Per-call abort: the engine's timeout and interruption. */
  readonly signal: AbortSignal;
}

export interface ChatResponse {
  readonly text: string;
  /** The provider's structured answer, when it gave one. */
  readonly parsed?: unknown;
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  /** The model's own refusal message, when the provider reports one apart from the text. */
  readonly refusal?: string;
}

/** A chat model. Failures are thrown as `ProviderError` (see src/errors.ts) so the retry layer can decide. */
export interface ChatProvider {
  readonly id: string;
  call(request: ChatRequest): Promise<ChatResponse>;
}

/** What a kind may ask the engine for; implementations are created lazily, once per run. */
export interface ProviderServices {
  /** The chat model for a model id of the pipeline, wrapped by the engine's per-provider limiter. */
  chat(model: ResolvedModel): Promise<ChatProvider>;
  /**
   * The embedder of an `embedders:` entry, created once per run with the environment the CLI read
   * (API keys) and the run's folder for derived files (word-vector binary caches).
   */
  embedder(entry: ResolvedEmbedder): Promise<EmbeddingsInterface>;
  /** A run-wide lazily created shared object (an embedder, a loaded ONNX session, ...), keyed by `key`. */
  shared<T>(key: string, create: () => Promise<T>): Promise<T>;
}
