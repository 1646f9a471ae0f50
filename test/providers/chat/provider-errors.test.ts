import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryAfterMs, toProviderError } from '../../../src/providers/chat/provider-errors.js';
import { InterruptedError, ProviderError, TimeoutError } from '../../../src/errors.js';

const headers = (record: Record<string, string>) => (name: string) => record[name];

test('retry-after-ms wins over Retry-After; Retry-After takes seconds or an HTTP date', () => {
  assert.equal(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '3' })), 250);
  assert.equal(retryAfterMs(headers({ 'retry-after': '3' })), 3000);
  assert.equal(retryAfterMs(headers({ 'retry-after': '1.5' })), 1500);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(retryAfterMs(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:04 GMT' }), now), 4000);
  assert.equal(retryAfterMs(headers({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }), now), 0);
  assert.equal(retryAfterMs(headers({ 'retry-after': 'soon' })), undefined);
  assert.equal(retryAfterMs(headers({})), undefined);
});

test('errors are classified by status and class, whatever their message says', () => {
  const live = new AbortController().signal;
  const withStatus = (status: number, message: string) => Object.assign(new Error(message), { status, headers: new Headers({ 'retry-after': '2' }) });
  const limited = toProviderError(withStatus(429, 'server error 500'), { signal: live, modelId: 'm' });
  assert.ok(limited instanceof ProviderError);
  assert.deepEqual([limited.code, limited.retryable, limited.retryAfterMs, limited.status], ['VAFLOW_RATE_LIMITED', true, 2000, 429]);
  for (const status of [500, 502, 503, 408, 409]) assert.equal((toProviderError(withStatus(status, 'x'), { signal: live, modelId: 'm' }) as ProviderError).retryable, true, String(status));
  for (const status of [400, 401, 403, 404, 422]) {
    const error = toProviderError(withStatus(status, 'rate limit timeout network'), { signal: live, modelId: 'm' }) as ProviderError;
    assert.equal(error.retryable, false, String(status));
    assert.equal(error.status, status);
  }
  const rewrapped = toProviderError(new Error('context overflow', { cause: withStatus(400, 'maximum context length') }), { signal: live, modelId: 'm' }) as ProviderError;
  assert.deepEqual([rewrapped.status, rewrapped.retryable], [400, false], 'a status on the cause (LangChain re-wrapping) counts');
  const syntax = toProviderError(new SyntaxError('Unexpected end of JSON input'), { signal: live, modelId: 'm' }) as ProviderError;
  assert.deepEqual([syntax.code, syntax.retryable], ['VAFLOW_BAD_RESPONSE', true]);
  const network = toProviderError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }), { signal: live, modelId: 'm' }) as ProviderError;
  assert.deepEqual([network.code, network.retryable], ['VAFLOW_NETWORK', true]);
  const unknown = toProviderError(new Error('429 503 timeout'), { signal: live, modelId: 'm' }) as ProviderError;
  assert.deepEqual([unknown.code, unknown.retryable], ['VAFLOW_PROVIDER', false]);
});

test('an aborted call reports the abort reason: the engine\'s timeout, a timeout signal, or an interruption', () => {
  const engineTimeout = new AbortController();
  engineTimeout.abort(new TimeoutError(50));
  assert.ok(toProviderError(new Error('aborted'), { signal: engineTimeout.signal, modelId: 'm' }) instanceof TimeoutError);
  const timeoutSignal = new AbortController();
  timeoutSignal.abort(new DOMException('timed out', 'TimeoutError'));
  const timedOut = toProviderError(new Error('aborted'), { signal: timeoutSignal.signal, modelId: 'm' }) as ProviderError;
  assert.deepEqual([timedOut.code, timedOut.retryable], ['VAFLOW_TIMEOUT', true]);
  const interrupted = new AbortController();
  interrupted.abort();
  assert.ok(toProviderError(new Error('aborted'), { signal: interrupted.signal, modelId: 'm' }) instanceof InterruptedError);
});
