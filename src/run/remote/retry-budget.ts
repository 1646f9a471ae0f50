import type { Redis } from 'ioredis';
import type { RetryAllowance } from '../../scheduler/retry.js';
import { RETENTION_SECONDS } from './protocol.js';

/** A task's retry budget (`retryBudget`) held in Redis, so that all workers draw on the one allowance. */
export class RedisRetryBudget implements RetryAllowance {
  constructor(private readonly redis: Redis, private readonly key: string) {}

  /** The coordinator sets it once per task and start (a resume gets a fresh budget, as in-process). */
  static async create(redis: Redis, key: string, total: number): Promise<void> {
    await redis.set(key, total, 'EX', RETENTION_SECONDS, 'NX');
  }

  async take(): Promise<boolean> {
    return (await this.redis.decr(this.key)) >= 0;
  }
}
