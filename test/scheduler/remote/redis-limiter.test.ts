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

test('concurrency, requests per minute and a 429 pause hold across limiters on separate connections', { timeout: 60_000 }, async () => {
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

    // A 429 met by one pauses the other for the server's Retry-After.
    const slowed = [new RedisProviderLimiter(a, 'p-429', { concurrency: 8 }), new RedisProviderLimiter(b, 'p-429', { concurrency: 8 })];
    await assert.rejects(slowed[0]!.run(0, async () => { throw rateLimited(400); }, () => undefined));
    const before = Date.now();
    await slowed[1]!.run(0, async () => undefined, () => undefined);
    assert.ok(Date.now() - before >= 300, `the other limiter waited for the pause (${Date.now() - before} ms)`);
  } finally {
    await redis.close();
  }
});

const rateLimited = (retryAfterMs: number) => new ProviderError('VAFLOW_RATE_LIMITED', '429', { status: 429, retryable: true, retryAfterMs });

/** Runs `calls` calls through the limiters in turn, `concurrency` at a time, `refuse()` deciding which get a 429; returns how many were refused. */
async function drive(limiters: readonly RedisProviderLimiter[], calls: number, concurrency: number, refuse: () => boolean): Promise<number> {
  let next = 0;
  let refused = 0;
  const worker = async (w: number) => {
    while (next < calls) {
      next++;
      await limiters[w % limiters.length]!.run(0, async () => {
        await sleep(1);
        if (refuse()) throw rateLimited(1);
      }, () => undefined).catch(() => refused++);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return refused;
}

test('the learned rate is shared: a token bucket\'s 429s met by either worker teach one rate that both keep, and the cut stands', { timeout: 120_000 }, async () => {
  const redis = await startRedisServer();
  try {
    const limiters = [new RedisProviderLimiter(redis.client(), 'p-aimd', { concurrency: 8 }), new RedisProviderLimiter(redis.client(), 'p-aimd', { concurrency: 8 })];
    // The server's bucket: 50 a second, 50 of burst, for both workers together.
    let level = 50;
    let at = Date.now();
    const take = () => {
      const now = Date.now();
      level = Math.min(50, level + (now - at) * 0.05);
      at = now;
      if (level < 1) return false;
      level--;
      return true;
    };
    const firstRefused = await drive(limiters, 200, 8, () => !take());
    assert.ok(firstRefused >= 1, 'the burst met the limit');
    const [seenByA, seenByB] = [await limiters[0]!.learned(), await limiters[1]!.learned()];
    assert.deepEqual(seenByA, seenByB, 'one state for both');
    // Once a cut stands the rate returns to 95 % of where the 429s began, then probes upward by 2 %/s
    // (learned-rate.ts): a rate a little above the limit is a probe, not a failure to learn.
    assert.ok(seenByA?.perMinute !== undefined && seenByA.perMinute <= 1.1 * 50 * 60, `learned ${seenByA?.perMinute}/min against a limit of 3000`);
    assert.ok(seenByA.slowdowns >= 1);
    const refused = await drive(limiters, 150, 8, () => !take());
    assert.ok(refused <= 8, `${refused} of 150 refused once the rate was learned`);
    assert.notEqual((await limiters[0]!.learned())?.perMinute, undefined, 'the cut stood');
  } finally {
    await redis.close();
  }
});

test('429s that do not depend on the pace (a third of calls, at any pace) leave the shared pace alone: the cut is undone', { timeout: 120_000 }, async () => {
  const redis = await startRedisServer();
  try {
    const limiters = [new RedisProviderLimiter(redis.client(), 'p-flaky', { concurrency: 8 }), new RedisProviderLimiter(redis.client(), 'p-flaky', { concurrency: 8 })];
    await drive(limiters, 100, 8, () => false); // a goodput to cut from
    let k = 0;
    const refused = await drive(limiters, 600, 8, () => k++ % 3 === 0);
    assert.ok(refused >= 150, `${refused} refused`);
    const learned = await limiters[0]!.learned();
    assert.ok(learned && learned.slowdowns >= 1, 'the first 429s did cut, on trial');
    assert.equal(learned.perMinute, undefined, `every cut undone (${learned.slowdowns} cuts, now ${learned.perMinute}/min)`);
    assert.ok(learned.paceIndependentShare !== undefined && Math.abs(learned.paceIndependentShare - 1 / 3) < 0.15, `learning stopped at a share of ${learned.paceIndependentShare}`);
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
