import { InterruptedError, ProviderError, VaflowError } from '../../errors.js';

/**
 * Maps whatever a chat client threw to a ProviderError the engine's single retry layer can decide
 * on, by HTTP status and error class, never by message text.
 *
 *   429                      VAFLOW_RATE_LIMITED   retryable, retryAfterMs from retry-after-ms / Retry-After
 *   408, 409, 5xx            VAFLOW_PROVIDER_HTTP  retryable
 *   other 4xx (400/401/403/404/422)  VAFLOW_PROVIDER_HTTP  not retryable
 *   no status: connection / network  VAFLOW_NETWORK  retryable
 *   HTTP body not JSON (SyntaxError)  VAFLOW_BAD_RESPONSE  retryable: a truncated or garbled
 *                            response envelope is a transport fault. The message *content* is never
 *                            parsed here: any 200 answer is read by the kinds (see AnswerCompletions).
 *   the call's signal aborted: its reason when that is a VaflowError (the engine's TimeoutError or
 *                            an interruption), else VAFLOW_TIMEOUT retryable (AbortSignal.timeout)
 */
export function toProviderError(error: unknown, options: { readonly signal: AbortSignal; readonly modelId: string }): VaflowError {
  const { signal, modelId } = options;
  if (error instanceof VaflowError) return error;
  if (signal.aborted) return abortError(signal.reason, modelId, error);
  const where = `model ${modelId}`;
  // LangChain re-wraps some HTTP errors (a context overflow 400) without their status; the SDK error is the cause.
  const status = statusOf(error) ?? statusOf(error instanceof Error ? error.cause : undefined);
  if (status !== undefined) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (status === 429) {
      return new ProviderError('VAFLOW_RATE_LIMITED', `${where}: rate limited (HTTP 429): ${detail}`, {
        status, retryable: true, retryAfterMs: retryAfterMs(headersOf(error)), cause: error,
      });
    }
    const retryable = status >= 500 || status === 408 || status === 409;
    return new ProviderError('VAFLOW_PROVIDER_HTTP', `${where}: HTTP ${status}: ${detail}`, { status, retryable, cause: error });
  }
  const className = classNameOf(error);
  if (error instanceof SyntaxError) {
    return new ProviderError('VAFLOW_BAD_RESPONSE', `${where}: the HTTP response body could not be parsed as JSON (${error.message})`, { retryable: true, cause: error });
  }
  if (className === 'APIConnectionError' || className === 'APIConnectionTimeoutError' || isNetworkError(error)) {
    return new ProviderError('VAFLOW_NETWORK', `${where}: network error: ${causeText(error)}`, { retryable: true, cause: error });
  }
  return new ProviderError('VAFLOW_PROVIDER', `${where}: ${causeText(error)}`, { retryable: false, cause: error });
}

function abortError(reason: unknown, modelId: string, error: unknown): VaflowError {
  if (reason instanceof VaflowError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new ProviderError('VAFLOW_TIMEOUT', `model ${modelId}: call timed out`, { retryable: true, cause: error });
  }
  return new InterruptedError(`model ${modelId}: call aborted`, { cause: reason ?? error });
}

function statusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object' || !('status' in error)) return undefined;
  return typeof error.status === 'number' && error.status >= 100 ? error.status : undefined;
}

/** Response headers of an openai SDK APIError (a fetch Headers) or a plain record. */
function headersOf(error: unknown): (name: string) => string | undefined {
  const headers = error && typeof error === 'object' && 'headers' in error ? error.headers : undefined;
  if (headers && typeof headers === 'object') {
    if ('get' in headers && typeof headers.get === 'function') {
      const get = headers.get.bind(headers) as (name: string) => unknown;
      return (name) => {
        const value = get(name);
        return typeof value === 'string' ? value : undefined;
      };
    }
    const record: Record<string, unknown> = { ...headers };
    return (name) => {
      const value = record[name] ?? record[name.toLowerCase()];
      return typeof value === 'string' ? value : undefined;
    };
  }
  return () => undefined;
}

/**
 * The server's requested wait: `retry-after-ms` (OpenAI's, in ms) wins over `Retry-After`
 * (seconds or an HTTP date). Undefined when absent or unparseable.
 */
export function retryAfterMs(header: (name: string) => string | undefined, now: number = Date.now()): number | undefined {
  const ms = header('retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const after = header('retry-after')?.trim();
  if (after === undefined || after === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Math.round(Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function classNameOf(error: unknown): string | undefined {
  return error && typeof error === 'object' ? error.constructor?.name : undefined;
}

/** Node's fetch fails with a TypeError whose cause carries a system error code (ECONNREFUSED, ECONNRESET, ...). */
function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause: unknown = error.cause;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return true;
  return error instanceof TypeError && cause !== undefined;
}

function causeText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message.split('\n')[0]}${cause}`;
}
