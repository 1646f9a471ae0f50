import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationMs, readRateLimitHeaders } from '../../../src/providers/chat/rate-limit-headers.js';

test('reset times as OpenAI writes them (Go durations) and bare seconds', () => {
  assert.equal(durationMs('1s'), 1000);
  assert.equal(durationMs('20ms'), 20);
  assert.equal(durationMs('6m0s'), 360_000);
  assert.equal(durationMs('1.5s'), 1500);
  assert.equal(durationMs('2h3m4.5s'), 7_384_500);
  assert.equal(durationMs('17'), 17_000);
  assert.equal(durationMs(' 250us'), 0.25);
  for (const bad of ['', 'soon', '1x', '-1s', '1s2', 'ms']) assert.equal(durationMs(bad), undefined, bad);
  assert.equal(durationMs(null), undefined);
});

test('the request and token windows, and Retry-After, come from the headers; nothing when there are none', () => {
  const headers = new Headers({
    'x-ratelimit-limit-requests': '3000',
    'x-ratelimit-remaining-requests': '2999',
    'x-ratelimit-reset-requests': '20ms',
    'x-ratelimit-limit-tokens': '1000000',
    'x-ratelimit-remaining-tokens': '999950',
    'x-ratelimit-reset-tokens': '3ms',
  });
  assert.deepEqual(readRateLimitHeaders(200, headers), {
    status: 200,
    requests: { limit: 3000, remaining: 2999, resetMs: 20 },
    tokens: { limit: 1_000_000, remaining: 999_950, resetMs: 3 },
  });
  const limited = new Headers({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0', 'retry-after-ms': '850', 'retry-after': '1' });
  assert.deepEqual(readRateLimitHeaders(429, limited), { status: 429, requests: { limit: 60, remaining: 0 }, retryAfterMs: 850 });
  assert.deepEqual(readRateLimitHeaders(429, new Headers({ 'retry-after': '2' })), { status: 429, retryAfterMs: 2000 });
  assert.equal(readRateLimitHeaders(200, new Headers({ 'content-type': 'application/json' })), undefined);
});

test('a window needs both its limit and its remaining count, as numbers; remaining never exceeds the limit', () => {
  assert.equal(readRateLimitHeaders(200, new Headers({ 'x-ratelimit-limit-requests': '100' })), undefined);
  assert.equal(readRateLimitHeaders(200, new Headers({ 'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-remaining-requests': '3' })), undefined);
  assert.equal(readRateLimitHeaders(200, new Headers({ 'x-ratelimit-limit-requests': '0', 'x-ratelimit-remaining-requests': '0' })), undefined);
  assert.deepEqual(readRateLimitHeaders(200, new Headers({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '12' }))?.requests, { limit: 10, remaining: 10 });
});
