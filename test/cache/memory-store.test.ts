import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { CacheEntryMeta } from '../../src/cache/store.js';

const item = { namespace: 'item' };

test('JSON values come back equal but not the same object; bytes come back copied', () => {
  const store = new MemoryCacheStore();
  const value = { a: [1, 2], b: { c: 'd' } };
  store.put('k', value, item);
  const read = store.get('k');
  assert.deepEqual(read, value);
  assert.notEqual(read, value);
  const bytes = new Uint8Array(new Float32Array([1, 2]).buffer);
  store.putBytes('v', bytes, { namespace: 'embedding' });
  bytes[0] = 7;
  assert.deepEqual(new Float32Array(store.getBytes('v')?.buffer ?? new ArrayBuffer(0)), new Float32Array([1, 2]));
  assert.equal(store.getBytes('k'), undefined);
});

test('getMany returns only hits; stats, prune by last use and clear behave like the SQLite store', () => {
  let now = 100;
  const store = new MemoryCacheStore({ now: () => now });
  for (let i = 0; i < 1200; i++) store.put(`k${i}`, i, item);
  store.putBytes('v', new Uint8Array(4), { namespace: 'embedding' });
  const found = store.getMany([...Array.from({ length: 1200 }, (_, i) => `k${i}`), 'nope']);
  assert.equal(found.size, 1200);
  assert.equal(found.get('k7'), 7);
  const stats = store.stats();
  assert.equal(stats.entries, 1201);
  assert.deepEqual(stats.byNamespace.embedding, { entries: 1, bytes: 4 });
  assert.equal(stats.oldest, 100);
  now = 500;
  store.get('k0');
  assert.equal(store.prune(200), 1200);
  assert.equal(store.get('k0'), 0);
  assert.equal(store.clear(), 1);
  assert.throws(() => store.put('x', undefined, item), /not JSON-serialisable/);
  store.close();
  assert.throws(() => store.get('k0'), /closed/);
});

test('putDurable stores at once through put with durable set (what a recording subclass sees); flush refuses a closed store', async () => {
  const seen: unknown[] = [];
  class Recording extends MemoryCacheStore {
    override put(key: string, value: unknown, meta: CacheEntryMeta): void {
      seen.push([key, meta.namespace, meta.durable]);
      super.put(key, value, meta);
    }
  }
  const store = new Recording();
  await store.putDurable('paid', { text: 'answer' }, { namespace: 'chat' });
  assert.deepEqual(store.get('paid'), { text: 'answer' });
  assert.deepEqual(seen, [['paid', 'chat', true]]);
  store.flush();
  store.close();
  assert.throws(() => store.flush(), /in-memory cache is closed/);
});
