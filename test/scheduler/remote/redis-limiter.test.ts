/**
 * The Redis-side provider limiter binds separate processes together: here two limiters on two
 * connections stand for two workers on two machines, against a real redis-server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisProviderLimiter } from '../../../src/run/remote/redis-limiter.js';
import { ProviderError } from '../../../src/errors.js';
import { startRedisServer } from '../../helpers/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('concurrency, requests per minute and a 429 slowdown hold across limiters on separate connections', { timeout: 60_000 }, async () => {
  const redis = await startRedisServer();
  try {
    const [a, b] = [redis.client(), redis.client()];

    // concurrency: 3 for the provider, whoever calls.
    const capped = [new RedisProviderLimiter(a, 'p-conc', { concurrency: 3 }), new RedisProviderLimiter(b, 'p-conc', { concurrency: 3 })];
    let inFlight = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 12 }, (_, i) => capped[i % 2]!.run(0, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(30);
      inFlight--;
    }, () => undefined)));
    assert.equal(peak, 3, 'at most three calls in flight across both');

    // requestsPerMinute: 1200 is one start per 50 ms for both together, not for each.
    const paced = [new RedisProviderLimiter(a, 'p-rate', { requestsPerMinute: 1200 }), new RedisProviderLimiter(b, 'p-rate', { requestsPerMinute: 1200 })];
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => paced[i % 2]!.run(0, async () => void starts.push(Date.now()), () => undefined)));
    starts.sort((x, y) => x - y);
    const span = starts.at(-1)! - starts[0]!;
    assert.ok(span >= 9 * 40, `10 starts shared one pace: they took ${span} ms (each limiter alone would allow ~225 ms)`);

    // A 429 met by one pauses the other for the server's Retry-After and halves the shared concurrency.
    const slowed = [new RedisProviderLimiter(a, 'p-429', { concurrency: 8 }), new RedisProviderLimiter(b, 'p-429', { concurrency: 8 })];
    const limited = new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true, retryAfterMs: 400 });
    await assert.rejects(slowed[0]!.run(0, async () => { throw limited; }, () => undefined));
    const before = Date.now();
    await slowed[1]!.run(0, async () => undefined, () => undefined);
    assert.ok(Date.now() - before >= 300, `the other limiter waited for the pause (${Date.now() - before} ms)`);
    assert.equal(await a.hget('vaflow:limit:p-429', 'cap'), '4', 'the shared concurrency was halved');
  } finally {
    await redis.close();
  }
});

test('a worker killed mid-call frees its slot when its lease runs out', { timeout: 60_000 }, async () => {
  const redis = await startRedisServer();
  try {
    const client = redis.client();
    // A lease left behind by a dead process: it expires, by Redis's clock, 300 ms from now.
    const redisNow = async () => {
      const [seconds, micros] = await client.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };
    const expiry = (await redisNow()) + 300;
    await client.zadd('vaflow:limit:p-lease:leases', expiry, 'dead-worker-call');
    const limiter = new RedisProviderLimiter(client, 'p-lease', { concurrency: 1 });
    // Compared on Redis's clock, not this process's: the call starts only once the dead lease lapsed.
    const startedAt = await limiter.run(0, redisNow, () => undefined);
    assert.ok(startedAt >= expiry, `the call started ${expiry - startedAt} ms before the dead lease lapsed`);
  } finally {
    await redis.close();
  }
});
