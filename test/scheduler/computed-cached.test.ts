import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedComputation, computedCacheKey } from '../../src/scheduler/computed-cached.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';

/** A value JSON could not carry back as it was: -0, NaN, ±Infinity, an undefined field, a float's last bit. */
const awkward = () => ({ zero: -0, nan: Number.NaN, inf: Number.POSITIVE_INFINITY, gone: undefined, tiny: 0.1 + 0.2, nested: [{ x: -Number.MIN_VALUE }] });

test('a computation is kept under its identity and read back bit for bit, -0, NaN and undefined included', () => {
  const cache = new MemoryCacheStore();
  const compute = cachedComputation({ cache, mode: { read: true, write: true } });
  let calls = 0;
  const run = () => compute({ namespace: 'metrics', identity: { records: [1, 2, 3], seed: 42 } }, () => (calls++, awkward()));
  const first = run();
  const second = run();
  assert.equal(first.cached, false);
  assert.equal(second.cached, true);
  assert.equal(calls, 1);
  assert.deepStrictEqual(second.value, awkward());
  assert.ok(Object.is(second.value.zero, -0));
  assert.ok('gone' in second.value);
  assert.equal(second.value.tiny, 0.1 + 0.2);
  assert.notEqual(second.value, first.value, 'a copy, not the object computed');
});

test('any change in the identity computes anew; the namespace is part of the key', () => {
  const cache = new MemoryCacheStore();
  const compute = cachedComputation({ cache, mode: { read: true, write: true } });
  let calls = 0;
  const run = (identity: unknown, namespace = 'metrics') => compute({ namespace, identity }, () => ++calls);
  assert.equal(run({ records: [1, 2, 3], seed: 42 }).value, 1);
  assert.equal(run({ records: [1, 2, 4], seed: 42 }).value, 2);
  assert.equal(run({ records: [1, 2, 3], seed: 43 }).value, 3);
  assert.equal(run({ records: [1, 2, 3], seed: 42 }, 'other').value, 4);
  assert.deepEqual(run({ records: [1, 2, 3], seed: 42 }), { value: 1, cached: true });
  assert.notEqual(computedCacheKey('metrics', { a: 1 }), computedCacheKey('other', { a: 1 }));
});

test('--refresh computes and stores; a plan or --no-cache stores nothing; no cache computes every time', () => {
  const cache = new MemoryCacheStore();
  const identity = { records: [1] };
  const refresh = cachedComputation({ cache, mode: { read: false, write: true } });
  assert.deepEqual(refresh({ namespace: 'n', identity }, () => 'a'), { value: 'a', cached: false });
  assert.deepEqual(refresh({ namespace: 'n', identity }, () => 'b'), { value: 'b', cached: false });
  const normal = cachedComputation({ cache, mode: { read: true, write: true } });
  assert.deepEqual(normal({ namespace: 'n', identity }, () => 'c'), { value: 'b', cached: true }, 'the refreshed value was stored');
  const readOnly = cachedComputation({ cache, mode: { read: true, write: false } });
  assert.deepEqual(readOnly({ namespace: 'n', identity: { records: [2] } }, () => 'd'), { value: 'd', cached: false });
  assert.deepEqual(normal({ namespace: 'n', identity: { records: [2] } }, () => 'e'), { value: 'e', cached: false }, 'read-only stored nothing');
  const none = cachedComputation({ cache: null, mode: { read: true, write: true } });
  assert.deepEqual(none({ namespace: 'n', identity }, () => 'f'), { value: 'f', cached: false });
});

test('a damaged entry is computed again and replaced', () => {
  const cache = new MemoryCacheStore();
  const identity = { records: [1] };
  cache.putBytes(computedCacheKey('n', identity), new Uint8Array([0xff, 0x00, 0x13]), { namespace: 'computed:n' });
  const compute = cachedComputation({ cache, mode: { read: true, write: true } });
  assert.deepEqual(compute({ namespace: 'n', identity }, () => 'fresh'), { value: 'fresh', cached: false });
  assert.deepEqual(compute({ namespace: 'n', identity }, () => 'again'), { value: 'fresh', cached: true });
});
