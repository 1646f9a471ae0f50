import type { Redis } from 'ioredis';
import type { ChatRequest, ChatResponse, ResolvedModel } from '../../types/providers.js';
import { ChatCalls, withoutNotices, type AttemptScope } from '../../scheduler/chat-calls.js';
import type { EngineProviders } from '../../scheduler/provider-services.js';
import { raceAbort } from '../../scheduler/abort.js';
import { redisKeys, type CoordinatorMessage, type PaidAnswer, type WorkerMessage } from './protocol.js';

/**
 * The chat-answer exchange: a worker about to make a chat call asks the job's coordinator first,
 * over Redis pub/sub, because only the coordinator holds the cache. The coordinator answers through
 * its ChatCalls, exactly as for a local call: a cached answer or one shared with an identical call in
 * flight (on any worker) is a `hit`; otherwise the worker is told to `go`, and sends the answer back
 * the moment it arrives, which the coordinator stores at once. So workers never pay twice for one
 * request, and a paid answer is in the cache before its item is done. The answers a job paid for
 * also travel in its return value, which stays in Redis until a coordinator has stored them: a
 * coordinator killed meanwhile finds them on resume.
 *
 * A coordinator that does not answer (killed, or Redis lost the message) costs a worker at most
 * ASK_TIMEOUT_MS before it makes the call itself.
 */
const ASK_TIMEOUT_MS = 5000;
/** While told to wait, how often a worker asks again (and so checks that the coordinator is still there). */
const WAIT_CHECK_MS = 5000;

interface Grant {
  readonly job: string;
  readonly resolve: (answer: ChatResponse) => void;
  readonly reject: (error: Error) => void;
}

/** The coordinator's side: answers its workers' questions through the run's ChatCalls. */
export class ChatExchangeHost {
  /** Chat keys a worker was told to call, by key: the answer resolves the ChatCalls entry in flight. */
  readonly #grants = new Map<string, Grant>();
  readonly #channel: string;

  constructor(private readonly options: { readonly id: string; readonly pub: Redis; readonly sub: Redis; readonly chatCalls: ChatCalls }) {
    this.#channel = redisKeys.coordinatorChannel(options.id);
  }

  async start(): Promise<void> {
    this.options.sub.on('message', (channel: string, text: string) => {
      if (channel === this.#channel) this.#onMessage(JSON.parse(text) as WorkerMessage);
    });
    await this.options.sub.subscribe(this.#channel);
  }

  /** A job ended (completed, failed or lost with its worker): calls it was granted and did not answer are over. */
  settleJob(job: string, answers: readonly PaidAnswer[] = []): void {
    const paid = new Map(answers.map(([key, answer]) => [key, answer]));
    for (const [key, grant] of this.#grants) {
      if (grant.job !== job) continue;
      this.#grants.delete(key);
      const answer = paid.get(key);
      if (answer) grant.resolve(answer);
      else grant.reject(new Error('the call ended without an answer'));
    }
  }

  close(): void {
    for (const grant of this.#grants.values()) grant.reject(new Error('the coordinator stopped'));
    this.#grants.clear();
  }

  #onMessage(message: WorkerMessage): void {
    if (message.t === 'ask') return this.#onAsk(message);
    const grant = this.#grants.get(message.key);
    if (!grant || grant.job !== message.job) return;
    this.#grants.delete(message.key);
    if (message.t === 'answer') grant.resolve(message.answer);
    else grant.reject(new Error('the call failed'));
  }

  #onAsk(ask: WorkerMessage & { t: 'ask' }): void {
    // The job asks again for a call it was granted: that call is over (the job was lost with its
    // worker, or vanished with Redis, and runs again), so whoever waits for it must not wait forever.
    const held = this.#grants.get(ask.key);
    if (held?.job === ask.job) {
      this.#grants.delete(ask.key);
      held.reject(new Error('the job runs again'));
    }
    const reply = (message: CoordinatorMessage) => this.options.pub.publish(ask.reply, JSON.stringify(message));
    const produce = () =>
      new Promise<ChatResponse>((resolve, reject) => {
        this.#grants.set(ask.key, { job: ask.job, resolve, reject });
        // Nobody listens any more (the worker died): whoever waits for this call goes ahead.
        void reply({ t: 'go', id: ask.id }).then((receivers) => {
          if (receivers === 0) this.#onMessage({ t: 'failed', key: ask.key, job: ask.job });
        }, () => this.#onMessage({ t: 'failed', key: ask.key, job: ask.job }));
      });
    this.options.chatCalls.answer(ask.key, ask.origin, ask.model, produce, () => void reply({ t: 'wait', id: ask.id }).catch(() => undefined)).then(
      ({ response, reused }) => {
        if (reused) void reply({ t: 'hit', id: ask.id, answer: response }).catch(() => undefined);
      },
      // The granted call failed: its worker knows, and a waiter was let go by ChatCalls.
      () => undefined,
    );
  }
}

type Reply = { readonly hit: ChatResponse } | 'go';

/** A worker's side: one subscription for the replies to all its questions. */
export class ChatExchangeClient {
  readonly #pending = new Map<number, (message: CoordinatorMessage) => void>();
  readonly #channel: string;
  #next = 0;

  constructor(private readonly options: { readonly workerId: string; readonly pub: Redis; readonly sub: Redis }) {
    this.#channel = redisKeys.workerChannel(options.workerId);
  }

  async start(): Promise<void> {
    this.options.sub.on('message', (channel: string, text: string) => {
      if (channel !== this.#channel) return;
      const message = JSON.parse(text) as CoordinatorMessage;
      this.#pending.get(message.id)?.(message);
    });
    await this.options.sub.subscribe(this.#channel);
  }

  /**
   * Asks `coordinator` about chat key `key`: its answer, or 'go' (make the call). Told to wait, the
   * worker asks again every WAIT_CHECK_MS (a reply lost while Redis was away must not hold it forever),
   * and goes ahead once nobody listens on the coordinator's channel.
   */
  async ask(coordinator: string, key: string, origin: string, model: string, job: string, signal: AbortSignal): Promise<Reply> {
    const id = this.#next++;
    const channel = redisKeys.coordinatorChannel(coordinator);
    const message = JSON.stringify({ t: 'ask', id, key, origin, model, job, reply: this.#channel } satisfies WorkerMessage);
    let waiting = false;
    let resolveReply!: (reply: Reply) => void;
    const replied = new Promise<Reply>((resolve) => (resolveReply = resolve));
    let timer: NodeJS.Timeout | undefined;
    const done = (reply: Reply) => {
      clearTimeout(timer);
      this.#pending.delete(id);
      resolveReply(reply);
    };
    const send = async () => {
      const receivers = await this.options.pub.publish(channel, message).catch(() => 0);
      if (receivers === 0) return done('go');
      timer = setTimeout(() => (waiting ? void send() : done('go')), waiting ? WAIT_CHECK_MS : ASK_TIMEOUT_MS);
    };
    this.#pending.set(id, (reply) => {
      if (reply.t === 'hit') return done({ hit: reply.answer });
      if (reply.t === 'go') return done('go');
      waiting = true;
    });
    void send();
    try {
      return await raceAbort(replied, signal);
    } finally {
      clearTimeout(timer);
      this.#pending.delete(id);
    }
  }

  tell(coordinator: string, message: WorkerMessage): void {
    void this.options.pub.publish(redisKeys.coordinatorChannel(coordinator), JSON.stringify(message)).catch(() => undefined);
  }
}

/**
 * A job's chat calls on a worker: the key is computed as in-process (ChatCalls.chatFor), then the
 * coordinator is asked; a `go` makes the call through this worker's limiter (shared through Redis),
 * and the answer goes back to the coordinator and into `paid` (the job's return value).
 */
export class WorkerChatCalls extends ChatCalls {
  readonly #engine: EngineProviders;
  readonly #stop: AbortSignal;

  constructor(
    providers: EngineProviders,
    private readonly exchange: ChatExchangeClient,
    private readonly job: { readonly id: string; readonly coordinator: string },
    readonly paid: PaidAnswer[],
    stop: AbortSignal,
  ) {
    super({ providers, cache: null, mode: { read: false, write: false }, stop, onStoreError: () => undefined });
    this.#engine = providers;
    this.#stop = stop;
  }

  protected override async call(key: string, model: ResolvedModel, request: ChatRequest, scope: AttemptScope): Promise<ChatResponse> {
    scope.hooks?.onQueued?.();
    const reply = await this.exchange.ask(this.job.coordinator, key, scope.origin, model.id, this.job.id, request.signal);
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
      this.exchange.tell(this.job.coordinator, { t: 'failed', key, job: this.job.id });
      throw error;
    }
    const shared = withoutNotices(response);
    this.paid.push([key, shared, model.id]);
    this.exchange.tell(this.job.coordinator, { t: 'answer', key, job: this.job.id, answer: shared });
    scope.tally.called++;
    if (response.usage) {
      const usage = scope.tally.usage ?? { inputTokens: 0, outputTokens: 0 };
      scope.tally.usage = { inputTokens: usage.inputTokens + response.usage.inputTokens, outputTokens: usage.outputTokens + response.usage.outputTokens };
    }
    return response;
  }
}
