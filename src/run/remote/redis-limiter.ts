import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { CallHooks, ProviderLimits } from '../../scheduler/provider-limiter.js';
import { abortableSleep } from '../../scheduler/abort.js';
import { redisKeys } from './protocol.js';

/**
 * The rules of ProviderLimiter (src/scheduler/provider-limiter.ts), held in Redis so that they bind
 * every worker together: calls in flight per provider, requests per minute spread evenly, a token
 * bucket per minute, and the adaptive slowdown (a 429 halves the provider's concurrency for everyone
 * and pauses every worker for the server's Retry-After; 20 clean calls give a slot back).
 *
 * Time is Redis's own clock (TIME), so machines whose clocks disagree still space calls correctly.
 * A call in flight holds a lease (a sorted-set member that expires): a worker killed mid-call frees
 * its slot when the lease runs out, so a dead machine cannot hold the provider's slots forever.
 */
const DEFAULT_CONCURRENCY = 16;
const CLEAN_CALLS_PER_SLOT = 20;
const DEFAULT_PAUSE_MS = 1000;
/** How long a lease lives without renewal; renewed every third of it while the call runs. */
const LEASE_MS = 30_000;
/** How often a call waiting for a free slot looks again. */
const FULL_POLL_MS = 25;

/**
 * KEYS: state hash, leases zset. ARGV: lease id, max concurrency, interval ms (0: no rate), tokens
 * per minute (0: none), estimated tokens, lease ms. Returns {1, delay before the call} once a slot,
 * the tokens and the rate allow (the lease is taken), else {0, ms to wait, or -1 when slots are full}.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h, z = KEYS[1], KEYS[2]
local maxc = tonumber(ARGV[2])
local paused = tonumber(redis.call('HGET', h, 'pausedUntil') or '0')
if paused > now then return {0, paused - now} end
redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
local cap = tonumber(redis.call('HGET', h, 'cap') or ARGV[2])
if cap > maxc then cap = maxc end
if redis.call('ZCARD', z) >= cap then return {0, -1} end
local tpm = tonumber(ARGV[4])
if tpm > 0 then
  local tokens = tonumber(redis.call('HGET', h, 'tokens') or ARGV[4])
  local at = tonumber(redis.call('HGET', h, 'tokensAt') or tostring(now))
  tokens = math.min(tpm, tokens + (now - at) / 60000 * tpm)
  local estimate = tonumber(ARGV[5])
  local need = math.min(estimate, tpm)
  if tokens < need then
    redis.call('HSET', h, 'tokens', tostring(tokens), 'tokensAt', now)
    return {0, math.ceil((need - tokens) / tpm * 60000)}
  end
  redis.call('HSET', h, 'tokens', tostring(tokens - estimate), 'tokensAt', now)
end
local delay = 0
local interval = tonumber(ARGV[3])
if interval > 0 then
  local tat = tonumber(redis.call('HGET', h, 'tat') or '0')
  if tat < now then tat = now end
  delay = tat - now
  redis.call('HSET', h, 'tat', tat + interval)
end
redis.call('ZADD', z, now + delay + tonumber(ARGV[6]), ARGV[1])
redis.call('PEXPIRE', h, 86400000)
redis.call('PEXPIRE', z, 86400000)
return {1, delay}
`;

/**
 * KEYS: state hash, leases zset. ARGV: lease id, outcome (ok | limited | failed), retry-after ms,
 * max concurrency, token correction (actual − estimate; 0 when unknown).
 */
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h, z = KEYS[1], KEYS[2]
redis.call('ZREM', z, ARGV[1])
local maxc = tonumber(ARGV[4])
local correction = tonumber(ARGV[5])
if correction ~= 0 and redis.call('HEXISTS', h, 'tokens') == 1 then
  redis.call('HINCRBYFLOAT', h, 'tokens', -correction)
end
local cap = tonumber(redis.call('HGET', h, 'cap') or ARGV[4])
if cap > maxc then cap = maxc end
if ARGV[2] == 'limited' then
  redis.call('HINCRBY', h, 'slowdowns', 1)
  local paused = tonumber(redis.call('HGET', h, 'pausedUntil') or '0')
  local until_ = now + tonumber(ARGV[3])
  if until_ > paused then paused = until_ end
  redis.call('HSET', h, 'cap', math.max(1, math.floor(cap / 2)), 'clean', 0, 'pausedUntil', paused)
elseif ARGV[2] == 'ok' and cap < maxc then
  local clean = redis.call('HINCRBY', h, 'clean', 1)
  if clean >= ${CLEAN_CALLS_PER_SLOT} then redis.call('HSET', h, 'clean', 0, 'cap', math.min(maxc, cap + 1)) end
end
return 1
`;

/** KEYS: leases zset. ARGV: lease id, lease ms. Extends a lease still held, by Redis's clock. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
`;

type LimiterRedis = Redis & {
  vaflowAcquire(state: string, leases: string, lease: string, maxc: number, intervalMs: number, tpm: number, estimate: number, leaseMs: number): Promise<[number, number]>;
  vaflowRelease(state: string, leases: string, lease: string, outcome: string, retryAfterMs: number, maxc: number, correction: number): Promise<number>;
  vaflowRenew(leases: string, lease: string, leaseMs: number): Promise<number>;
};

/** Registers the limiter's scripts on a connection (EVALSHA, loaded once). */
export function withLimiterScripts(redis: Redis): LimiterRedis {
  const scripted = redis as LimiterRedis;
  if (typeof scripted.vaflowAcquire !== 'function') {
    redis.defineCommand('vaflowAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('vaflowRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('vaflowRenew', { numberOfKeys: 1, lua: RENEW });
  }
  return scripted;
}

/** One provider's limits, enforced through Redis for every worker that calls it. */
export class RedisProviderLimiter {
  readonly #redis: LimiterRedis;
  readonly #state: string;
  readonly #leases: string;
  readonly #maxConcurrency: number;
  readonly #intervalMs: number;
  readonly #tokensPerMinute: number;

  constructor(redis: Redis, provider: string, limits: ProviderLimits) {
    this.#redis = withLimiterScripts(redis);
    this.#state = redisKeys.limiter(provider);
    this.#leases = redisKeys.leases(provider);
    this.#maxConcurrency = limits.concurrency ?? DEFAULT_CONCURRENCY;
    this.#intervalMs = limits.requestsPerMinute ? 60_000 / limits.requestsPerMinute : 0;
    this.#tokensPerMinute = limits.tokensPerMinute ?? 0;
  }

  /** Same contract as ProviderLimiter.run. */
  async run<T>(estimatedTokens: number, call: () => Promise<T>, actualTokens: (result: T) => number | undefined, hooks: CallHooks = {}): Promise<T> {
    const { signal } = hooks;
    hooks.onQueued?.();
    const lease = randomUUID();
    const estimate = this.#tokensPerMinute ? estimatedTokens : 0;
    for (;;) {
      signal?.throwIfAborted();
      const [granted, ms] = await this.#redis.vaflowAcquire(this.#state, this.#leases, lease, this.#maxConcurrency, this.#intervalMs, this.#tokensPerMinute, estimate, LEASE_MS);
      if (granted === 1) {
        if (ms > 0) await this.#sleepHolding(lease, ms, signal);
        break;
      }
      await abortableSleep(ms < 0 ? FULL_POLL_MS + Math.floor(Math.random() * FULL_POLL_MS) : ms, signal);
    }
    const renew = setInterval(() => void this.#redis.vaflowRenew(this.#leases, lease, LEASE_MS).catch(() => undefined), LEASE_MS / 3);
    renew.unref();
    let outcome: 'ok' | 'limited' | 'failed' = 'failed';
    let retryAfterMs = 0;
    let correction = 0;
    try {
      signal?.throwIfAborted();
      hooks.onStart?.();
      const result = await call();
      const actual = actualTokens(result);
      if (actual !== undefined && estimate) correction = actual - estimate;
      outcome = 'ok';
      return result;
    } catch (error) {
      const { status, retryAfterMs: after } = error as { status?: unknown; retryAfterMs?: unknown };
      if (status === 429) {
        outcome = 'limited';
        retryAfterMs = typeof after === 'number' ? after : DEFAULT_PAUSE_MS;
      }
      throw error;
    } finally {
      clearInterval(renew);
      await this.#redis.vaflowRelease(this.#state, this.#leases, lease, outcome, retryAfterMs, this.#maxConcurrency, correction).catch(() => undefined);
    }
  }

  /** Waits for a reserved start time without letting the lease lapse; an abort frees the slot at once. */
  async #sleepHolding(lease: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await abortableSleep(ms, signal);
    } catch (error) {
      await this.#redis.zrem(this.#leases, lease).catch(() => undefined);
      throw error;
    }
  }
}
