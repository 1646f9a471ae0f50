import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FlowRecord } from '../../types/records.js';
import type { ChatResponse } from '../../types/providers.js';
import type { ItemKind, TaskContext } from '../../types/node-kind.js';
import type { TaskNode } from '../../types/graph.js';
import type { TaskRuntime } from '../../scheduler/task-runtime.js';
import type { ItemDispatcher, RemoteItemCall } from '../../scheduler/executor.js';
import { ConfigError, ExecutorError, InterruptedError } from '../../errors.js';
import { isBuiltinKind } from '../../kinds.js';
import { SlotQueue } from '../../scheduler/slot-queue.js';
import { AttemptsExhausted } from '../../scheduler/retry.js';
import { ChatExchangeHost } from './chat-exchange.js';
import { publishContext, republishContext } from './task-contexts.js';
import { RedisRetryBudget } from './retry-budget.js';
import { connectRedis, redisProblem, type RedisUrl } from './redis-connection.js';
import { sharedSpecDir, toShared } from './shared-root.js';
import { KEY_PREFIX, PROTOCOL_VERSION, QUEUE_NAME, RETENTION_SECONDS, redisKeys, type ItemJobData, type ItemJobResult, type TaskContextPayload } from './protocol.js';
import { countWorkers } from './worker-status.js';

/** How long a job may go unheard of before the coordinator asks Redis where it is. */
const POLL_MS = 2000;
/** How long Redis may be unreachable before the run stops (failed, resumable). */
export const DEFAULT_OUTAGE_MS = 5 * 60_000;
/** How long the first connection may take before `vaflow run` gives up. */
const CONNECT_MS = 10_000;
/** How long closing may wait for Redis to take the last removals. */
const CLOSE_MS = 3000;

interface Waiter {
  readonly promise: Promise<ItemJobResult>;
  readonly resolve: (result: ItemJobResult) => void;
  readonly reject: (error: Error) => void;
  readonly data: ItemJobData;
  readonly name: string;
  /** When the coordinator last heard of the job (added, checked, an event). */
  heardAt: number;
  /** Tasks sharing this job beyond the first (the same item key in two tasks of the run). */
  sharers: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The coordinator's half of the Redis executor: connections, the queue, and what it hears back. */
export class RedisExecutor implements ItemDispatcher {
  readonly id = randomUUID();
  readonly #waiters = new Map<string, Waiter>();
  readonly #nodeQueues = new Map<string, SlotQueue>();
  readonly #collected: string[] = [];
  /** What this coordinator put into Redis besides jobs, to put back when Redis comes back empty. */
  readonly #contexts = new Map<string, string>();
  readonly #budgets = new Map<string, number>();
  readonly #timers: NodeJS.Timeout[] = [];
  #runtime: TaskRuntime | undefined;
  #exchange: ChatExchangeHost | undefined;
  #downSince: number | undefined;
  #warnedNoWorker = false;
  #closed = false;

  private constructor(
    readonly url: RedisUrl,
    readonly sharedRoot: string,
    private readonly main: Redis,
    private readonly sub: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly eventsConnection: Redis,
    private readonly outageMs: number,
  ) {}

  /** Connects (failing within seconds when Redis cannot be reached), before anything of the run is written. */
  static async connect(url: RedisUrl, options: { readonly sharedRoot: string; readonly outageMs?: number }): Promise<RedisExecutor> {
    let lastError: unknown;
    const main = connectRedis(url, { name: 'vaflow:coordinator', onError: (error) => (lastError = error) });
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => main.once('ready', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CONNECT_MS).unref()),
    ]);
    if (!ready) {
      main.disconnect();
      throw new ConfigError(`cannot reach the executor: ${redisProblem(url, lastError ?? new Error(`no answer within ${CONNECT_MS / 1000} s`))}`);
    }
    const sub = main.duplicate({ connectionName: 'vaflow:coordinator:sub' });
    sub.on('error', () => undefined);
    const eventsConnection = main.duplicate({ connectionName: 'vaflow:coordinator:events' });
    eventsConnection.on('error', () => undefined);
    const queue = new Queue(QUEUE_NAME, { connection: main, prefix: KEY_PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection, prefix: KEY_PREFIX });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    await events.waitUntilReady();
    return new RedisExecutor(url, options.sharedRoot, main, sub, queue, events, eventsConnection, options.outageMs ?? DEFAULT_OUTAGE_MS);
  }

  /** Starts serving a run: events, the chat-answer exchange, the poll for jobs not heard of, the outage watch. */
  async attach(runtime: TaskRuntime): Promise<void> {
    this.#runtime = runtime;
    this.#exchange = new ChatExchangeHost({ id: this.id, pub: this.main, sub: this.sub, chatCalls: runtime.chatCalls });
    await this.#exchange.start();
    this.events.on('completed', ({ jobId, returnvalue }) => this.#finished(jobId, returnvalue as unknown as ItemJobResult));
    this.events.on('failed', ({ jobId, failedReason }) => this.#failed(jobId, failedReason));
    this.events.on('stalled', ({ jobId }) => this.#stalled(jobId));
    this.main.on('close', () => this.#lost());
    this.main.on('ready', () => this.#back());
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(POLL_MS, () => void this.#poll());
    every(250, () => void this.#removeCollected());
    every(1000, () => this.#watchOutage());
    runtime.stopSignal.addEventListener('abort', () => void this.#withdrawWaiting(), { once: true });
    runtime.abortSignal.addEventListener('abort', () => this.#rejectAll(new InterruptedError('interrupted: the item was still running on a worker; a resume collects its result')), { once: true });
    const workers = await countWorkers(this.main);
    this.#log('info', `executor ${this.url.shown}: ${workers} worker${workers === 1 ? '' : 's'} connected`);
  }

  async forTask(
    task: TaskNode,
    kind: ItemKind,
    ctx: TaskContext<Record<string, unknown>>,
    onRetry: (info: { attempt: number; delayMs: number; error: { code: string } }, itemId: string) => void,
  ): Promise<RemoteItemCall> {
    const runtime = this.#runtime!;
    const payload: TaskContextPayload = {
      v: PROTOCOL_VERSION,
      taskId: task.id,
      nodeId: task.nodeId,
      kind: kind.name,
      kindModule: isBuiltinKind(task.kind) ? { builtin: task.kind } : toShared(this.sharedRoot, path.resolve(runtime.specDir, task.kind)),
      kindVersion: kind.version,
      params: task.params,
      coords: task.coords,
      ...(ctx.model ? { model: ctx.model } : {}),
      ...(ctx.embedder ? { embedder: ctx.embedder } : {}),
      spec: runtime.spec,
      specDir: sharedSpecDir(this.sharedRoot, runtime.specDir),
      runDir: toShared(this.sharedRoot, runtime.run.dir),
      seed: runtime.seed,
      settings: { retries: task.settings.retries, timeoutMs: task.settings.timeoutMs },
    };
    const { hash: context, json } = await publishContext(this.main, payload);
    this.#contexts.set(context, json);
    const budget = redisKeys.budget(this.id, task.id);
    await RedisRetryBudget.create(this.main, budget, task.settings.retryBudget);
    this.#budgets.set(budget, task.settings.retryBudget);
    const nodeQueue = this.#nodeQueue(task);
    return async (input: FlowRecord, repeat: number, key: string) => {
      const data: ItemJobData = { v: PROTOCOL_VERSION, context, input, repeat, coordinator: this.id, budget };
      const dispatch = () => this.#dispatch(key, data, kind.name);
      const { result, shared } = nodeQueue ? await nodeQueue.run(dispatch, runtime.abortSignal) : await dispatch();
      return this.#collect(key, result, shared, task, input.id, onRetry);
    };
  }

  /** Stops listening; jobs still queued or running stay in Redis for a resume. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#exchange?.close();
    this.#rejectAll(new InterruptedError('the run ended'));
    // With Redis away, commands would wait for it forever: whatever is left stays for a resume.
    if (this.main.status === 'ready') await Promise.race([this.#removeCollected(), delay(CLOSE_MS)]);
    // Closing marks them closed at once (QueueEvents' read loop ends); the close itself completes
    // when the connections below are gone, which may be never while Redis is away: not awaited.
    const closing = Promise.allSettled([this.events.close(), this.queue.close()]);
    await Promise.race([closing, delay(this.main.status === 'ready' ? CLOSE_MS : 0)]);
    // BullMQ leaves connections it was given open.
    for (const connection of [this.eventsConnection, this.sub, this.main]) connection.disconnect();
  }

  /** A node's own cap (`with.concurrency`) bounds its jobs in flight across all workers; the run's cap does not apply to workers. */
  #nodeQueue(task: TaskNode): SlotQueue | undefined {
    const cap = task.settings.concurrency;
    if (cap === null) return undefined;
    let queue = this.#nodeQueues.get(task.nodeId);
    if (!queue) this.#nodeQueues.set(task.nodeId, (queue = new SlotQueue(cap)));
    return queue;
  }

  /**
   * The job of item `key`: its result when Redis already holds it (a resume, another coordinator),
   * else added (a no-op when the job is queued or running already: job ids are cache keys, so an
   * item is never computed twice at once), then awaited.
   */
  async #dispatch(key: string, data: ItemJobData, name: string): Promise<{ result: ItemJobResult; shared: boolean }> {
    const known = this.#waiters.get(key);
    if (known) {
      known.sharers++;
      return { result: await known.promise, shared: true };
    }
    const waiter = this.#wait(key, data, name);
    // Not awaited by itself: while Redis is away the commands wait, and the outage watch must be able
    // to end the item through its waiter.
    this.#enqueue(key, waiter).catch((error: unknown) => waiter.reject(error instanceof Error ? error : new Error(String(error))));
    return { result: await waiter.promise, shared: false };
  }

  #wait(key: string, data: ItemJobData, name: string): Waiter {
    let resolve!: (result: ItemJobResult) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<ItemJobResult>((res, rej) => ((resolve = res), (reject = rej)));
    const waiter: Waiter = { promise, resolve, reject, data, name, heardAt: Date.now(), sharers: 0 };
    this.#waiters.set(key, waiter);
    void promise.then(() => this.#waiters.delete(key), () => this.#waiters.delete(key));
    return waiter;
  }

  async #enqueue(key: string, waiter: Waiter): Promise<void> {
    const state = await this.queue.getJobState(key);
    if (state === 'completed' || state === 'failed') {
      const job = await Job.fromId<ItemJobData, ItemJobResult>(this.queue, key);
      const result = job?.returnvalue;
      // A finished success is collected (resume: no payment); an error is never reused: computed again.
      if (state === 'completed' && result && !result.error) return waiter.resolve(result);
      await this.queue.remove(key);
    } else if (state !== 'unknown') {
      return;
    }
    await this.queue.add(waiter.name, waiter.data, { jobId: key, removeOnComplete: { age: RETENTION_SECONDS }, removeOnFail: { age: RETENTION_SECONDS } });
    waiter.heardAt = Date.now();
  }

  #finished(jobId: string, result: ItemJobResult): void {
    // Calls its other executions hold stay theirs: they may be alive and answer (chat-grants.ts).
    if (result?.exec) this.#exchange?.settleExecution(result.exec, result.chat);
    this.#waiters.get(jobId)?.resolve(result);
  }

  /** BullMQ failed the job itself (a worker lost it too often, or the worker could not run it at all). */
  #failed(jobId: string, reason: string): void {
    this.#waiters.get(jobId)?.reject(new ExecutorError(`the job failed on the workers: ${reason}`));
  }

  /** Its lock lapsed: the job runs again, and its first execution may still be running (chat-grants.ts decides when it is dead). */
  #stalled(jobId: string): void {
    const waiter = this.#waiters.get(jobId);
    if (!waiter) return;
    waiter.heardAt = Date.now();
    this.#log('warn', `item ${waiter.data.input.id}: its worker stopped answering (killed?); the job goes to another worker`);
  }

  /**
   * Stores what a worker paid for and replays what happened on the way, then hands the engine the
   * result (or the item's error). A second task sharing the job counts its answers as reused.
   */
  #collect(key: string, result: ItemJobResult, shared: boolean, task: TaskNode, itemId: string, onRetry: (info: { attempt: number; delayMs: number; error: { code: string } }, itemId: string) => void) {
    const runtime = this.#runtime!;
    if (result.v !== PROTOCOL_VERSION) throw new ExecutorError(`a worker answered in protocol ${result.v}, this coordinator speaks ${PROTOCOL_VERSION}: run one vaflow version everywhere`);
    const cache = runtime.cacheMode.write ? runtime.cache : null;
    for (const [chatKey, answer, model] of result.chat) storeAnswer(cache, chatKey, answer, task.id, model);
    if (!shared) {
      for (const retry of result.retries) onRetry({ attempt: retry.attempt, delayMs: retry.delayMs, error: { code: retry.code } }, itemId);
      for (const event of result.logs) runtime.lifeCycle.log?.({ ...event, task: task.id });
      this.#collected.push(key);
    }
    if (result.error) throw remoteError(result.error);
    const tally = shared ? { called: 0, reused: result.tally.called + result.tally.reused } : result.tally;
    return { result: result.ok!, tally };
  }

  /** Collected jobs leave Redis once the cache has committed what they brought. */
  async #removeCollected(): Promise<void> {
    if (this.#collected.length === 0) return;
    try {
      this.#runtime?.cache?.flush();
    } catch {
      return; // The run fails on its own; the results stay in Redis for a resume.
    }
    const keys = this.#collected.splice(0);
    await Promise.allSettled(keys.map((key) => this.queue.remove(key)));
  }

  /** Jobs not heard of for a while: finished unnoticed (events are trimmed), or gone (Redis lost its data). */
  async #poll(): Promise<void> {
    if (this.#downSince !== undefined) return;
    const now = Date.now();
    const quiet = [...this.#waiters.entries()].filter(([, w]) => now - w.heardAt >= POLL_MS);
    if (quiet.length === 0) return;
    await this.#warnIfNoWorker();
    let vanished = 0;
    for (let i = 0; i < quiet.length; i += 200) {
      const checked = await Promise.allSettled(quiet.slice(i, i + 200).map(([key, waiter]) => this.#check(key, waiter)));
      vanished += checked.filter((c) => c.status === 'fulfilled' && c.value).length;
    }
    if (vanished > 0) this.#log('warn', `${vanished} job${vanished === 1 ? '' : 's'} had vanished from Redis (restarted without persistence?): queued again`);
  }

  /** Where a job is now; true when it had vanished and was queued again. */
  async #check(key: string, waiter: Waiter): Promise<boolean> {
    const state = await this.queue.getJobState(key);
    waiter.heardAt = Date.now();
    if (state === 'completed' || state === 'failed') {
      const job = await Job.fromId<ItemJobData, ItemJobResult>(this.queue, key);
      if (!job) return false;
      if (state === 'completed') this.#finished(key, job.returnvalue);
      else this.#failed(key, job.failedReason);
    } else if (state === 'unknown') {
      // Calls its executions hold pass on once those are found not running (chat-grants.ts).
      await this.queue.add(waiter.name, waiter.data, { jobId: key, removeOnComplete: { age: RETENTION_SECONDS }, removeOnFail: { age: RETENTION_SECONDS } });
      return true;
    }
    return false;
  }

  async #warnIfNoWorker(): Promise<void> {
    if (this.#warnedNoWorker) return;
    if ((await countWorkers(this.main)) > 0) return;
    this.#warnedNoWorker = true;
    this.#log('warn', `no worker is connected to ${this.url.shown}: jobs wait until one starts (vaflow worker --redis …)`);
  }

  /** The first interrupt: jobs no worker has started are taken back; running ones may finish in the grace period. */
  async #withdrawWaiting(): Promise<void> {
    await Promise.allSettled([...this.#waiters.entries()].map(async ([key, waiter]) => {
      if ((await this.queue.remove(key)) === 1) waiter.reject(new InterruptedError('interrupted: the job had not started'));
    }));
  }

  #rejectAll(error: Error): void {
    for (const waiter of this.#waiters.values()) waiter.reject(error);
  }

  #lost(): void {
    if (this.#closed || this.#downSince !== undefined) return;
    this.#downSince = Date.now();
    this.#log('warn', `lost the connection to ${this.url.shown}; waiting for it (the run stops after ${Math.round(this.outageMs / 1000)} s)`);
  }

  #back(): void {
    if (this.#downSince === undefined) return;
    const seconds = ((Date.now() - this.#downSince) / 1000).toFixed(1);
    this.#downSince = undefined;
    this.#log('info', `${this.url.shown} is back after ${seconds} s`);
    void this.#restore();
  }

  /** After an outage: contexts and budgets back in place (a no-op unless Redis lost its data), then every job looked at. */
  async #restore(): Promise<void> {
    await Promise.allSettled([
      ...[...this.#contexts].map(([hash, json]) => republishContext(this.main, hash, json)),
      ...[...this.#budgets].map(([key, total]) => RedisRetryBudget.create(this.main, key, total)),
    ]);
    for (const waiter of this.#waiters.values()) waiter.heardAt = 0;
    await this.#poll();
  }

  #watchOutage(): void {
    if (this.#downSince === undefined || Date.now() - this.#downSince < this.outageMs) return;
    const error = new ExecutorError(
      `${this.url.shown} unreachable for ${Math.round((Date.now() - this.#downSince) / 1000)} s: the run stops. ` +
        `Finished items are in the cache; resume with vaflow run --resume ${this.#runtime?.run.id ?? 'latest'} once Redis is back`,
    );
    this.#runtime?.failure.fail(error);
    this.#rejectAll(error);
  }

  #log(level: 'info' | 'warn', message: string): void {
    this.#runtime?.lifeCycle.log?.({ level, message });
  }
}

function storeAnswer(cache: TaskRuntime['cache'], key: string, answer: ChatResponse, origin: string, model: string): void {
  if (!cache || cache.get(key) !== undefined) return;
  cache.put(key, answer, { namespace: 'chat', origin, model, durable: true });
}

/** The item's error as the worker described it, rebuilt so the errors file reads exactly as in-process. */
function remoteError(described: NonNullable<ItemJobResult['error']>): Error {
  const error = new Error(described.message) as Error & { code?: string; status?: number };
  if (described.class !== 'Error') error.name = described.class;
  error.code = described.code;
  if (described.status !== undefined) error.status = described.status;
  return new AttemptsExhausted(error, described.attempts);
}

