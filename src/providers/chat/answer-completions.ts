import type { OpenAIClient } from '@langchain/openai';
import { langchainOpenAI } from '../langchain-openai.js';
import type { HttpTransport, RawResponse } from './http-fetch.js';

const { ChatOpenAICompletions, OpenAIClient: SdkClient, wrapOpenAIClientError } = langchainOpenAI;

type CreateParams = OpenAIClient.Chat.ChatCompletionCreateParams;
type StreamingParams = OpenAIClient.Chat.ChatCompletionCreateParamsStreaming;
type NonStreamingParams = OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming;

/** What AnswerCompletions reads of a response's headers (a fetch Headers fits too). */
export interface HeaderReader {
  get(name: string): string | null;
}

/**
 * LangChain's Chat Completions client (message conversion, call options, callbacks and the parsing
 * of the answer into generations all stay LangChain's) with two changes to how a non-streaming
 * request is sent:
 *
 * 1. A request carrying a JSON-schema `response_format` is sent like every other request, never
 *    through the SDK's `chat.completions.parse()`, which JSON-parses the message content itself and
 *    throws a SyntaxError when it is not JSON, a LengthFinishReasonError on `finish_reason: length`
 *    and a ContentFilterFinishReasonError on `content_filter` — so a server that ignores
 *    response_format and answers "Happiness" (llama.cpp, LM Studio, vLLM without guided decoding,
 *    older Ollama, proxies) looked like a failed call, and the answer was lost. What the model said
 *    now always comes back, and vaflow's tolerant reader decides what it means. A body that is not
 *    JSON at all (a truncated or garbled HTTP response) still throws, as it should.
 *
 * 2. With a `transport` (openai-chat.ts always gives one), the request goes straight to it, with
 *    the URL and headers the SDK itself built once for this client (`buildRequest`: the API key,
 *    organization and project, LangChain's User-Agent, the SDK's platform headers), instead of
 *    through the SDK's `create()`. Why: per request the SDK rebuilds those headers through fetch
 *    Headers objects, formats its debug log's request details even with logging off, and adds an
 *    AbortController, an abort listener and a 10-minute timer of its own; with its retries off
 *    (vaflow's retry layer and attempt timeout own those) that was a tenth of a cold run's CPU time
 *    and a fifth of its allocations (BENCHMARKS.md, issue 15). The answer is parsed as the SDK
 *    parses it (JSON when the content type says so), and failures become the SDK's own errors
 *    (`APIError.generate` for an HTTP status, APIConnectionError, APIUserAbortError), wrapped by
 *    LangChain as before. This holds for a static API key, which is what vaflow passes
 *    (resolveApiKey); the request body is the SDK's (JSON.stringify of the params).
 */
export class AnswerCompletions extends ChatOpenAICompletions {
  /**
   * Told the status and headers of every HTTP response (answers and errors alike), with the signal
   * of the call it answers: LangChain's result keeps neither, and the engine's limiter reads the
   * rate-limit headers of each call.
   */
  onResponse?: (signal: AbortSignal | undefined, status: number, headers: HeaderReader) => void;

  /** Sends the requests when set (see 2. above); else the SDK's client does. */
  transport?: HttpTransport;

  /** The URL and headers of a chat completion request as the SDK builds them for this client, made once. */
  #target: Promise<{ readonly url: URL; readonly headers: Readonly<Record<string, string>> }> | undefined;

  override completionWithRetry(request: StreamingParams, requestOptions?: OpenAIClient.RequestOptions): Promise<AsyncIterable<OpenAIClient.Chat.Completions.ChatCompletionChunk>>;
  override completionWithRetry(request: NonStreamingParams, requestOptions?: OpenAIClient.RequestOptions): Promise<OpenAIClient.Chat.Completions.ChatCompletion>;
  override async completionWithRetry(request: CreateParams, requestOptions?: OpenAIClient.RequestOptions): Promise<unknown> {
    if (request.stream) return super.completionWithRetry(request, requestOptions);
    // Retries belong to vaflow's single retry layer (the client is built with maxRetries: 0).
    const { maxRetries: _retries, ...sdkOptions } = requestOptions ?? {};
    const clientOptions = this._getClientOptions(sdkOptions);
    const signal = sdkOptions.signal ?? undefined;
    const transport = this.transport;
    if (transport && isSignalOnly(sdkOptions)) return this.#send(transport, request, signal);
    try {
      const { data, response } = await this.client.chat.completions.create(request, clientOptions).withResponse();
      this.onResponse?.(signal, response.status, response.headers);
      return data;
    } catch (error) {
      const { status, headers } = (error ?? {}) as { status?: unknown; headers?: unknown };
      if (typeof status === 'number' && headers instanceof Headers) this.onResponse?.(signal, status, headers);
      throw wrapOpenAIClientError(error);
    }
  }

  async #send(transport: HttpTransport, request: NonStreamingParams, signal: AbortSignal | undefined): Promise<unknown> {
    let response: RawResponse;
    let target;
    try {
      target = await (this.#target ??= this.#buildTarget());
      if (signal?.aborted) throw new SdkClient.APIUserAbortError();
      response = await transport.request(target.url, 'POST', target.headers, JSON.stringify(request), signal);
    } catch (error) {
      throw wrapOpenAIClientError(connectionError(error, signal));
    }
    const headers = headerReader(response.headers);
    this.onResponse?.(signal, response.status, headers);
    if (response.status < 200 || response.status >= 300) {
      // As the SDK reports an HTTP error: the body's JSON (or its text) in the status's APIError class.
      const text = response.data.toString('utf8');
      const json = safeJson(text);
      const fetchHeaders = new Headers();
      for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) fetchHeaders.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
      throw wrapOpenAIClientError(SdkClient.APIError.generate(response.status, json as object, json ? undefined : text, fetchHeaders));
    }
    try {
      return parseBody(response, headers);
    } catch (error) {
      throw wrapOpenAIClientError(error);
    }
  }

  async #buildTarget(): Promise<{ url: URL; headers: Record<string, string> }> {
    const built = await this.client.buildRequest({ method: 'post', path: '/chat/completions', body: {} }, { retryCount: 0 });
    const headers: Record<string, string> = {};
    (built.req.headers as Headers).forEach((value, name) => (headers[name] = value));
    return { url: new URL(built.url), headers };
  }
}

/** True when the request options say nothing but the signal (anything else goes through the SDK). */
function isSignalOnly(options: Readonly<Record<string, unknown>>): boolean {
  for (const key in options) if (key !== 'signal' && options[key] !== undefined) return false;
  return true;
}

/** The SDK's error for a request that got no answer: the abort, or a connection error with its cause. */
function connectionError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof SdkClient.APIError) return error;
  if (signal?.aborted) return new SdkClient.APIUserAbortError();
  return new SdkClient.APIConnectionError({ cause: error instanceof Error ? error : new Error(String(error)) });
}

/** The SDK's defaultParseResponse for a non-streaming answer: JSON when the content type says so, else the text. */
function parseBody(response: RawResponse, headers: HeaderReader): unknown {
  if (response.status === 204) return null;
  const mediaType = headers.get('content-type')?.split(';')[0]?.trim();
  if (mediaType?.includes('application/json') || mediaType?.endsWith('+json')) {
    if (headers.get('content-length') === '0') return undefined;
    const json: unknown = JSON.parse(response.data.toString('utf8'));
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      Object.defineProperty(json, '_request_id', { value: headers.get('x-request-id'), enumerable: false });
    }
    return json;
  }
  return response.data.toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Node's lower-case header record read as fetch Headers read: repeated values joined by ", ". */
function headerReader(headers: RawResponse['headers']): HeaderReader {
  return {
    get(name: string): string | null {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
