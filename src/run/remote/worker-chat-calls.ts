import type { ChatRequest, ChatResponse, ResolvedModel } from '../../types/providers.js';
import { ChatCalls, countCalled, withoutNotices, type AttemptScope } from '../../scheduler/chat-calls.js';
import type { EngineProviders } from '../../scheduler/provider-services.js';
import type { ChatExchangeClient } from './chat-exchange.js';
import type { PaidAnswer } from './protocol.js';

/**
 * One execution's chat calls on a worker: the key is computed as in-process (ChatCalls.chatFor), then
 * the coordinator is asked (chat-exchange.ts); a `go` makes the call through this worker's limiter
 * (shared through Redis), and the answer goes back to the coordinator, which says which answer
 * stands. The execution goes on with that one, and `paid` (the job's return value) carries it when
 * it is its own.
 */
export class WorkerChatCalls extends ChatCalls {
  readonly #engine: EngineProviders;
  readonly #stop: AbortSignal;

  constructor(
    providers: EngineProviders,
    private readonly exchange: ChatExchangeClient,
    /** `register` lists the execution as running (executions.ts) before its first question: only a call's holder is ever looked up. */
    private readonly execution: { readonly exec: string; readonly coordinator: string; readonly register: () => void },
    readonly paid: PaidAnswer[],
    stop: AbortSignal,
  ) {
    super({ providers, cache: null, mode: { read: false, write: false }, stop, onStoreError: () => undefined });
    this.#engine = providers;
    this.#stop = stop;
  }

  protected override async call(key: string, model: ResolvedModel, request: ChatRequest, scope: AttemptScope): Promise<ChatResponse> {
    scope.hooks?.onQueued?.();
    const { exec, coordinator } = this.execution;
    const call = { key, origin: scope.origin, model: model.id, exec };
    this.execution.register();
    const reply = await this.exchange.ask(coordinator, call, request.signal);
    if (reply !== 'go') {
      scope.tally.reused++;
      return reply.hit;
    }
    const hooks = {
      onQueued: scope.hooks?.onQueued,
      onStart: () => {
        this.#stop.throwIfAborted();
        scope.hooks?.onStart?.();
      },
    };
    let response: ChatResponse;
    try {
      response = await this.#engine.limitedChat(model).then((chat) => chat.call(request, hooks));
    } catch (error) {
      this.exchange.tell(coordinator, { key, exec });
      throw error;
    }
    // Paid for, whichever answer stands.
    countCalled(scope.tally, response);
    const standing = await this.exchange.deliver(coordinator, call, withoutNotices(response));
    if (!standing.kept) return standing.answer;
    this.paid.push([key, standing.answer, model.id]);
    return response;
  }
}
