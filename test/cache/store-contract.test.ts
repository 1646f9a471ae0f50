import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { CacheStore } from '../../src/cache/store.js';
import { withTempDir } from '../helpers/temp-dir.js';

// What both stores promise alike (the in-memory one stands in for SQLite in tests and --no-cache runs).

type Open = (now: () => number) => CacheStore;

const STORES: ReadonlyArray<readonly [string, (body: (open: Open, warnings: string[]) => void) => Promise<void>]> = [
  ['sqlite', (body) =>
    withTempDir('store-contract', async (dir) => {
      const stores: CacheStore[] = [];
      const warnings: string[] = [];
      try {
        body((now) => {
          const store = new SqliteCacheStore({ file: path.join(dir, `cache-${stores.length}.db`), now, onWarning: (m) => warnings.push(m) });
          stores.push(store);
          return store;
        }, warnings);
      } finally {
        for (const store of stores) store.close();
      }
    })],
  ['memory', async (body) => body((now) => new MemoryCacheStore({ now }), [])],
];

const item = { namespace: 'item' };

for (const [name, withStore] of STORES) {
  test(`${name}: stats give the oldest and newest creation time over all namespaces, whichever holds them`, () =>
    withStore((open) => {
      let now = 0;
      const store = open(() => now);
      assert.deepEqual(store.stats(), { entries: 0, bytes: 0, byNamespace: {}, oldest: undefined, newest: undefined, path: store.path });
      // Namespaces in name order: the oldest in the first, the newest in the middle, neither in the last.
      for (const [key, namespace, at] of [['c1', 'chat', 500], ['c2', 'chat', 1000], ['e1', 'embedding', 3000], ['i1', 'item', 2000]] as const) {
        now = at;
        store.put(key, 'xx', { namespace });
      }
      const stats = store.stats();
      assert.equal(stats.oldest, 500);
      assert.equal(stats.newest, 3000);
      assert.equal(stats.bytes, 16);
      assert.deepEqual(stats.byNamespace, { chat: { entries: 2, bytes: 8 }, embedding: { entries: 1, bytes: 4 }, item: { entries: 1, bytes: 4 } });
      const filtered = store.stats({ namespaces: ['embedding', 'item'] });
      assert.deepEqual([filtered.entries, filtered.bytes, filtered.oldest, filtered.newest], [2, 8, 2000, 3000]);
    }));

  test(`${name}: an empty or non-string key is refused by every put`, () =>
    withStore((open) => {
      const store = open(Date.now);
      for (const key of ['', 42, undefined] as unknown as string[]) {
        const message = `cache: expected a non-empty string key, got ${JSON.stringify(key)}`;
        assert.throws(() => store.put(key, 1, item), { name: 'TypeError', message });
        assert.throws(() => store.putBytes(key, new Uint8Array(1), item), { name: 'TypeError', message });
      }
      assert.equal(store.stats().entries, 0);
    }));

  test(`${name}: prune keeps an entry last used exactly at the cutoff`, () =>
    withStore((open) => {
      let now = 1000;
      const store = open(() => now);
      store.put('at-cutoff', 1, item);
      now = 999;
      store.put('before', 2, item);
      assert.equal(store.prune(1000), 1);
      assert.equal(store.get('at-cutoff'), 1);
      assert.equal(store.get('before'), undefined);
    }));

  test(`${name}: getBytes of a missing key is a plain miss; getMany of no keys finds nothing`, () =>
    withStore((open, warnings) => {
      const store = open(Date.now);
      store.put('k', 1, item);
      assert.equal(store.getBytes('absent'), undefined);
      assert.deepEqual(warnings, []);
      assert.equal(store.getMany([]).size, 0);
      assert.throws(() => store.putBytes('v', 'text' as unknown as Uint8Array, item), { name: 'TypeError', message: 'cache: putBytes for key v expects a Uint8Array, got string' });
    }));
}

test('the in-memory store names itself :memory: in stats', () => {
  assert.equal(new MemoryCacheStore().stats().path, ':memory:');
});
