import type { ChatProvider, ChatRequest, ChatResponse, ProviderNotice, ResolvedModel } from '../../types/providers.js';
import type { TokenUsage } from '../../types/records.js';
import { ConfigError, ProviderError } from '../../errors.js';
import { toProviderError } from './provider-errors.js';
import { resolveApiKey } from './api-key.js';
import { StructuredOutputSupport } from './structured-output.js';
import { openAIBaseURL } from './base-url.js';
import { createHttpTransport } from './http-fetch.js';
import { readRateLimitHeaders, type RateLimitObservation } from './rate-limit-headers.js';

export interface OpenAIChatOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Used when the model entry has no baseURL (Ollama's default address); undefined means api.openai.com. */
  readonly defaultBaseURL?: string;
  /** Told what each response's headers say about the provider's rate limits (x-ratelimit-*, Retry-After), with the call's signal. */
  readonly onRateLimit?: (observation: RateLimitObservation, signal: AbortSignal | undefined) => void;
}

/**
 * An OpenAI-compatible chat model through LangChain's `ChatOpenAI` (Chat Completions API).
 *
 * Serves the `openai` provider and, pointed at Ollama's `/v1`, the `ollama` provider: the pinned
 * dependency set has no `@langchain/ollama`, and Ollama's OpenAI-compatible endpoint supports
 * JSON-schema `response_format`, usage and seeds, so one client keeps behaviour and error
 * classification identical across both.
 *
 * An HTTP 200 is always an answer: the content comes back verbatim (see AnswerCompletions for why
 * LangChain's own parsing is bypassed), with the reasoning field and refusal beside it. Structured
 * output is a request: a server that refuses it gets the item once more without it, and the model
 * is asked in plain text for the rest of the run (StructuredOutputSupport).
 *
 * LangChain's retries are off (`maxRetries: 0`): the engine's retry layer is the only one. Requests
 * go out through a node:http transport (http-fetch.ts), a quarter of fetch's CPU per call, with the
 * URL and headers the openai SDK built for this client but without the SDK's per-request machinery
 * (AnswerCompletions says why); each response's rate-limit headers go to `onRateLimit` with the
 * call's signal.
 */
export async function createOpenAIChat(model: ResolvedModel, options: OpenAIChatOptions): Promise<ChatProvider> {
  if (!model.model) throw new ConfigError(`models.${model.id}: "model" is required for provider ${model.provider} (e.g. gpt-4o-mini)`);
  const baseURL = model.baseURL ?? options.defaultBaseURL;
  const { apiKey, notice } = resolveApiKey(model, { env: options.env, baseURL });
  const [{ langchainOpenAI: { ChatOpenAI } }, { AnswerCompletions }] = await Promise.all([import('../langchain-openai.js'), import('./answer-completions.js')]);
  const transport = createHttpTransport();
  const fields = {
    model: model.model,
    apiKey,
    // Always explicit (see base-url.ts): the client never reads OPENAI_BASE_URL behind the cache key's back.
    configuration: { baseURL: openAIBaseURL(baseURL, options.env), fetch: transport.fetch },
    maxRetries: 0,
    temperature: model.temperature,
    topP: model.topP,
    maxTokens: model.maxTokens,
    useResponsesApi: false,
    // The raw body carries `message.refusal` and the reasoning fields, which LangChain's converted message drops.
    __includeRawResponse: true,
  };
  const completions = new AnswerCompletions(fields);
  completions.transport = transport;
  const onRateLimit = options.onRateLimit;
  if (onRateLimit) {
    completions.onResponse = (signal, status, headers) => {
      const observation = readRateLimitHeaders(status, headers);
      if (observation) onRateLimit(observation, signal);
    };
  }
  const client = new ChatOpenAI({ ...fields, completions });
  const support = new StructuredOutputSupport();
  // Told once, on the first answer: a notice needs a run to log to, and the provider has none.
  const pending: ProviderNotice[] = notice ? [{ level: 'info', message: notice }] : [];

  async function send(request: ChatRequest, jsonSchema: ChatRequest['jsonSchema']): Promise<ChatResponse> {
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
    return {
      text: generation.text,
      ...(raw.reasoning ? { reasoning: raw.reasoning } : {}),
      finishReason: stringField(generation.generationInfo, 'finish_reason'),
      usage: usageOf(result.llmOutput),
      ...(raw.refusal ? { refusal: raw.refusal } : {}),
    };
  }

  const schemaOf = (request: ChatRequest) => (model.structuredOutput !== false ? request.jsonSchema : undefined);

  async function call(request: ChatRequest): Promise<ChatResponse> {
    const jsonSchema = schemaOf(request);
    let response: ChatResponse;
    if (!jsonSchema) response = await send(request, undefined);
    else {
      try {
        const outcome = await support.call((structured) => send(request, structured ? jsonSchema : undefined));
        response = outcome.value;
        if (outcome.refusal) {
          const detail = outcome.refusal.message.replace(/^model [^:]+: /, '').slice(0, 200);
          pending.push({ level: 'warn', message: `model ${model.id}: the server refused response_format (${detail}); asking in plain text for the rest of the run` });
        }
      } catch (error) {
        throw toProviderError(error, { signal: request.signal, modelId: model.id });
      }
    }
    const notices = pending.splice(0);
    return notices.length ? { ...response, notices } : response;
  }
  const admit = async (request: ChatRequest) => (schemaOf(request) ? support.admit(request.signal) : () => {});
  return { id: model.id, call, admit };
}

/** The refusal and reasoning of the first choice's message in the raw response body. */
function rawChoiceMessage(raw: unknown): { refusal?: string; reasoning?: string } {
  if (!isRecord(raw) || !Array.isArray(raw.choices)) return {};
  const message: unknown = isRecord(raw.choices[0]) ? raw.choices[0].message : undefined;
  if (!isRecord(message)) return {};
  const refusal = nonEmptyString(message.refusal);
  // DeepSeek, vLLM, llama.cpp and LM Studio say reasoning_content; Ollama and OpenRouter say reasoning.
  const reasoning = nonEmptyString(message.reasoning_content) ?? nonEmptyString(message.reasoning);
  return { ...(refusal ? { refusal } : {}), ...(reasoning ? { reasoning } : {}) };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
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
