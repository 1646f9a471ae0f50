import type { Redis } from 'ioredis';
import { redisKeys } from './protocol.js';

/** What a worker tells about itself every few seconds (a Redis hash that expires when it stops). */
export interface WorkerBeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly root: string;
  readonly version: string;
  readonly startedAt: string;
  readonly active: number;
  readonly done: number;
  readonly failed: number;
}

/** A beat lives this long: a worker killed without a word disappears from `vaflow workers` after it. */
export const BEAT_TTL_MS = 15_000;
export const BEAT_EVERY_MS = 5_000;

export async function writeBeat(redis: Redis, beat: WorkerBeat): Promise<void> {
  const key = redisKeys.worker(beat.id);
  await redis.multi().hset(key, { ...beat }).pexpire(key, BEAT_TTL_MS).exec();
}

export async function removeBeat(redis: Redis, id: string): Promise<void> {
  await redis.del(redisKeys.worker(id));
}

async function beatKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', redisKeys.workerPattern, 'COUNT', 500);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

export async function countWorkers(redis: Redis): Promise<number> {
  return (await beatKeys(redis)).length;
}

/** The workers alive now, by host then id. */
export async function listWorkers(redis: Redis): Promise<WorkerBeat[]> {
  const beats = await Promise.all((await beatKeys(redis)).map((key) => redis.hgetall(key)));
  return beats
    .filter((b) => b.id)
    .map((b) => ({
      id: b.id, host: b.host, pid: Number(b.pid), concurrency: Number(b.concurrency), root: b.root, version: b.version,
      startedAt: b.startedAt, active: Number(b.active), done: Number(b.done), failed: Number(b.failed),
    }))
    .sort((a, b) => a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
}
