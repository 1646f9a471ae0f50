import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from './protocol.js';

/**
 * Executions of jobs. BullMQ runs a job at least once: a worker whose lock renewal is late loses the
 * job to another while its own execution goes on. Each execution has its own id (its job id and a
 * random part), and each worker keeps the ids of its running executions that have asked about a chat
 * call (only a call's holder is ever looked up) in a Redis set with a short TTL, rewritten every
 * REFRESH_MS: the set vanishes within RUNNING_TTL_MS of its worker's death or
 * stop, while a slow execution (a long call, a busy but live event loop) stays in it.
 */

/** How often a worker rewrites its running set. */
export const REFRESH_MS = 1000;
/** How long a running set outlives its last rewrite: longer than a lapsed lock's usual cause (a stop of a few seconds). */
export const RUNNING_TTL_MS = 10_000;

/** A new execution of job `jobId`. */
export function executionId(jobId: string): string {
  return `${jobId}/${randomUUID()}`;
}

/** A worker's side: its running executions that asked about a call, kept in `redisKeys.running(worker)`. */
export class RunningExecutions {
  readonly #ids = new Set<string>();
  readonly #key: string;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly redis: Redis, worker: string, private readonly ttlMs = RUNNING_TTL_MS) {
    this.#key = redisKeys.running(worker);
  }

  start(refreshMs = REFRESH_MS): void {
    this.#timer = setInterval(() => {
      // While Redis is away the rewrite would only queue up; `ready` rewrites it at once (worker.ts).
      if (this.redis.status === 'ready') this.refresh();
    }, refreshMs);
    this.#timer.unref();
  }

  /**
   * Sent before the execution's first question to its coordinator, on the same connection, so Redis
   * has it in the set before the coordinator can look.
   */
  /** Idempotent: an execution registers before each question to its coordinator, sent once. */
  add(exec: string): void {
    if (this.#ids.has(exec)) return;
    this.#ids.add(exec);
    // One id, not the whole set: a job's start and end cost O(1) in Redis at any concurrency.
    void this.redis.multi().sadd(this.#key, exec).pexpire(this.#key, this.ttlMs).exec().catch(() => undefined);
  }

  delete(exec: string): void {
    if (!this.#ids.delete(exec)) return;
    void this.redis.srem(this.#key, exec).catch(() => undefined);
  }

  /** Rewrites the set (after Redis came back empty too). Never awaited: an execution does not wait for Redis here. */
  refresh(): void {
    const write = this.redis.multi().del(this.#key);
    if (this.#ids.size > 0) write.sadd(this.#key, ...this.#ids).pexpire(this.#key, this.ttlMs);
    void write.exec().catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#ids.clear();
    await this.redis.del(this.#key).catch(() => undefined);
  }
}

/** Who holds a call: an execution, on a worker. */
export interface Holder {
  readonly exec: string;
  readonly worker: string;
}

/** Whether executions are running: true, false, or undefined when it cannot be told (Redis away). */
export type Liveness = (holders: readonly Holder[]) => Promise<readonly (boolean | undefined)[]>;

/** The coordinator's side: looks executions up in their workers' running sets, in one round trip. */
export function redisLiveness(redis: Redis): Liveness {
  return async (holders) => {
    if (holders.length === 0 || redis.status !== 'ready') return holders.map(() => undefined);
    const pipeline = redis.pipeline();
    for (const holder of holders) pipeline.sismember(redisKeys.running(holder.worker), holder.exec);
    const replies = await pipeline.exec().catch(() => null);
    return holders.map((_, i) => {
      const [error, value] = replies?.[i] ?? [new Error('no reply'), null];
      return error ? undefined : value === 1;
    });
  };
}
