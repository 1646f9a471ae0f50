import { ChatOpenAICompletions, wrapOpenAIClientError, type OpenAIClient } from '@langchain/openai';

type CreateParams = OpenAIClient.Chat.ChatCompletionCreateParams;
type StreamingParams = OpenAIClient.Chat.ChatCompletionCreateParamsStreaming;
type NonStreamingParams = OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming;

/**
 * LangChain's Chat Completions client with one change: a request carrying a JSON-schema
 * `response_format` goes out through the SDK's `chat.completions.create()`, like every other
 * request, instead of `chat.completions.parse()`.
 *
 * Why: `ChatOpenAICompletions.completionWithRetry` sends json_schema requests through `parse()`,
 * which JSON-parses the message content itself and throws a SyntaxError when it is not JSON, a
 * LengthFinishReasonError on `finish_reason: length` and a ContentFilterFinishReasonError on
 * `content_filter` — so a server that ignores response_format and answers "Happiness" (llama.cpp,
 * LM Studio, vLLM without guided decoding, older Ollama, proxies) looked like a failed call, and
 * the answer was lost. The request body is the same either way (the SDK only adds a helper header);
 * what the model said now always comes back, and vaflow's tolerant reader decides what it means.
 * A body that is not JSON at all (a truncated or garbled HTTP response) still throws, as it should.
 */
export class AnswerCompletions extends ChatOpenAICompletions {
  /**
   * Told the status and headers of every HTTP response (answers and errors alike), with the signal
   * of the call it answers: LangChain's result keeps neither, and the engine's limiter reads the
   * rate-limit headers of each call.
   */
  onResponse?: (signal: AbortSignal | undefined, status: number, headers: Headers) => void;

  override completionWithRetry(request: StreamingParams, requestOptions?: OpenAIClient.RequestOptions): Promise<AsyncIterable<OpenAIClient.Chat.Completions.ChatCompletionChunk>>;
  override completionWithRetry(request: NonStreamingParams, requestOptions?: OpenAIClient.RequestOptions): Promise<OpenAIClient.Chat.Completions.ChatCompletion>;
  override async completionWithRetry(request: CreateParams, requestOptions?: OpenAIClient.RequestOptions): Promise<unknown> {
    if (request.stream) return super.completionWithRetry(request, requestOptions);
    // Retries belong to vaflow's single retry layer (the client is built with maxRetries: 0).
    const { maxRetries: _retries, ...sdkOptions } = requestOptions ?? {};
    const clientOptions = this._getClientOptions(sdkOptions);
    const signal = sdkOptions.signal ?? undefined;
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
}
