import type { ChatProvider, ChatRequest, ChatResponse, ResolvedModel } from '../types/providers.js';
import type { TokenUsage } from '../types/records.js';
import type { CacheStore } from '../cache/store.js';
import type { CacheMode } from './task-runtime.js';
import type { EngineProviders } from './provider-services.js';
import type { CallHooks } from './provider-limiter.js';
import { chatCacheKeyFor, modelIdentity } from '../cache/key.js';
import { hashJson } from '../util/hash.js';
import { renderedRequest } from '../providers/identity.js';
import { raceAbort } from './abort.js';

/** What the chat calls of one item (all its attempts) cost: real calls and their tokens, and answers reused. */
export interface CallTally {
  /** Calls that reached the provider and answered. */
  called: number;
  /** Answers served from the cache or shared with an identical call in flight. */
  reused: number;
  /** Tokens of the real calls only. */
  usage?: TokenUsage;
}

export function emptyTally(): CallTally {
  return { called: 0, reused: 0 };
}

/** A call that reached the provider and answered: counted, with its tokens. */
export function countCalled(tally: CallTally, response: ChatResponse): void {
  tally.called++;
  if (response.usage) {
    const usage = tally.usage ?? { inputTokens: 0, outputTokens: 0 };
    tally.usage = { inputTokens: usage.inputTokens + response.usage.inputTokens, outputTokens: usage.outputTokens + response.usage.outputTokens };
  }
}

export interface AttemptScope {
  /** Sample index of the item: repeated sampling keeps its own answers. */
  readonly repeat: number;
  readonly tally: CallTally;
  /** Told when a call waits (for a slot, or for an identical call in flight) and when it really starts. */
  readonly hooks?: Omit<CallHooks, 'signal'>;
  /** Cache entry origin, for humans: the task id. */
  readonly origin: string;
}

/**
 * The chat calls kinds make, cached by what is sent rather than by the kind's params: the key is
 * the model identity, the request as the provider renders it and the sample index. So two tasks
 * that send the same request (a `matrix` over a param applied after the call, such as describe's
 * wordLimit) pay for it once, identical requests in flight share one call, and an answer is stored
 * the moment it arrives, even when its caller has stopped waiting for it (timeout, interrupt).
 */
export class ChatCalls {
  readonly #providers: EngineProviders;
  readonly #cache: CacheStore | null;
  readonly #mode: CacheMode;
  readonly #inFlight = new Map<string, Promise<ChatResponse>>();
  /** Keys answered in this run: readable even under --refresh, so a run never pays twice for one request. */
  readonly #answered = new Set<string>();
  readonly #onStoreError: (error: unknown) => void;
  readonly #stop: AbortSignal | undefined;
  /** Each resolved model's key function (its identity serialised once per run, not per call). */
  readonly #keyFor = new WeakMap<ResolvedModel, ReturnType<typeof chatCacheKeyFor>>();

  constructor(options: {
    readonly providers: EngineProviders;
    readonly cache: CacheStore | null;
    readonly mode: CacheMode;
    /** The run's first interrupt: from then on no call starts (one waiting for a rate slot included). */
    readonly stop?: AbortSignal;
    /** An answer that cannot be stored (full disk) is a run failure, reported here. */
    readonly onStoreError: (error: unknown) => void;
  }) {
    this.#providers = options.providers;
    this.#cache = options.cache;
    this.#mode = options.mode;
    this.#onStoreError = options.onStoreError;
    this.#stop = options.stop;
  }

  /** `providers.chat` as one attempt of one item sees it. */
  chatFor(scope: AttemptScope): (model: ResolvedModel) => Promise<ChatProvider> {
    return async (model) => {
      const resolved = await this.#providers.resolveModel(model);
      let keyOf = this.#keyFor.get(resolved);
      if (!keyOf) this.#keyFor.set(resolved, (keyOf = chatCacheKeyFor(modelIdentity(resolved))));
      // Which occurrence of an identical request inside this item: a kind asking twice gets two answers.
      // The first request is occurrence 0 whatever it says, so requests are fingerprinted only from
      // the second one on (most kinds ask once: a hash of the request per call saved).
      let first: unknown;
      let occurrences: Map<string, number> | undefined;
      return {
        id: model.id,
        call: (request) => {
          const rendered = renderedRequest(resolved, request);
          let occurrence = 0;
          if (first === undefined) first = rendered;
          else {
            occurrences ??= new Map([[hashJson(first), 1]]);
            const fingerprint = hashJson(rendered);
            occurrence = occurrences.get(fingerprint) ?? 0;
            occurrences.set(fingerprint, occurrence + 1);
          }
          const key = keyOf(rendered, scope.repeat, occurrence);
          return this.call(key, resolved, request, scope);
        },
      };
    };
  }

  /** One call by its key: from the cache, shared with an identical call in flight, or made (a worker of the Redis executor asks its coordinator instead). */
  protected async call(key: string, model: ResolvedModel, request: ChatRequest, scope: AttemptScope): Promise<ChatResponse> {
    // Until the limiter starts the call, the attempt waits (for a shared call, for the client to be
    // created — LangChain loads on the first call —, for a slot): none of that is call time.
    scope.hooks?.onQueued?.();
    const stored = this.#read(key);
    if (stored) {
      scope.tally.reused++;
      return stored;
    }
    const shared = this.#inFlight.get(key);
    if (shared) {
      try {
        const response = await raceAbort(shared, request.signal);
        scope.tally.reused++;
        return response;
      } catch (error) {
        // Our own abort ends the wait; the other caller's failure is its own: this call goes ahead.
        if (request.signal.aborted) throw error;
      }
    }
    const hooks = {
      onQueued: scope.hooks?.onQueued,
      onStart: () => {
        this.#stop?.throwIfAborted();
        scope.hooks?.onStart?.();
      },
    };
    const called = this.#providers.limitedChat(model).then((chat) => chat.call(request, hooks));
    // Notices (said once per run) belong to the call that learnt them, never to a shared or stored answer.
    const own = called.then(withoutNotices);
    this.#inFlight.set(key, own);
    // Registered before anyone awaits `own`: the answer is stored even when its caller stopped waiting.
    const committing = own.then((response) => this.#store(key, response, scope.origin, model.id), () => undefined);
    committing.catch(this.#onStoreError).finally(() => {
      if (this.#inFlight.get(key) === own) this.#inFlight.delete(key);
    });
    const response = await called;
    // The answer is committed (or the run is failing for it) before the engine acts on it.
    await committing.catch(() => undefined);
    countCalled(scope.tally, response);
    return response;
  }

  /**
   * The answer for `key` on behalf of a caller in another process (a worker of the Redis executor):
   * from the cache or an identical call in flight, as for a local call (`reused`), else `produce`
   * gets it and it is stored the moment it arrives. `onWait` is told when it waits for another call.
   */
  async answer(key: string, origin: string, model: string, produce: () => Promise<ChatResponse>, onWait?: () => void): Promise<{ response: ChatResponse; reused: boolean }> {
    for (;;) {
      const stored = this.#read(key);
      if (stored) return { response: stored, reused: true };
      const shared = this.#inFlight.get(key);
      if (!shared) break;
      onWait?.();
      // Its failure is its own: look again (another caller may have started it meanwhile), else go ahead.
      const response = await shared.catch(() => undefined);
      if (response) return { response, reused: true };
      if (this.#inFlight.get(key) === shared) break;
    }
    const own = produce();
    this.#inFlight.set(key, own);
    own.then((response) => this.#store(key, response, origin, model), () => undefined)
      .catch(this.#onStoreError)
      .finally(() => {
        if (this.#inFlight.get(key) === own) this.#inFlight.delete(key);
      });
    return { response: await own, reused: false };
  }

  #read(key: string): ChatResponse | undefined {
    if (!this.#cache || !(this.#mode.read || this.#answered.has(key))) return undefined;
    const value = this.#cache.get(key);
    return isChatResponse(value) ? value : undefined;
  }

  async #store(key: string, response: ChatResponse, origin: string, model: string): Promise<void> {
    if (!this.#cache || !this.#mode.write) return;
    const committed = this.#cache.putDurable(key, response, { namespace: 'chat', origin, model });
    this.#answered.add(key);
    await committed;
  }
}

/** A stored or shared answer: notices (said once per run) stay with the call that learnt them. */
export function withoutNotices(response: ChatResponse): ChatResponse {
  if (!response.notices) return response;
  const { notices: _notices, ...answer } = response;
  return answer;
}

function isChatResponse(value: unknown): value is ChatResponse {
  return typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string';
}
