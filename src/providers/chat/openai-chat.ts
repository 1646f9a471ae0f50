import type { ChatProvider, ChatRequest, ChatResponse, ResolvedModel } from '../../types/providers.js';
import type { TokenUsage } from '../../types/records.js';
import { ConfigError, ProviderError } from '../../errors.js';
import { toProviderError } from './provider-errors.js';
import { openAIBaseURL } from './base-url.js';

/** Ollama's OpenAI-compatible endpoint on its default port. */
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';

export interface OpenAIChatOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Used when the model entry has no baseURL (Ollama's default address); undefined means api.openai.com. */
  readonly defaultBaseURL?: string;
  /** Whether a key is required when the entry names no apiKeyEnv and has no baseURL. */
  readonly keyRequired: boolean;
}

/**
 * An OpenAI-compatible chat model through LangChain's `ChatOpenAI` (Chat Completions API).
 *
 * Serves the `openai` provider and, pointed at Ollama's `/v1`, the `ollama` provider: the pinned
 * dependency set has no `@langchain/ollama`, and Ollama's OpenAI-compatible endpoint supports
 * JSON-schema `response_format`, usage and seeds, so one client keeps behaviour and error
 * classification identical across both.
 *
 * LangChain's retries are off (`maxRetries: 0`): the engine's retry layer is the only one.
 */
export async function createOpenAIChat(model: ResolvedModel, options: OpenAIChatOptions): Promise<ChatProvider> {
  if (!model.model) throw new ConfigError(`models.${model.id}: "model" is required for provider ${model.provider} (e.g. gpt-4o-mini)`);
  const baseURL = model.baseURL ?? options.defaultBaseURL;
  const apiKey = resolveApiKey(model, { ...options, baseURL });
  const { ChatOpenAI } = await import('@langchain/openai');
  const client = new ChatOpenAI({
    model: model.model,
    apiKey,
    // Always explicit (see base-url.ts): the client never reads OPENAI_BASE_URL behind the cache key's back.
    configuration: { baseURL: openAIBaseURL(baseURL, options.env) },
    maxRetries: 0,
    temperature: model.temperature,
    topP: model.topP,
    maxTokens: model.maxTokens,
    useResponsesApi: false,
    // The raw body carries `message.refusal`, which LangChain's converted message drops.
    __includeRawResponse: true,
  });
  const structured = model.structuredOutput !== false;

  async function call(request: ChatRequest): Promise<ChatResponse> {
    const jsonSchema = structured ? request.jsonSchema : undefined;
    let result;
    try {
      result = await client.generate([request.messages.map((m) => ({ role: m.role, content: m.content }))], {
        signal: request.signal,
        seed: model.seed,
        ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
        ...(jsonSchema ? { response_format: { type: 'json_schema', json_schema: { name: jsonSchema.name, schema: jsonSchema.schema, strict: true } } } : {}),
      });
    } catch (error) {
      throw toProviderError(error, { signal: request.signal, modelId: model.id });
    }
    const generation = result.generations[0]?.[0];
    if (!generation) {
      throw new ProviderError('VAFLOW_BAD_RESPONSE', `model ${model.id}: the response had an empty choice list`, { retryable: true });
    }
    const raw = 'message' in generation && isRecord(generation.message) && isRecord(generation.message.additional_kwargs)
      ? rawChoiceMessage(generation.message.additional_kwargs['__raw_response'])
      : {};
    const text = generation.text;
    return {
      text,
      parsed: jsonSchema && text ? parseJson(text) : undefined,
      finishReason: stringField(generation.generationInfo, 'finish_reason'),
      usage: usageOf(result.llmOutput),
      refusal: raw.refusal,
    };
  }
  return { id: model.id, call };
}

function resolveApiKey(model: ResolvedModel, options: OpenAIChatOptions & { baseURL?: string }): string {
  const variable = model.apiKeyEnv ?? (options.baseURL ? undefined : 'OPENAI_API_KEY');
  if (variable === undefined) return 'not-needed';
  const value = options.env[variable];
  if (value) return value;
  if (!model.apiKeyEnv && !options.keyRequired) return 'not-needed';
  throw new ConfigError(
    `models.${model.id}: environment variable ${variable} is not set; provider ${model.provider} needs an API key from it`
    + (model.apiKeyEnv ? '' : ' (name another variable with apiKeyEnv)'),
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function rawChoiceMessage(raw: unknown): { refusal?: string } {
  if (!isRecord(raw) || !Array.isArray(raw.choices)) return {};
  const message: unknown = isRecord(raw.choices[0]) ? raw.choices[0].message : undefined;
  return isRecord(message) && typeof message.refusal === 'string' && message.refusal ? { refusal: message.refusal } : {};
}

function usageOf(llmOutput: Record<string, unknown> | undefined): TokenUsage | undefined {
  const usage: unknown = llmOutput?.tokenUsage;
  if (!isRecord(usage)) return undefined;
  const input = usage.promptTokens;
  const output = usage.completionTokens;
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  return { inputTokens: typeof input === 'number' ? input : 0, outputTokens: typeof output === 'number' ? output : 0 };
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
