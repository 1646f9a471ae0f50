import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { entryMatches, isEmptyFilter, modelOfEntry, type EntryFilter } from '../../src/cache/entry-filter.js';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { CacheStore } from '../../src/cache/store.js';
import { withTempDir } from '../helpers/temp-dir.js';

// What `vaflow cache clear` / `cache stats` select, through the real stores: entries are put with the
// namespace, origin (task id) and model the engine records, and a filter's selection is read back as
// the entries clear() removes and stats() counts. The SQLite store applies the filter inside SQL (a
// registered function), the in-memory store in JS: both must select the same entries.

interface Fixture {
  readonly key: string;
  readonly namespace: string;
  readonly origin?: string;
  readonly model?: string;
  /** Creation and last use (the stores set both at put time). */
  readonly at: number;
}

const ENTRIES: readonly Fixture[] = [
  { key: 'c1', namespace: 'chat', origin: 'classify[model=gpt,variant=v1]', model: 'gpt', at: 1000 },
  // Written before vaflow recorded the model: the task's `model` coordinate, not first among several.
  { key: 'c2', namespace: 'chat', origin: 'describe[variant=v2,model=llama]', at: 2000 },
  { key: 'i1', namespace: 'item', origin: 'classify[model=gpt,variant=v1]', model: 'gpt', at: 3000 },
  // `modelx` is not `model`; the value keeps its dots and dashes.
  { key: 'i2', namespace: 'item', origin: 'classify[modelx=gpt,model=llama-3.1]', at: 4000 },
  // A task without coordinates, and no recorded model.
  { key: 'i3', namespace: 'item', origin: 'aggregate', at: 5000 },
  // Node ids may hold dashes, dots, underscores and digits after the first letter.
  { key: 'i4', namespace: 'item', origin: 'embed-score.v2_x[model=gpt]', at: 6000 },
  // A source entry's model is never inferred from its origin.
  { key: 's1', namespace: 'source', origin: 'extract[model=gpt]', at: 7000 },
  // Embeddings are shared by every node and model: never selected by node or model, even with one recorded.
  { key: 'e1', namespace: 'embedding', origin: 'embedder:glove', model: 'gpt', at: 8000 },
  { key: 'e2', namespace: 'embedding', origin: 'classify[model=gpt]', at: 9000 },
  // Not task ids: a leading digit, text after the brackets, an unclosed bracket, a leading space.
  { key: 'x1', namespace: 'item', origin: '2bad[model=gpt]', at: 10000 },
  { key: 'x2', namespace: 'item', origin: 'classify[model=gpt]junk', at: 11000 },
  { key: 'x3', namespace: 'chat', at: 12000 },
  { key: 'x4', namespace: 'item', origin: 'classify[model=gpt', at: 13000 },
  { key: 'x5', namespace: 'item', origin: ' classify[model=gpt]', at: 14000 },
  // One-letter node, empty brackets; a coordinate without `=`.
  { key: 'x6', namespace: 'item', origin: 'c[]', at: 15000 },
  { key: 'x7', namespace: 'item', origin: 'classify[model]', at: 16000 },
];

/** Every filter case and the keys it selects, worked out by hand from the fixtures above. */
const CASES: ReadonlyArray<{ readonly name: string; readonly filter: EntryFilter; readonly selects: readonly string[] }> = [
  // x1's and x5's origins are not task ids (no node), but their brackets still name the model.
  { name: 'one model: recorded, or the task coordinate of an old item/chat entry', filter: { models: ['gpt'] }, selects: ['c1', 'i1', 'i4', 'x1', 'x5'] },
  { name: 'a model named only as a non-first coordinate', filter: { models: ['llama'] }, selects: ['c2'] },
  { name: 'a model id with dots and dashes', filter: { models: ['llama-3.1'] }, selects: ['i2'] },
  { name: 'two models: either', filter: { models: ['llama', 'llama-3.1'] }, selects: ['c2', 'i2'] },
  { name: 'a coordinate without a value names no model', filter: { models: ['mode', 'model', ''] }, selects: [] },
  { name: 'a node: the name before the brackets', filter: { nodes: ['classify'] }, selects: ['c1', 'i1', 'i2', 'x7'] },
  { name: 'a node without coordinates', filter: { nodes: ['aggregate'] }, selects: ['i3'] },
  { name: 'a node id with dashes, dots and underscores', filter: { nodes: ['embed-score.v2_x'] }, selects: ['i4'] },
  { name: 'a one-letter node', filter: { nodes: ['c'] }, selects: ['x6'] },
  { name: 'origins that are not task ids name no node', filter: { nodes: ['2bad', 'embedder', ' classify'] }, selects: [] },
  { name: 'two nodes: either', filter: { nodes: ['describe', 'aggregate'] }, selects: ['c2', 'i3'] },
  { name: 'a namespace', filter: { namespaces: ['embedding'] }, selects: ['e1', 'e2'] },
  { name: 'two namespaces', filter: { namespaces: ['source', 'chat'] }, selects: ['c1', 'c2', 's1', 'x3'] },
  { name: 'last used strictly before', filter: { lastUsedBefore: 3000 }, selects: ['c1', 'c2'] },
  { name: 'created strictly after', filter: { createdAfter: 13000 }, selects: ['x5', 'x6', 'x7'] },
  { name: 'a time of 0 is a condition, not "no filter"', filter: { lastUsedBefore: 0 }, selects: [] },
  { name: 'model and namespace: both must hold', filter: { models: ['gpt'], namespaces: ['item'] }, selects: ['i1', 'i4', 'x1', 'x5'] },
  { name: 'node and model', filter: { nodes: ['classify'], models: ['gpt'] }, selects: ['c1', 'i1'] },
  { name: 'node and a time window', filter: { nodes: ['classify'], createdAfter: 1000, lastUsedBefore: 4000 }, selects: ['i1'] },
  { name: 'model and created after', filter: { models: ['gpt'], createdAfter: 3000 }, selects: ['i4', 'x1', 'x5'] },
  { name: 'namespace and last used before', filter: { namespaces: ['embedding', 'item'], lastUsedBefore: 9000 }, selects: ['i1', 'i2', 'i3', 'i4', 'e1'] },
  { name: 'a namespace nothing is in', filter: { namespaces: ['file-digest'] }, selects: [] },
];

const ALL_KEYS = ENTRIES.map((e) => e.key);

function fill(open: (now: () => number) => CacheStore): CacheStore {
  let now = 0;
  const store = open(() => now);
  for (const entry of ENTRIES) {
    now = entry.at;
    store.put(entry.key, { stored: entry.key }, { namespace: entry.namespace, origin: entry.origin, model: entry.model });
  }
  return store;
}

/** The keys clear(filter) removed, after checking stats(filter) counted exactly them. */
function selection(store: CacheStore, filter: EntryFilter): string[] {
  const counted = store.stats(filter);
  const removed = store.clear(filter);
  const left = new Set(store.getMany(ALL_KEYS).keys());
  const selected = ALL_KEYS.filter((key) => !left.has(key));
  assert.equal(removed, selected.length, 'clear() returns how many it removed');
  assert.equal(counted.entries, selected.length, 'stats(filter) counts what clear(filter) removes');
  const byNamespace: Record<string, number> = {};
  for (const key of selected) {
    const ns = ENTRIES.find((e) => e.key === key)!.namespace;
    byNamespace[ns] = (byNamespace[ns] ?? 0) + 1;
  }
  assert.deepEqual(Object.fromEntries(Object.entries(counted.byNamespace).map(([ns, group]) => [ns, group.entries])), byNamespace);
  return selected;
}

for (const [storeName, withStore] of [
  ['sqlite', async (body: (open: (now: () => number) => CacheStore) => void) => {
    await withTempDir('entry-filter', async (dir) => {
      const stores: CacheStore[] = [];
      try {
        let n = 0;
        body((now) => {
          const store = new SqliteCacheStore({ file: path.join(dir, `cache-${n++}.db`), now, onWarning: (m) => assert.fail(m) });
          stores.push(store);
          return store;
        });
      } finally {
        for (const store of stores) store.close();
      }
    });
  }],
  ['memory', async (body: (open: (now: () => number) => CacheStore) => void) => body((now) => new MemoryCacheStore({ now }))],
] as const) {
  test(`${storeName} store: each filter selects exactly the entries it names`, () =>
    withStore((open) => {
      for (const { name, filter, selects } of CASES) {
        const store = fill(open);
        assert.deepEqual(selection(store, filter), selects, name);
        // What was not selected is still there, value intact.
        for (const key of ALL_KEYS.filter((k) => !selects.includes(k))) assert.deepEqual(store.get(key), { stored: key }, `${name}: ${key} kept`);
      }
    }));

  test(`${storeName} store: several filters in a row on one store (the SQL function's parsed filter is not reused stale)`, () =>
    withStore((open) => {
      const store = fill(open);
      assert.equal(store.stats({ models: ['llama'] }).entries, 1);
      assert.equal(store.stats({ models: ['gpt'] }).entries, 5);
      assert.equal(store.stats({ nodes: ['classify'] }).entries, 4);
      assert.equal(store.clear({ namespaces: ['embedding'] }), 2);
      assert.equal(store.clear({ namespaces: ['embedding'] }), 0);
      assert.equal(store.clear({ models: ['gpt'] }), 5);
      assert.equal(store.stats().entries, ALL_KEYS.length - 7);
    }));

  test(`${storeName} store: an empty filter (or empty lists) selects everything`, () =>
    withStore((open) => {
      for (const filter of [undefined, {}, { models: [], nodes: [], namespaces: [] }] as (EntryFilter | undefined)[]) {
        const store = fill(open);
        assert.equal(store.stats(filter).entries, ALL_KEYS.length);
        assert.equal(store.clear(filter), ALL_KEYS.length);
        assert.equal(store.stats().entries, 0);
      }
    }));
}

test('isEmptyFilter: no condition at all; an empty list is no condition, a time of 0 is one', () => {
  assert.equal(isEmptyFilter(undefined), true);
  assert.equal(isEmptyFilter({}), true);
  assert.equal(isEmptyFilter({ models: [], nodes: [], namespaces: [] }), true);
  assert.equal(isEmptyFilter({ models: ['m'] }), false);
  assert.equal(isEmptyFilter({ nodes: ['n'] }), false);
  assert.equal(isEmptyFilter({ namespaces: ['item'] }), false);
  assert.equal(isEmptyFilter({ lastUsedBefore: 0 }), false);
  assert.equal(isEmptyFilter({ createdAfter: 0 }), false);
});

test('modelOfEntry: the recorded model first; the task coordinate only for item and chat entries', () => {
  const base = { createdAt: 0, lastUsed: 0 };
  assert.equal(modelOfEntry({ ...base, namespace: 'item', origin: 'classify[model=a]', model: 'b' }), 'b');
  assert.equal(modelOfEntry({ ...base, namespace: 'item', origin: 'classify[model=a]', model: null }), 'a');
  assert.equal(modelOfEntry({ ...base, namespace: 'chat', origin: 'classify[variant=v,model=a]' }), 'a');
  assert.equal(modelOfEntry({ ...base, namespace: 'chat', origin: 'classify[model=a=b]' }), 'a=b');
  assert.equal(modelOfEntry({ ...base, namespace: 'source', origin: 'extract[model=a]' }), undefined);
  assert.equal(modelOfEntry({ ...base, namespace: 'embedding', origin: 'x[model=a]' }), undefined);
  assert.equal(modelOfEntry({ ...base, namespace: 'item', origin: null }), undefined);
  assert.equal(modelOfEntry({ ...base, namespace: 'item', origin: 'aggregate' }), undefined);
  assert.equal(modelOfEntry({ ...base, namespace: 'item', origin: 'classify[]' }), undefined);
  assert.equal(modelOfEntry({ ...base, namespace: 'item', origin: 'classify[variant=v]' }), undefined);
  assert.equal(modelOfEntry({ ...base, namespace: 'item', origin: 'classify[model=a]tail' }), undefined);
});

test('entryMatches: the time bounds are strict, and every condition must hold', () => {
  const facts = { namespace: 'item', origin: 'classify[model=m]', model: 'm', createdAt: 100, lastUsed: 200 };
  assert.equal(entryMatches({ lastUsedBefore: 200 }, facts), false);
  assert.equal(entryMatches({ lastUsedBefore: 201 }, facts), true);
  assert.equal(entryMatches({ createdAfter: 100 }, facts), false);
  assert.equal(entryMatches({ createdAfter: 99 }, facts), true);
  assert.equal(entryMatches({ models: ['m'], nodes: ['classify'], namespaces: ['item'], createdAfter: 99, lastUsedBefore: 201 }, facts), true);
  for (const spoiler of [{ models: ['x'] }, { nodes: ['x'] }, { namespaces: ['chat'] }, { createdAfter: 100 }, { lastUsedBefore: 200 }]) {
    assert.equal(entryMatches({ models: ['m'], nodes: ['classify'], namespaces: ['item'], createdAfter: 99, lastUsedBefore: 201, ...spoiler }, facts), false, JSON.stringify(spoiler));
  }
});
