import type { ChatMessage, TokenUsage } from './records.js';
import type { TextEmbedding } from './embeddings.js';
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
  /**
   * Optional admission, awaited before the call takes a rate slot: resolves when this request may be
   * sent, with a function the engine calls once the call has settled. A provider still learning
   * something about its server (whether it takes structured output) lets one call through and holds
   * the others here, where the wait is neither call time (the timeout) nor a slot taken.
   */
  admit?(request: ChatRequest): Promise<() => void>;
}

/** What a kind may ask the engine for; implementations are created lazily, once per run. */
export interface ProviderServices {
  /** The chat model for a model id of the pipeline, wrapped by the engine's per-provider limiter. */
  chat(model: ResolvedModel): Promise<ChatProvider>;
  /**
   * The embedder of an `embedders:` entry behind the run's cache: each distinct text is embedded once
   * per embedder identity and run, and across runs unless the cache is off. The embedder itself is
   * created at the first text the cache lacks, once per run, with the environment the CLI read (API
   * keys) and the run's folder for derived files (word-vector binary caches).
   */
  embedder(entry: ResolvedEmbedder): CachedEmbedder;
  /**
   * Renders Vega-Lite charts to SVG behind the run's cache: an SVG is kept under the chart's content
   * (spec and id) and the renderer's version, so a rerun on the same numbers renders nothing and
   * never loads the renderer; a changed number renders that chart anew.
   */
  renderCharts(charts: readonly ChartSource[]): Promise<ChartRenders>;
  /**
   * A pure computation behind the run's cache: its value is kept under everything it depends on
   * (`identity`, content only: never a path or a time), so a rerun on the same inputs reads it back
   * instead of computing it (aggregate's metrics document).
   */
  computeCached: CachedComputation;
  /** A run-wide lazily created shared object (an embedder, a loaded ONNX session, ...), keyed by `key`. */
  shared<T>(key: string, create: () => Promise<T>): Promise<T>;
  /**
   * sha256 of a file's content, for cache keys (files by content, never by path): remembered under
   * the file's stat fingerprint, across runs when there is a cache, so a big model is hashed once.
   */
  fileDigest(file: string): Promise<string>;
}

/** `ProviderServices.computeCached`: the value, and whether it came from the cache. */
export type CachedComputation = <T>(
  request: { readonly namespace: string; readonly identity: unknown; readonly origin?: string },
  compute: () => T,
) => { readonly value: T; readonly cached: boolean };

/** `CachedComputation` for a computation that awaits (a check reading a table): the same entries, the same key. */
export type CachedAsyncComputation = <T>(
  request: { readonly namespace: string; readonly identity: unknown; readonly origin?: string },
  compute: () => Promise<T>,
) => Promise<{ readonly value: T; readonly cached: boolean }>;

/** A chart for `ProviderServices.renderCharts`: its Vega-Lite spec, and the id its SVG's element ids are named after. */
export interface ChartSource {
  readonly id: string;
  readonly spec: unknown;
}

/** What `ProviderServices.renderCharts` returns: each chart's SVG in the order given, and how many were rendered now. */
export interface ChartRenders {
  readonly svgs: readonly string[];
  /** Charts rendered now (cache misses). */
  readonly rendered: number;
  readonly cached: number;
}

/** What `CachedEmbedder.embed` returns: every distinct text's embedding, and how many came from the cache. */
export interface EmbedResult {
  readonly embeddings: ReadonlyMap<string, TextEmbedding>;
  /** Texts that were embedded now (cache misses). */
  readonly embedded: number;
  readonly cached: number;
}

/** An embedder with the engine's cache in front (see `ProviderServices.embedder`). */
export interface CachedEmbedder {
  /** The entry's id under `embedders:`. */
  readonly id: string;
  /**
   * Embeds the distinct texts in a stable (sorted) order and in the entry's `batchSize`, so a vector
   * never depends on record order. A text with no vector (empty, no known words) has `vector: null`
   * and a reason; `signal` stops between batches.
   */
  embed(texts: Iterable<string>, signal: AbortSignal): Promise<EmbedResult>;
}
