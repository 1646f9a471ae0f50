import { canonicalJson, hashJson, sha256 } from '../util/hash.js';

/**
 * Bump when the key layout or the stored value layout changes: every old entry then misses.
 * 2: model and embedder files by content digest, the base URL the client really uses, chat-call entries.
 */
export const CACHE_FORMAT_VERSION = 2;

/** Everything that decides an item call's answer, and nothing that doesn't (concurrency, retries, timeouts, API keys). */
export interface ItemKeyParts {
  readonly kind: string;
  readonly kindVersion: string;
  /** Semantic params: the node's `with` minus engine settings and minus the params an axis stands for. */
  readonly params: unknown;
  /** Model / embedder identity for the task's coordinates (see modelIdentity), or null. */
  readonly identity: unknown;
  /** Hash of the input record's content (id, coordinates and fields). */
  readonly inputHash: string;
  readonly repeat: number;
}

export function itemCacheKey(parts: ItemKeyParts): string {
  return hashJson({ v: CACHE_FORMAT_VERSION, ns: 'item', ...parts });
}

/**
 * The same keys as itemCacheKey for one task, with the task-constant part serialised once: the
 * canonical JSON is assembled around the per-item fields in sorted-key order (a test holds the two equal).
 */
export function itemCacheKeyFor(base: Omit<ItemKeyParts, 'inputHash' | 'repeat'>): (inputHash: string, repeat: number) => string {
  const head = `{"identity":${canonicalJson(base.identity)},"inputHash":`;
  const middle = `,"kind":${canonicalJson(base.kind)},"kindVersion":${canonicalJson(base.kindVersion)},"ns":"item","params":${canonicalJson(base.params)},"repeat":`;
  const tail = `,"v":${CACHE_FORMAT_VERSION}}`;
  return (inputHash, repeat) => sha256(head + JSON.stringify(inputHash) + middle + JSON.stringify(repeat) + tail);
}

/** What the engine resolved about a model or embedder (see ResolvedSource in src/types/providers.ts). */
interface SourceFields {
  readonly resolved?: { readonly baseURL?: string; readonly files?: Readonly<Record<string, string>> };
}

/**
 * The fields of a model entry that change its answers. apiKeyEnv, price and limits are deliberately
 * absent. With the source resolved (every run does), the base URL is the one the client really uses
 * and a model file (llamacpp's GGUF) is named by its content digest instead of its path.
 */
export function modelIdentity(model: SourceFields & {
  provider: string; model?: string; baseURL?: string; temperature?: number; topP?: number; maxTokens?: number; seed?: number;
  structuredOutput?: boolean; points?: unknown;
}): Record<string, unknown> {
  const { provider, model: name, baseURL, temperature, topP, maxTokens, seed, structuredOutput, points, resolved } = model;
  const files = resolved?.files;
  return { provider, model: files ? undefined : name, baseURL: resolved?.baseURL ?? baseURL, temperature, topP, maxTokens, seed, structuredOutput, points, files };
}

/**
 * The fields of an embedder entry that change its vectors (not batch size, not the key variable):
 * its files by content digest rather than their path, and the base URL the client really uses.
 */
export function embedderIdentity(embedder: SourceFields & {
  type: string; path?: string; file?: string; format?: string; stopWords?: boolean; pooling?: string; normalize?: boolean;
  maxLength?: number; model?: string; baseURL?: string;
}): Record<string, unknown> {
  const { type, path, file, format, stopWords, pooling, normalize, maxLength, model, baseURL, resolved } = embedder;
  const files = resolved?.files;
  return { type, path: files ? undefined : path, file, format, stopWords, pooling, normalize, maxLength, model, baseURL: resolved?.baseURL ?? baseURL, files };
}

/**
 * Key of one chat call: the model identity, the request as the provider sends it (see
 * renderedRequest in src/providers/identity.ts), the sample index, and which occurrence of the same
 * request within one item this is. Two kinds, tasks or params that send the same request share it.
 */
export function chatCacheKey(parts: { identity: unknown; request: unknown; repeat: number; occurrence: number }): string {
  return hashJson({ v: CACHE_FORMAT_VERSION, ns: 'chat', ...parts });
}

/**
 * The same keys as chatCacheKey for one model, with its identity serialised once: the canonical JSON
 * is assembled in sorted-key order around the per-call fields (a test holds the two equal). Identity
 * and request are plain objects (modelIdentity, renderedRequest), which canonical JSON never drops.
 */
export function chatCacheKeyFor(identity: Readonly<Record<string, unknown>>): (request: Readonly<Record<string, unknown>>, repeat: number, occurrence: number) => string {
  const head = `{"identity":${canonicalJson(identity)},"ns":"chat","occurrence":`;
  const tail = `,"v":${CACHE_FORMAT_VERSION}}`;
  return (request, repeat, occurrence) =>
    sha256(`${head}${canonicalJson(occurrence)},"repeat":${canonicalJson(repeat)},"request":${canonicalJson(request)}${tail}`);
}

/** Key of one embedded text under one embedder. */
export function embeddingCacheKey(identity: unknown, text: string): string {
  return hashJson({ v: CACHE_FORMAT_VERSION, ns: 'embedding', identity, text });
}
