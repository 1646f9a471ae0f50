import type { Redis } from 'ioredis';
import type { ChatResponse } from '../../types/providers.js';
import type { ChatCalls } from '../../scheduler/chat-calls.js';
import { ExecutorError } from '../../errors.js';
import { raceAbort } from '../../scheduler/abort.js';
import { ChatGrants } from './chat-grants.js';
import { redisLiveness, type Liveness } from './executions.js';
import { PROTOCOL_VERSION, redisKeys, type CallRef, type CoordinatorMessage, type CoordinatorReply, type PaidAnswer, type WorkerMessage } from './protocol.js';

/**
 * The chat-answer exchange: an execution about to make a chat call asks the job's coordinator first,
 * over Redis pub/sub, because only the coordinator holds the cache. The coordinator answers through
 * its ChatCalls, exactly as for a local call: a cached answer or one shared with an identical call in
 * flight (on any worker, by any execution, of this job or another) is a `hit`; otherwise the asking
 * execution gets the right to pay for the call (ChatGrants) and is told to `go`. It sends the answer
 * back the moment it arrives and is told which answer stands: its own (`kept`, stored at once), or,
 * should another execution's have been stored meanwhile (it was taken for dead and the right passed
 * on), that one, which it uses instead. So the record of an execution and the cache hold one answer.
 * The answers a job paid for also travel in its return value, which stays in Redis until a
 * coordinator has stored them: a coordinator killed meanwhile finds them on resume.
 */

/** Every wait of a worker on its coordinator is bounded by these (ms). */
export interface ExchangeLimits {
  /** A request not answered (a reply lost while Redis was away) or told to wait is sent again after this. */
  readonly resendMs: number;
  /** A coordinator silent this long (subscribed, yet answering nothing) is an error. */
  readonly silenceMs: number;
  /** The longest wait for another execution's call, however alive it is. */
  readonly waitMs: number;
}

export const EXCHANGE_LIMITS: ExchangeLimits = { resendMs: 5000, silenceMs: 30_000, waitMs: 10 * 60_000 };

/** Messages of version 1 carried no version. */
const mismatch = (them: string, theirs: unknown, us: string) =>
  `${them} speaks chat-exchange protocol ${String(theirs ?? 1)}, ${us} ${PROTOCOL_VERSION}: run one vaflow version everywhere`;

/** The coordinator's side: answers its workers' questions through the run's ChatCalls. */
export class ChatExchangeHost {
  readonly #grants: ChatGrants;
  readonly #channel: string;

  constructor(private readonly options: { readonly id: string; readonly pub: Redis; readonly sub: Redis; readonly chatCalls: ChatCalls; readonly liveness?: Liveness; readonly checkMs?: number }) {
    this.#channel = redisKeys.coordinatorChannel(options.id);
    this.#grants = new ChatGrants(options.liveness ?? redisLiveness(options.pub));
  }

  async start(): Promise<void> {
    this.options.sub.on('message', (channel: string, text: string) => {
      if (channel === this.#channel) this.#onMessage(JSON.parse(text) as WorkerMessage);
    });
    await this.options.sub.subscribe(this.#channel);
    this.#grants.start(this.options.checkMs);
  }

  /** An execution's job completed: calls it holds and did not answer are over (or answered by its return value). */
  settleExecution(exec: string, answers?: readonly PaidAnswer[]): void {
    this.#grants.settleExecution(exec, answers);
  }

  close(): void {
    this.#grants.close();
  }

  #onMessage(message: WorkerMessage): void {
    if (message.t === 'failed') {
      if (message.v === PROTOCOL_VERSION) this.#grants.settle(message.key, message.exec, { error: new Error('the call failed') });
      return;
    }
    // Every reply carries this side's version and the request's id.
    const reply = (body: CoordinatorReply) => this.options.pub.publish(message.reply, JSON.stringify({ v: PROTOCOL_VERSION, id: message.id, ...body } satisfies CoordinatorMessage));
    const send = (body: CoordinatorReply) => void reply(body).catch(() => undefined);
    if (message.v !== PROTOCOL_VERSION) {
      if (typeof message.reply === 'string') send({ t: 'refused', reason: mismatch(`worker ${String(message.worker)}`, message.v, 'its coordinator') });
      return;
    }
    const wait = () => send({ t: 'wait' });
    if (message.t === 'answer') {
      if (this.#grants.settle(message.key, message.exec, { answer: message.answer })) return send({ t: 'kept' });
      // Not (or no longer) its call: whatever stands for the key stands; with nothing standing, its answer does.
      this.options.chatCalls.answer(message.key, message.origin, message.model, () => Promise.resolve(message.answer), wait).then(
        ({ response, reused }) => send(reused ? { t: 'hit', answer: response } : { t: 'kept' }),
        () => undefined,
      );
      return;
    }
    // Asked again by the execution that holds the call: its `go` was lost.
    if (this.#grants.holder(message.key)?.exec === message.exec) return send({ t: 'go' });
    const produce = () => {
      const answered = this.#grants.open(message.key, message);
      // Nobody listens any more (the worker died): whoever waits for this call goes ahead.
      const lost = () => this.#grants.settle(message.key, message.exec, { error: new Error('its worker is gone') });
      void reply({ t: 'go' }).then((receivers) => void (receivers === 0 && lost()), lost);
      return answered;
    };
    this.options.chatCalls.answer(message.key, message.origin, message.model, produce, wait).then(
      ({ response, reused }) => {
        if (reused) send({ t: 'hit', answer: response });
      },
      // The granted call failed: its execution knows, and a waiter was let go by ChatCalls.
      () => undefined,
    );
  }
}

export type Reply = { readonly hit: ChatResponse } | 'go';

type Answered = { readonly t: 'go' | 'kept' } | Extract<CoordinatorMessage, { t: 'hit' }>;

type Body = Omit<Extract<WorkerMessage, { t: 'ask' }>, 'v' | 'id' | 'reply' | 'worker'> | Omit<Extract<WorkerMessage, { t: 'answer' }>, 'v' | 'id' | 'reply' | 'worker'>;

/** A worker's side: one subscription for the replies to all its questions. */
export class ChatExchangeClient {
  readonly #pending = new Map<number, (message: CoordinatorMessage) => void>();
  readonly #channel: string;
  readonly #limits: ExchangeLimits;
  #next = 0;

  constructor(private readonly options: { readonly workerId: string; readonly pub: Redis; readonly sub: Redis; readonly limits?: Partial<ExchangeLimits> }) {
    this.#channel = redisKeys.workerChannel(options.workerId);
    this.#limits = { ...EXCHANGE_LIMITS, ...options.limits };
  }

  get workerId(): string {
    return this.options.workerId;
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
   * Asks `coordinator` about a call: its answer, or 'go' (this execution makes the call). 'go' too when
   * nobody listens on the coordinator's channel (it is gone: the answer travels in the job's return value).
   */
  async ask(coordinator: string, call: Omit<CallRef, 'worker'>, signal: AbortSignal): Promise<Reply> {
    const reply = await this.#request(coordinator, { t: 'ask', ...call }, signal, () => ({ t: 'go' }));
    return reply.t === 'hit' ? { hit: reply.answer } : 'go';
  }

  /**
   * Sends the answer of a call this execution made and returns the answer that stands (another
   * execution's, if the coordinator stored that one first); its own when nobody listens or the
   * coordinator stays silent (it is not lost: it travels in the job's return value).
   */
  async deliver(coordinator: string, call: Omit<CallRef, 'worker'>, answer: ChatResponse): Promise<{ readonly answer: ChatResponse; readonly kept: boolean }> {
    const keep = () => ({ t: 'kept' }) as const;
    const reply = await this.#request(coordinator, { t: 'answer', ...call, answer }, undefined, keep, keep).catch(keep);
    return reply.t === 'hit' ? { answer: reply.answer, kept: false } : { answer, kept: true };
  }

  tell(coordinator: string, message: { readonly key: string; readonly exec: string }): void {
    const failed: WorkerMessage = { t: 'failed', v: PROTOCOL_VERSION, ...message };
    void this.options.pub.publish(redisKeys.coordinatorChannel(coordinator), JSON.stringify(failed)).catch(() => undefined);
  }

  /**
   * One request until its reply: sent again every resendMs (the reply may have been lost; while told
   * to wait, to show the coordinator is still there); `nobody` decides when no one listens, `silent`
   * when the coordinator stays silent for silenceMs (an error by default); an error past waitMs.
   * Every path ends: Redis away makes the coordinator silent.
   */
  #request(
    coordinator: string,
    body: Body,
    signal: AbortSignal | undefined,
    nobody: () => Answered,
    silent?: () => Answered,
  ): Promise<Answered> {
    const id = this.#next++;
    const channel = redisKeys.coordinatorChannel(coordinator);
    const text = JSON.stringify({ ...body, v: PROTOCOL_VERSION, id, worker: this.options.workerId, reply: this.#channel } satisfies WorkerMessage);
    const started = Date.now();
    let heard = started;
    const replied = new Promise<Answered>((resolve, reject) => {
      // An aborted request stops asking; raceAbort below rejects it.
      const onAbort = () => finish(() => undefined);
      const finish = (end: () => void) => {
        clearInterval(timer);
        this.#pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        end();
      };
      const send = () => void this.options.pub.publish(channel, text).then((receivers) => receivers === 0 && finish(() => resolve(nobody())), () => undefined);
      const timer = setInterval(() => {
        const now = Date.now();
        if (now - heard >= this.#limits.silenceMs) {
          if (silent) return finish(() => resolve(silent()));
          return finish(() => reject(new ExecutorError(`the coordinator ${coordinator} has not answered about a chat call for ${Math.round((now - heard) / 1000)} s (Redis unreachable, or the coordinator is stuck)`)));
        }
        if (now - started >= this.#limits.waitMs) {
          return finish(() => reject(new ExecutorError(`waited ${Math.round((now - started) / 1000)} s for another execution's answer to a chat call: giving up`)));
        }
        send();
      }, this.#limits.resendMs);
      timer.unref();
      this.#pending.set(id, (reply) => {
        heard = Date.now();
        if (reply.v !== PROTOCOL_VERSION) return finish(() => reject(new ExecutorError(mismatch(`the coordinator ${coordinator}`, reply.v, `worker ${this.options.workerId}`))));
        if (reply.t === 'refused') return finish(() => reject(new ExecutorError(reply.reason)));
        if (reply.t !== 'wait') finish(() => resolve(reply));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      send();
    });
    return signal ? raceAbort(replied, signal) : replied;
  }
}
