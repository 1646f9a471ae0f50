import { Queue } from 'bullmq';
import { ConfigError } from '../../errors.js';
import { connectRedis, redisProblem, type RedisUrl } from './redis-connection.js';
import { listWorkers, type WorkerBeat } from './worker-status.js';
import { KEY_PREFIX, QUEUE_NAME } from './protocol.js';

export interface ExecutorStatus {
  /** The URL without its password. */
  readonly redis: string;
  readonly workers: readonly WorkerBeat[];
  readonly jobs: {
    /** Queued, not yet taken by a worker. */
    readonly waiting: number;
    /** Running on a worker now. */
    readonly active: number;
    /** Finished, with results a coordinator has not collected yet (a coordinator that was stopped). */
    readonly finished: number;
    /** Failed by BullMQ itself (lost with their workers too often): their coordinators record them as item errors. */
    readonly failed: number;
    /** Items the live workers finished since they started, and how many of those ended in an item error. */
    readonly done: number;
    readonly itemErrors: number;
  };
}

/** What `vaflow workers` shows; fails at once, naming the URL (without password), when Redis cannot be reached. */
export async function readExecutorStatus(url: RedisUrl): Promise<ExecutorStatus> {
  let problem: unknown;
  const redis = connectRedis(url, { name: 'vaflow:status', failFast: true, onError: (error) => (problem ??= error) });
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: KEY_PREFIX });
  queue.on('error', () => undefined);
  try {
    const [workers, counts] = await Promise.all([listWorkers(redis), queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed')]);
    return {
      redis: url.shown,
      workers,
      jobs: {
        waiting: counts.waiting + counts.prioritized + counts.delayed,
        active: counts.active,
        finished: counts.completed,
        failed: counts.failed,
        done: workers.reduce((n, w) => n + w.done + w.failed, 0),
        itemErrors: workers.reduce((n, w) => n + w.failed, 0),
      },
    };
  } catch (error) {
    throw new ConfigError(`vaflow workers: ${redisProblem(url, problem ?? error)}`);
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

export function formatExecutorStatus(status: ExecutorStatus): string {
  const lines = [`executor ${status.redis}: ${status.workers.length} worker${status.workers.length === 1 ? '' : 's'}`];
  for (const w of status.workers) {
    lines.push(`  ${w.id}  concurrency ${w.concurrency}  running ${w.active}  done ${w.done + w.failed} (${w.failed} item errors)  since ${w.startedAt}  root ${w.root}  vaflow ${w.version}`);
  }
  const j = status.jobs;
  lines.push(`jobs: ${j.waiting} waiting, ${j.active} active, ${j.done} done by these workers (${j.itemErrors} item errors), ${j.finished} finished and not yet collected, ${j.failed} failed`);
  return lines.join('\n') + '\n';
}
