import { ProviderError } from '../../errors.js';

/**
 * The server's words for the parameter it refused. The HTTP status decides that the request was
 * refused (400 or 422, never retried as such); these words only tell which parameter it was.
 */
const NAMES_STRUCTURED_OUTPUT = /response[_ ]format|json[_ ]schema|structured[_ ]outputs?|guided[_ ](?:json|decoding)|grammar/i;

/**
 * Whether a failed call is the server refusing `response_format`: HTTP 400 (or 422, as FastAPI-based
 * servers send for an unknown field) whose error names it (OpenAI's `param: "response_format"`, or
 * the words in the message: llama.cpp, LM Studio, vLLM, proxies), or whose error body the client
 * could not read at all. The latter is only a suspicion: it is confirmed when the same request
 * without response_format succeeds.
 */
export function refusesStructuredOutput(error: unknown): boolean {
  if (!(error instanceof ProviderError) || (error.status !== 400 && error.status !== 422)) return false;
  const http = httpErrorOf(error.cause);
  if (!http) return true;
  if (http.param === 'response_format') return true;
  if (http.error === undefined || http.error === null) return true;
  return NAMES_STRUCTURED_OUTPUT.test(typeof http.error === 'string' ? http.error : JSON.stringify(http.error));
}

/** The SDK's HTTP error (it has the status, `param` and the parsed `error` body) in a chain of causes: LangChain may wrap it. */
function httpErrorOf(error: unknown): { readonly param?: unknown; readonly error?: unknown } | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    if ('status' in current && typeof current.status === 'number') {
      return { param: 'param' in current ? current.param : undefined, error: 'error' in current ? current.error : undefined };
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

export interface StructuredCall<T> {
  readonly value: T;
  /** Set on the one call that found out the server refuses response_format: its 400. */
  readonly refusal?: ProviderError;
}

/**
 * What the run has learnt about one model's support for JSON-schema `response_format`.
 *
 * A refusal (see refusesStructuredOutput) is answered by sending the same request once more without
 * response_format; when that succeeds, the model is asked without it for the rest of the run. While
 * support is still unknown, only one structured request is in flight and the others wait for it, so
 * a server that refuses costs one extra request per run, not one per request in flight.
 */
export class StructuredOutputSupport {
  #state: 'unknown' | 'accepted' | 'refused' = 'unknown';
  #probe: Promise<void> | undefined;

  get refused(): boolean {
    return this.#state === 'refused';
  }

  /** Runs `send(structured)`, deciding whether to ask for structured output and falling back once. */
  async call<T>(signal: AbortSignal, send: (structured: boolean) => Promise<T>): Promise<StructuredCall<T>> {
    while (this.#state === 'unknown' && this.#probe) await untilSettledOrAborted(this.#probe, signal);
    if (this.#state === 'refused') return { value: await send(false) };
    const probing = this.#state === 'unknown';
    let release = () => {};
    if (probing) this.#probe = new Promise<void>((resolve) => (release = resolve));
    try {
      const value = await send(true);
      if (this.#state === 'unknown') this.#state = 'accepted';
      return { value };
    } catch (error) {
      if (!refusesStructuredOutput(error)) throw error;
      const value = await send(false);
      // Another call in flight may have found out first (the state changes across awaits).
      const first = !this.refused;
      this.#state = 'refused';
      return first ? { value, refusal: error as ProviderError } : { value };
    } finally {
      if (probing) {
        this.#probe = undefined;
        release();
      }
    }
  }
}

function untilSettledOrAborted(pending: Promise<void>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void pending.finally(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
