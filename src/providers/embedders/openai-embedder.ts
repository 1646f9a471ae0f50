import { ProviderError, type VaflowErrorCode } from '../../errors.js';
import type { TextEmbedding, VaflowEmbeddings } from '../../types/embeddings.js';
import { isFiniteVector } from './vector-math.js';
import { langchainOpenAI } from '../langchain-openai.js';

const { OpenAIEmbeddings } = langchainOpenAI;

export interface OpenAIEmbedderOptions {
  readonly identity: Readonly<Record<string, unknown>>;
  readonly model: string;
  readonly baseURL?: string;
  readonly apiKey: string;
  readonly batchSize: number;
}

/**
 * LangChain's `OpenAIEmbeddings` against any OpenAI-compatible endpoint (`baseURL`: Ollama, vLLM,
 * LM Studio…). LangChain's own retries are off (maxRetries 0): the engine owns the one retry layer,
 * so failures are mapped to ProviderError by HTTP status.
 */
export class OpenAIEmbedder extends OpenAIEmbeddings implements VaflowEmbeddings {
  readonly identity: Readonly<Record<string, unknown>>;
  readonly dimension = null;

  constructor(options: OpenAIEmbedderOptions) {
    super({
      model: options.model,
      apiKey: options.apiKey,
      batchSize: options.batchSize,
      maxRetries: 0,
      // The SDK's default is base64, which not every compatible server (Ollama, test doubles) speaks.
      encodingFormat: 'float',
      configuration: options.baseURL ? { baseURL: options.baseURL } : undefined,
    });
    this.identity = options.identity;
  }

  async embedWithStats(texts: readonly string[]): Promise<TextEmbedding[]> {
    const present = texts.flatMap((text, i) => (text.trim().length > 0 ? [i] : []));
    const results: TextEmbedding[] = texts.map(() => ({ vector: null, reason: 'empty text' }));
    if (present.length === 0) return results;
    let vectors: number[][];
    try {
      vectors = await super.embedDocuments(present.map((i) => texts[i]));
    } catch (error) {
      throw toProviderError(error);
    }
    present.forEach((textIndex, j) => {
      const vector = vectors[j];
      results[textIndex] = vector && vector.length > 0 && isFiniteVector(vector) ? { vector: Float32Array.from(vector) } : { vector: null, reason: 'the service returned a malformed vector' };
    });
    return results;
  }
}

/** Classifies by HTTP status and error code, never by message text. */
function toProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const fields = typeof error === 'object' && error !== null ? (error as { status?: unknown; code?: unknown; headers?: unknown }) : {};
  const status = typeof fields.status === 'number' ? fields.status : undefined;
  const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
  const code: VaflowErrorCode = status === 401 || status === 403 ? 'VAFLOW_PROVIDER_AUTH' : status === 429 ? 'VAFLOW_PROVIDER_RATE_LIMIT' : status !== undefined ? `VAFLOW_PROVIDER_HTTP_${status}` : 'VAFLOW_PROVIDER_NETWORK';
  return new ProviderError(code, `embedding request failed${status ? ` (HTTP ${status})` : ''}: ${error instanceof Error ? error.message : String(error)}`, {
    status,
    retryable,
    retryAfterMs: retryAfter(fields.headers),
    cause: error,
  });
}

function retryAfter(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (name: string): string | undefined => {
    const h = headers as { get?: (n: string) => string | null } & Record<string, unknown>;
    const value = typeof h.get === 'function' ? h.get(name) : h[name];
    return typeof value === 'string' ? value : undefined;
  };
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number(get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
