import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { ChatMessage, TokenUsage } from './records.js';
import type { Embedder as EmbedderEntry, Model as ModelEntry } from './generated/pipeline.js';

/** A model entry from the pipeline, with its id. */
export interface ResolvedModel extends ModelEntry {
  readonly id: string;
}

/** An embedder entry from the pipeline, with its id and paths resolved against the pipeline file. */
export interface ResolvedEmbedder extends EmbedderEntry {
  readonly id: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /**
   * Ask for structured output matching this JSON Schema where the provider supports it: a request,
   * never a requirement (the answer may come back as any text and is read tolerantly).
   */
  readonly jsonSchema?: { readonly name: string; readonly schema: Record<string, unknown> };
  readonly maxTokens?: number;
  /** Per-call abort: the engine's timeout and interruption. */
  readonly signal: AbortSignal;
}

export interface ChatResponse {
  /**
   * The message content exactly as the server sent it, whatever its shape (JSON, prose, fences,
   * `<think>` blocks); kinds read it with the tolerant readers of src/labels. '' when there was none.
   */
  readonly text: string;
  /** Reasoning the server sent beside the content (`reasoning_content` or `reasoning`). */
  readonly reasoning?: string;
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  /** The model's own refusal message, when the provider reports one apart from the text. */
  readonly refusal?: string;
  /**
   * What the provider learnt that the run should be told once (the server refused structured
   * output, no API key is sent): carried by one response only; kinds pass them to `ctx.log`.
   */
  readonly notices?: readonly ProviderNotice[];
}

/** Something a provider learnt during a call that the run should be told once. */
export interface ProviderNotice {
  readonly level: 'info' | 'warn';
  readonly message: string;
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
