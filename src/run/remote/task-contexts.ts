import type { Redis } from 'ioredis';
import { canonicalJson, sha256 } from '../../util/hash.js';
import { PROTOCOL_VERSION, RETENTION_SECONDS, redisKeys, type TaskContextPayload } from './protocol.js';

/**
 * Task contexts in Redis, content-addressed: a job names its task's context by hash, so a job stays
 * small (its record) however big the pipeline, and equal tasks (two coordinators) share one entry.
 */
export async function publishContext(redis: Redis, payload: TaskContextPayload): Promise<{ hash: string; json: string }> {
  const json = canonicalJson(payload);
  const hash = sha256(json);
  await republishContext(redis, hash, json);
  return { hash, json };
}

/** Puts a context back (Redis came back empty after a restart). */
export async function republishContext(redis: Redis, hash: string, json: string): Promise<void> {
  await redis.set(redisKeys.context(hash), json, 'EX', RETENTION_SECONDS);
}

/** A worker's reader of contexts, each fetched once (a few hundred at most stay in memory). */
export class ContextReader {
  readonly #seen = new Map<string, Promise<TaskContextPayload>>();

  constructor(private readonly redis: Redis, private readonly capacity = 256) {}

  get(hash: string): Promise<TaskContextPayload> {
    let pending = this.#seen.get(hash);
    if (!pending) {
      pending = this.#fetch(hash);
      pending.catch(() => this.#seen.delete(hash));
      if (this.#seen.size >= this.capacity) this.#seen.delete(this.#seen.keys().next().value as string);
      this.#seen.set(hash, pending);
    }
    return pending;
  }

  async #fetch(hash: string): Promise<TaskContextPayload> {
    const json = await this.redis.get(redisKeys.context(hash));
    if (json === null) throw new Error(`the task context ${hash.slice(0, 12)}… is gone from Redis (older than ${RETENTION_SECONDS / 86400} days, or Redis lost its data): rerun or resume the pipeline`);
    const payload = JSON.parse(json) as TaskContextPayload;
    if (payload.v !== PROTOCOL_VERSION) throw new Error(`a task context of protocol ${payload.v}, this worker speaks ${PROTOCOL_VERSION}: run the same vaflow version on the coordinator and the workers`);
    return payload;
  }
}
