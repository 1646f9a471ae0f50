import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { ConfigError } from '../../src/errors.js';
import { withSqliteStore } from './fixtures/sqlite-fixture.js';

const item = { namespace: 'item', origin: 'classify[model=m]' };

test('JSON values round-trip through the file, and a reopened store reads them', () =>
  withSqliteStore(({ open }) => {
    const value = { label: 'happiness', scores: [0.5, -1, 0], nested: { ok: true, none: null }, text: 'é ✓' };
    const store = open();
    store.put('k1', value, item);
    store.put('k2', 'plain string', item);
    store.put('k3', 0, item);
    store.close();
    const reopened = open();
    assert.deepEqual(reopened.get('k1'), value);
    assert.equal(reopened.get('k2'), 'plain string');
    assert.equal(reopened.get('k3'), 0);
    assert.equal(reopened.get('absent'), undefined);
  }));

test('bytes round-trip as a fresh Uint8Array that a Float32Array can view', () =>
  withSqliteStore(({ open }) => {
    const vector = new Float32Array([0.25, -1.5, 3e-8, 42]);
    const store = open();
    store.putBytes('v', new Uint8Array(vector.buffer), { namespace: 'embedding' });
    store.flush();
    const bytes = store.getBytes('v');
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(bytes.byteOffset, 0);
    assert.deepEqual(new Float32Array(bytes.buffer), vector);
    assert.ok(store.get('v') instanceof Uint8Array);
  }));

test('a put is visible to get and getMany before any flush, and the buffered bytes are a copy', () =>
  withSqliteStore(({ open, file }) => {
    const store = open({ flushDelayMs: 60_000 });
    const source = new Uint8Array([1, 2, 3]);
    store.put('a', { n: 1 }, item);
    store.putBytes('b', source, { namespace: 'embedding' });
    source[0] = 99;
    assert.deepEqual(store.get('a'), { n: 1 });
    assert.deepEqual([...(store.getBytes('b') ?? [])], [1, 2, 3]);
    assert.equal(store.getMany(['a', 'b', 'c']).size, 2);
    // Not yet in the file: another connection sees nothing until flush.
    const other = new Database(file, { readonly: true });
    try {
      assert.equal(other.prepare('SELECT COUNT(*) FROM entries').pluck().get(), 0);
      store.flush();
      assert.equal(other.prepare('SELECT COUNT(*) FROM entries').pluck().get(), 2);
    } finally {
      other.close();
    }
  }));

test('buffered writes reach the file within the flush delay without an explicit flush', () =>
  withSqliteStore(async ({ open, file }) => {
    const store = open({ flushDelayMs: 5 });
    store.put('a', 1, item);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = new Database(file, { readonly: true });
    try {
      assert.equal(other.prepare('SELECT COUNT(*) FROM entries').pluck().get(), 1);
    } finally {
      other.close();
    }
  }));

test('getMany over 2,500 keys finds every hit, in and beyond 500-key chunks, and skips misses', () =>
  withSqliteStore(({ open }) => {
    const store = open();
    for (let i = 0; i < 2500; i++) store.put(`key-${i}`, { i }, item);
    store.flush();
    store.put('buffered', { i: -1 }, item);
    const keys = [...Array.from({ length: 2500 }, (_, i) => `key-${i}`), 'buffered', 'missing-1', 'missing-2'];
    const found = store.getMany(keys);
    assert.equal(found.size, 2501);
    for (let i = 0; i < 2500; i++) assert.deepEqual(found.get(`key-${i}`), { i });
    assert.deepEqual(found.get('buffered'), { i: -1 });
    assert.equal(found.has('missing-1'), false);
  }));

test('putting a key again replaces its value', () =>
  withSqliteStore(({ open }) => {
    const store = open();
    store.put('k', 'first', item);
    store.flush();
    store.put('k', 'second', item);
    assert.equal(store.get('k'), 'second');
    store.flush();
    assert.equal(store.get('k'), 'second');
    assert.equal(store.stats().entries, 1);
  }));

test('a value JSON cannot hold is refused at put, not stored as nothing', () =>
  withSqliteStore(({ open }) => {
    const store = open();
    assert.throws(() => store.put('k', undefined, item), /not JSON-serialisable/);
    assert.throws(() => store.put('k', () => 1, item), /not JSON-serialisable/);
    assert.equal(store.get('k'), undefined);
  }));

test('stats counts entries and bytes per namespace, with creation times', () =>
  withSqliteStore(({ open }) => {
    let now = 1_000;
    const store = open({ now: () => now });
    store.put('a', 'xx', item); // '"xx"' = 4 bytes
    now = 2_000;
    store.put('b', [1, 2], item); // '[1,2]' = 5 bytes
    store.putBytes('c', new Uint8Array(16), { namespace: 'embedding' });
    const stats = store.stats();
    assert.deepEqual(stats, {
      entries: 3,
      bytes: 25,
      byNamespace: { embedding: { entries: 1, bytes: 16 }, item: { entries: 2, bytes: 9 } },
      oldest: 1_000,
      newest: 2_000,
      path: store.path,
    });
  }));

test('clear removes everything, buffered entries included, and returns the count', () =>
  withSqliteStore(({ open }) => {
    const store = open();
    for (let i = 0; i < 10; i++) store.put(`k${i}`, i, item);
    store.flush();
    store.put('buffered', 1, item);
    assert.equal(store.clear(), 11);
    assert.equal(store.get('k1'), undefined);
    assert.equal(store.get('buffered'), undefined);
    assert.equal(store.stats().entries, 0);
  }));

test('prune deletes by last use: a hit refreshes an old entry so it survives', () =>
  withSqliteStore(({ open }) => {
    const minute = 60_000;
    let now = 0;
    const store = open({ now: () => now, touchIntervalMs: minute });
    store.put('used', 1, item);
    store.put('unused', 2, item);
    store.flush();
    now = 10 * minute;
    assert.equal(store.get('used'), 1); // last_used refreshed in the next flush
    assert.equal(store.getMany(['used']).size, 1);
    now = 20 * minute;
    store.put('fresh', 3, item);
    assert.equal(store.prune(5 * minute), 1);
    assert.equal(store.get('unused'), undefined);
    assert.equal(store.get('used'), 1);
    assert.equal(store.get('fresh'), 3);
    assert.equal(store.prune(100 * minute), 2);
    assert.equal(store.stats().entries, 0);
  }));

test('a damaged row is a miss with a warning naming the key, never an exception or a value', () =>
  withSqliteStore(({ open, file, warnings }) => {
    const store = open();
    store.put('good', { ok: 1 }, item);
    store.put('broken', { ok: 2 }, item);
    store.put('wrong-encoding', { ok: 3 }, item);
    store.flush();
    const raw = new Database(file);
    try {
      raw.prepare(`UPDATE entries SET value = '{"ok": 2' WHERE key = 'broken'`).run();
      raw.prepare(`UPDATE entries SET value = X'00FF', encoding = 'json' WHERE key = 'wrong-encoding'`).run();
    } finally {
      raw.close();
    }
    assert.equal(store.get('broken'), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /entry broken is damaged \(unparseable JSON/);
    const found = store.getMany(['good', 'broken', 'wrong-encoding']);
    assert.deepEqual([...found.keys()], ['good']);
    assert.equal(warnings.length, 3);
    assert.match(warnings[2], /wrong-encoding is damaged/);
    // A fresh put repairs the entry.
    store.put('broken', { ok: 2 }, item);
    store.flush();
    assert.deepEqual(store.get('broken'), { ok: 2 });
  }));

test('getBytes on a JSON entry is a miss with a warning', () =>
  withSqliteStore(({ open, warnings }) => {
    const store = open();
    store.put('json', [1, 2], item);
    assert.equal(store.getBytes('json'), undefined);
    assert.match(warnings[0], /holds JSON, not bytes/);
  }));

test('a full buffer is committed at once, without waiting for the timer', () =>
  withSqliteStore(({ open, file }) => {
    const store = open({ flushDelayMs: 60_000, maxPendingEntries: 10 });
    for (let i = 0; i < 25; i++) store.put(`k${i}`, i, item);
    const other = new Database(file, { readonly: true });
    try {
      assert.equal(other.prepare('SELECT COUNT(*) FROM entries').pluck().get(), 20);
    } finally {
      other.close();
    }
  }));

test('the file is in WAL mode, and a store refuses use after close', () =>
  withSqliteStore(({ open, file }) => {
    const store = open();
    store.put('k', 1, item);
    store.close();
    store.close();
    assert.throws(() => store.get('k'), /closed/);
    const raw = new Database(file, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(raw.pragma('user_version', { simple: true }), 1);
    } finally {
      raw.close();
    }
  }));

test('a file that is not a database, or a newer cache format, is a ConfigError naming the file', () =>
  withSqliteStore(async ({ open, file }) => {
    await writeFile(file, 'this is not sqlite'.repeat(100));
    assert.throws(() => open(), (error: unknown) => error instanceof ConfigError && error.message.includes(file));
    await rm(file);
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    assert.throws(() => open(), (error: unknown) => error instanceof ConfigError && /format version 99/.test(error.message));
  }));

test('a durable put is committed before it returns; a plain put waits for the flush', async () => {
  await withSqliteStore(({ file, open }) => {
    const writer = open({ flushDelayMs: 60_000 });
    writer.put('paid', { text: 'sadness' }, { namespace: 'chat', durable: true });
    writer.put('derived', { v: 1 }, { namespace: 'embedding' });
    // Another connection sees only what is committed: what a killed process would leave behind.
    const reader = new Database(file, { readonly: true });
    try {
      const keys = reader.prepare('SELECT key FROM entries ORDER BY key').all().map((r) => (r as { key: string }).key);
      assert.deepEqual(keys, ['paid']);
    } finally {
      reader.close();
    }
    writer.flush();
  });
});
