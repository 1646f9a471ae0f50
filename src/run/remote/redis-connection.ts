import { Redis, type RedisOptions } from 'ioredis';
import type { ExecutorSetting } from './executor-setting.js';

export type RedisUrl = ExecutorSetting & { kind: 'redis' };

/**
 * A connection to the executor's Redis. Coordinators and workers wait for a Redis that goes away
 * (commands queue and are sent again on reconnect, every 0.2–2 s: maxRetriesPerRequest null, as
 * BullMQ requires); `failFast` connections (`vaflow workers`) give up at the first refusal instead.
 * Errors reach `onError` with the URL shown without its password; ioredis itself never prints the URL.
 */
export function connectRedis(url: RedisUrl, options: { readonly name: string; readonly failFast?: boolean; readonly onError?: (error: Error) => void }): Redis {
  const base: RedisOptions = {
    connectionName: options.name,
    maxRetriesPerRequest: options.failFast ? 1 : null,
    retryStrategy: options.failFast ? () => null : (times) => Math.min(200 * times, 2000),
    enableReadyCheck: true,
    connectTimeout: 5000,
  };
  const redis = new Redis(url.url, base);
  // Without a listener ioredis prints every reconnect failure with a stack to stderr.
  redis.on('error', (error: Error) => options.onError?.(error));
  return redis;
}

/** Plain words for a connection failure: the URL (without password) and the cause. */
export function redisProblem(url: RedisUrl, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = code === 'ECONNREFUSED' ? 'connection refused (is redis-server running there?)'
    : code === 'ENOTFOUND' ? 'unknown host'
      : error instanceof Error ? error.message : String(error);
  return `Redis at ${url.shown}: ${reason}`;
}
