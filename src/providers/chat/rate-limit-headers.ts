import { retryAfterMs } from './provider-errors.js';

/** One dimension of a provider's rate limit as a response's headers describe it. */
export interface RateLimitWindow {
  /** The limit per minute (OpenAI's `x-ratelimit-limit-*`). */
  readonly limit: number;
  /** What is left of it now, as the server counted at this response. */
  readonly remaining: number;
  /** Time until the limit is whole again, in ms (`x-ratelimit-reset-*`); undefined when absent. */
  readonly resetMs?: number;
}

/** What one HTTP response said about the provider's limits. */
export interface RateLimitObservation {
  readonly status: number;
  readonly requests?: RateLimitWindow;
  readonly tokens?: RateLimitWindow;
  /** The server's requested wait (`retry-after-ms` or `Retry-After`), when it sent one. */
  readonly retryAfterMs?: number;
}

/**
 * Reads OpenAI's rate-limit headers (also sent by Azure OpenAI and many OpenAI-compatible servers):
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` and Retry-After. Limits are per minute, as
 * OpenAI documents them. Undefined when the response carries none of them (then the limiter learns
 * from 429s alone).
 */
export function readRateLimitHeaders(status: number, headers: { get(name: string): string | null }): RateLimitObservation | undefined {
  const requests = windowOf(headers, 'requests');
  const tokens = windowOf(headers, 'tokens');
  const retryAfter = retryAfterMs((name) => headers.get(name) ?? undefined);
  if (!requests && !tokens && retryAfter === undefined) return undefined;
  return { status, ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}), ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}

function windowOf(headers: { get(name: string): string | null }, what: 'requests' | 'tokens'): RateLimitWindow | undefined {
  const limit = count(headers.get(`x-ratelimit-limit-${what}`));
  const remaining = count(headers.get(`x-ratelimit-remaining-${what}`));
  if (limit === undefined || remaining === undefined || limit <= 0) return undefined;
  const resetMs = durationMs(headers.get(`x-ratelimit-reset-${what}`));
  return { limit, remaining: Math.min(remaining, limit), ...(resetMs !== undefined ? { resetMs } : {}) };
}

function count(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 };

/**
 * A reset time as OpenAI writes it, a Go duration ("1s", "6m0s", "20ms", "1.5s", "2h3m4.5s"), or a
 * bare number of seconds. Undefined when unreadable.
 */
export function durationMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns)/g) : null;
  if (!parts) return undefined;
  let total = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)$/.exec(part)!;
    total += Number(amount) * UNIT_MS[unit];
  }
  return total;
}
