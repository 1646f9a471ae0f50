import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DEFAULT_CONCURRENCY, DEFAULT_PAUSE_MS, type CallHooks, type ProviderLimits } from '../../scheduler/provider-limiter.js';
import { learnFrom429, learnFromAnswer, newLearnedRate, type LearnedRateState, type SentCall } from '../../scheduler/limiter/learned-rate.js';
import { RateWindow, type RateWindowState } from '../../scheduler/rate-bucket.js';
import { abortableSleep } from '../../scheduler/abort.js';
import { redisKeys } from './protocol.js';

/**
 * The rules of ProviderLimiter (src/scheduler/provider-limiter.ts), held in Redis so that they bind
 * every worker together: calls in flight per provider, requests per minute spread evenly, a token
 * bucket per minute, every 429 pausing every worker for the server's Retry-After, and the rate
 * learned from 429s by the same rules as in one process (src/scheduler/limiter/learned-rate.ts: AIMD,
 * every cut on trial). The learned state is one JSON value in the provider's hash, updated after
 * each answer and 429 by the rules' own code in whichever worker saw it, compare-and-set on a
 * version; the pace the rules read (answers and starts per second) is counted there too, for all
 * workers together. The learned rate paces starts in the acquire script alongside the configured one.
 * Not here: the mirror of the server's `x-ratelimit-*` headers (workers do not report them).
 *
 * Time is Redis's own clock (TIME), so machines whose clocks disagree still space calls correctly.
 * A call in flight holds a lease (a sorted-set member that expires): a worker killed mid-call frees
 * its slot when the lease runs out, so a dead machine cannot hold the provider's slots forever.
 */
/** How long a lease lives without renewal; renewed every third of it while the call runs. */
const LEASE_MS = 30_000;
/** How often a call waiting for a free slot looks again. */
const FULL_POLL_MS = 25;
/** Compare-and-set attempts for one update of the learned state before it is given up (a lost count). */
const LEARN_ATTEMPTS = 50;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Lua (after NOW): pauseFor(h, ms) moves the shared pause to now + ms unless it already ends later. */
const PAUSE_FOR = `
local function pauseFor(h, pause)
  if pause <= 0 then return end
  local paused = tonumber(redis.call('HGET', h, 'pausedUntil') or '0')
  if now + pause > paused then redis.call('HSET', h, 'pausedUntil', now + pause) end
end
`;

/**
 * KEYS: state hash, leases zset. ARGV: lease id, max concurrency, interval ms (0: no rate), tokens
 * per minute (0: none), estimated tokens, lease ms. Returns {1, delay before the call, requests sent
 * up to and including it, the learning round} once a slot, the tokens and the rates allow (the lease
 * is taken), else {0, ms to wait, or -1 when slots are full}. The rate is the strictest of the
 * configured interval and the learned one.
 */
const ACQUIRE = `${NOW}
local h, z = KEYS[1], KEYS[2]
local paused = tonumber(redis.call('HGET', h, 'pausedUntil') or '0')
if paused > now then return {0, paused - now} end
redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
if redis.call('ZCARD', z) >= tonumber(ARGV[2]) then return {0, -1} end
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
local interval = math.max(tonumber(ARGV[3]), tonumber(redis.call('HGET', h, 'learnedInterval') or '0'))
if interval > 0 then
  local tat = tonumber(redis.call('HGET', h, 'tat') or '0')
  if tat < now then tat = now end
  delay = tat - now
  redis.call('HSET', h, 'tat', tostring(tat + interval))
end
local sent = redis.call('HINCRBY', h, 'sent', 1)
redis.call('ZADD', z, now + delay + tonumber(ARGV[6]), ARGV[1])
redis.call('PEXPIRE', h, 86400000)
redis.call('PEXPIRE', z, 86400000)
return {1, math.ceil(delay), sent, tonumber(redis.call('HGET', h, 'round') or '0')}
`;

/**
 * KEYS: state hash, leases zset. ARGV: lease id, Retry-After ms the server named (0: none), token
 * correction (actual − estimate; 0 when unknown).
 */
const RELEASE = `${NOW}${PAUSE_FOR}
local h, z = KEYS[1], KEYS[2]
redis.call('ZREM', z, ARGV[1])
local correction = tonumber(ARGV[3])
if correction ~= 0 and redis.call('HEXISTS', h, 'tokens') == 1 then
  redis.call('HINCRBYFLOAT', h, 'tokens', -correction)
end
pauseFor(h, tonumber(ARGV[2]))
return 1
`;

/** KEYS: state hash. Returns {now, version, requests sent, the learned state as JSON or ''}. */
const LEARN_READ = `${NOW}
local v = redis.call('HMGET', KEYS[1], 'version', 'sent', 'learned')
return {now, tonumber(v[1] or '0'), tonumber(v[2] or '0'), v[3] or ''}
`;

/**
 * KEYS: state hash. ARGV: the version read, the new state (JSON), the learned interval in ms (0:
 * none), the round calls are sent in now, 1 when the rate was cut (the next start waits a whole
 * interval), a pause in ms (0: none). Returns 0 when another worker wrote first.
 */
const LEARN_WRITE = `${NOW}${PAUSE_FOR}
local h = KEYS[1]
if tonumber(redis.call('HGET', h, 'version') or '0') ~= tonumber(ARGV[1]) then return 0 end
local interval = tonumber(ARGV[3])
redis.call('HSET', h, 'version', tonumber(ARGV[1]) + 1, 'learned', ARGV[2], 'learnedInterval', tostring(interval), 'round', ARGV[4])
if ARGV[5] == '1' and interval > 0 then
  local tat = tonumber(redis.call('HGET', h, 'tat') or '0')
  if tat < now + interval then redis.call('HSET', h, 'tat', tostring(now + interval)) end
end
pauseFor(h, tonumber(ARGV[6]))
redis.call('PEXPIRE', h, 86400000)
return 1
`;

/** KEYS: leases zset. ARGV: lease id, lease ms. Extends a lease still held, by Redis's clock. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
`;

type LimiterRedis = Redis & {
  vaflowAcquire(state: string, leases: string, lease: string, maxc: number, intervalMs: number, tpm: number, estimate: number, leaseMs: number): Promise<[number, number, number?, number?]>;
  vaflowRelease(state: string, leases: string, lease: string, retryAfterMs: number, correction: number): Promise<number>;
  vaflowRenew(leases: string, lease: string, leaseMs: number): Promise<number>;
  vaflowLearnRead(state: string): Promise<[number, number, number, string]>;
  vaflowLearnWrite(state: string, version: number, json: string, intervalMs: number, round: number, cut: number, pauseMs: number): Promise<number>;
};

/** Registers the limiter's scripts on a connection (EVALSHA, loaded once). */
export function withLimiterScripts(redis: Redis): LimiterRedis {
  const scripted = redis as LimiterRedis;
  if (typeof scripted.vaflowLearnWrite !== 'function') {
    redis.defineCommand('vaflowAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('vaflowRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('vaflowRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('vaflowLearnRead', { numberOfKeys: 1, lua: LEARN_READ });
    redis.defineCommand('vaflowLearnWrite', { numberOfKeys: 1, lua: LEARN_WRITE });
  }
  return scripted;
}

/** What the workers learn together, kept as JSON in the provider's hash. */
interface SharedLearning {
  readonly learned: LearnedRateState;
  /** Starts and answers of every worker, per slot of the last few seconds: the pace the rules read. */
  readonly starts: RateWindowState;
  readonly answers: RateWindowState;
  /** Requests sent when the starts were last counted. */
  readonly sentCounted: number;
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
    let sent: SentCall;
    for (;;) {
      signal?.throwIfAborted();
      const [granted, ms, requestsSent, round] = await this.#redis.vaflowAcquire(this.#state, this.#leases, lease, this.#maxConcurrency, this.#intervalMs, this.#tokensPerMinute, estimate, LEASE_MS);
      if (granted === 1) {
        sent = { requestsSent: requestsSent!, round: round!, underMirror: false };
        if (ms > 0) await this.#sleepHolding(lease, ms, signal);
        break;
      }
      await abortableSleep(ms < 0 ? FULL_POLL_MS + Math.floor(Math.random() * FULL_POLL_MS) : ms, signal);
    }
    const renew = setInterval(() => void this.#redis.vaflowRenew(this.#leases, lease, LEASE_MS).catch(() => undefined), LEASE_MS / 3);
    renew.unref();
    let outcome: 'ok' | 'limited' | 'failed' = 'failed';
    let retryAfterMs: number | undefined;
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
        if (typeof after === 'number') retryAfterMs = after;
      }
      throw error;
    } finally {
      clearInterval(renew);
      await this.#redis.vaflowRelease(this.#state, this.#leases, lease, retryAfterMs ?? 0, correction).catch(() => undefined);
      if (outcome !== 'failed') await this.#learn(sent, outcome, retryAfterMs !== undefined).catch(() => undefined);
    }
  }

  /** What the workers have learned together (undefined before the first answer or 429). */
  async learned(): Promise<LearnedRateState | undefined> {
    const [, , , json] = await this.#redis.vaflowLearnRead(this.#state);
    return json ? (JSON.parse(json) as SharedLearning).learned : undefined;
  }

  /** Applies one answer or 429 to the shared learned state by the limiter's rules, compare-and-set. */
  async #learn(call: SentCall, outcome: 'ok' | 'limited', retryAfterNamed: boolean): Promise<void> {
    for (let attempt = 0; attempt < LEARN_ATTEMPTS; attempt++) {
      const [now, version, sent, json] = await this.#redis.vaflowLearnRead(this.#state);
      const shared = json ? (JSON.parse(json) as SharedLearning) : undefined;
      const learned = shared?.learned ?? newLearnedRate(now);
      const starts = new RateWindow(now, shared ? { state: shared.starts } : {});
      const answers = new RateWindow(now, shared ? { state: shared.answers } : {});
      starts.add(now, sent - (shared?.sentCounted ?? 0));
      if (outcome === 'ok') answers.add(now);
      const pace = { now, goodput: answers.perMs(now, 1000), sending: starts.perMs(now, 1000), sent };
      let cut: boolean;
      let pause = false;
      if (outcome === 'ok') cut = learnFromAnswer(learned, call, pace);
      else ({ cut, pause } = learnFrom429(learned, call, pace, { known: false, showSpent: false }));
      const next: SharedLearning = { learned, starts: starts.toJSON(), answers: answers.toJSON(), sentCounted: sent };
      const intervalMs = learned.perMinute !== undefined ? 60_000 / learned.perMinute : 0;
      const pauseMs = pause && !retryAfterNamed ? DEFAULT_PAUSE_MS : 0;
      if (await this.#redis.vaflowLearnWrite(this.#state, version, JSON.stringify(next), intervalMs, learned.round, cut ? 1 : 0, pauseMs)) return;
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
