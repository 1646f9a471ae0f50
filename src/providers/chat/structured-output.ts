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
 * support is still unknown, `admit` lets one structured request through and holds the others until
 * it has settled, so a server that refuses costs one extra request per run, not one per request in
 * flight. The engine awaits `admit` before the call takes a rate slot (ChatProvider.admit), so the
 * held calls neither hold a slot nor spend their timeout.
 */
export class StructuredOutputSupport {
  #state: 'unknown' | 'accepted' | 'refused' = 'unknown';
  #probe: Promise<void> | undefined;

  get refused(): boolean {
    return this.#state === 'refused';
  }

  /** Resolves when a structured request may be sent; call the returned function once it has settled. */
  async admit(signal: AbortSignal): Promise<() => void> {
    while (this.#state === 'unknown' && this.#probe) await untilSettledOrAborted(this.#probe, signal);
    if (this.#state !== 'unknown') return () => {};
    let release = () => {};
    const probe = new Promise<void>((resolve) => (release = resolve));
    this.#probe = probe;
    return () => {
      if (this.#probe === probe) this.#probe = undefined;
      release();
    };
  }

  /** Runs `send(structured)`, deciding whether to ask for structured output and falling back once. */
  async call<T>(send: (structured: boolean) => Promise<T>): Promise<StructuredCall<T>> {
    if (this.#state === 'refused') return { value: await send(false) };
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
