import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { committedKeys, waitFor, withSqliteStore } from './fixtures/sqlite-fixture.js';

// When the SQLite store's writes reach the file (what a killed process keeps), what a hit rewrites,
// and what clearing gives back to the disk; checked from a second connection, as another process or
// the next run would see the file.

const item = { namespace: 'item', origin: 'classify[model=m]' };
/** A JSON string value whose stored size is exactly `bytes` (two quotes around x's). */
const sized = (bytes: number) => 'x'.repeat(bytes - 2);

test('a configured flush delay is honoured: nothing reaches the file early; the default delay commits on its own', () =>
  withSqliteStore(async ({ open, connect }) => {
    const slow = open({ flushDelayMs: 60_000 });
    slow.put('slow', 1, item);
    const other = connect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(committedKeys(other), [], 'a 60 s delay does not commit within 300 ms');
    slow.close();
    const quick = open();
    quick.put('quick', 1, item);
    await waitFor(() => committedKeys(other).includes('quick'), 'the default flush');
  }));

test('buffered bytes commit at the byte limit exactly; replacing a buffered key counts its size once', () =>
  withSqliteStore(({ open, connect }) => {
    const other = connect();
    const store = open({ flushDelayMs: 60_000, maxPendingBytes: 100 });
    store.put('exact', sized(100), item);
    assert.deepEqual(committedKeys(other), ['exact'], 'a buffer of exactly maxPendingBytes is committed');
    for (let i = 0; i < 3; i++) store.put('same', sized(40), item);
    store.put('second', sized(40), item);
    assert.deepEqual(committedKeys(other), ['exact'], '80 bytes buffered, not 160');
    store.put('third', sized(40), item);
    assert.deepEqual(committedKeys(other), ['exact', 'same', 'second', 'third']);
  }));

test('the default byte limit (8 MiB) commits a buffer that reaches it without waiting for the timer', () =>
  withSqliteStore(({ open, connect }) => {
    const store = open({ flushDelayMs: 60_000 });
    store.put('big', sized(8 * 1024 * 1024), item);
    assert.deepEqual(committedKeys(connect()), ['big']);
  }));

/** last_used of `key` as the file holds it. */
const lastUsed = (db: import('better-sqlite3').Database, key: string) => db.prepare('SELECT last_used FROM entries WHERE key = ?').pluck().get(key);

test('a hit rewrites last_used only once the entry is older than the touch interval, even with nothing else to write', () =>
  withSqliteStore(({ open, connect }) => {
    let now = 0;
    const store = open({ flushDelayMs: 60_000, touchIntervalMs: 1000, now: () => now });
    store.put('k', 1, item);
    store.flush();
    const other = connect();
    for (const [at, expected] of [[500, 0], [1000, 0], [1001, 1001], [1500, 1001], [2002, 2002]] as const) {
      now = at;
      assert.equal(store.get('k'), 1);
      store.flush();
      assert.equal(lastUsed(other, 'k'), expected, `read at ${at}`);
    }
    now = 5000;
    assert.equal(store.getMany(['k']).size, 1);
    store.flush();
    assert.equal(lastUsed(other, 'k'), 5000, 'getMany touches too');
  }));

test('the default touch interval is one minute', () =>
  withSqliteStore(({ open, connect }) => {
    let now = 0;
    const store = open({ flushDelayMs: 60_000, now: () => now });
    store.put('k', 1, item);
    store.flush();
    const other = connect();
    now = 59_999;
    store.get('k');
    store.flush();
    assert.equal(lastUsed(other, 'k'), 0);
    now = 60_001;
    store.get('k');
    store.flush();
    assert.equal(lastUsed(other, 'k'), 60_001);
  }));

test('a touch never moves last_used back, and a damaged entry is not touched (prune can remove it)', () =>
  withSqliteStore(({ open, connect }) => {
    const minute = 60_000;
    let now = 0;
    const store = open({ flushDelayMs: 60_000, touchIntervalMs: minute, now: () => now });
    store.put('k', 1, item);
    store.put('broken', 2, item);
    store.flush();
    const other = connect();
    other.prepare(`UPDATE entries SET value = '{' WHERE key = 'broken'`).run();
    now = 10 * minute;
    store.get('k');
    assert.equal(store.get('broken'), undefined);
    // Meanwhile another process used k at 10.5 minutes.
    other.prepare('UPDATE entries SET last_used = ? WHERE key = ?').run(10.5 * minute, 'k');
    store.flush();
    assert.equal(lastUsed(other, 'k'), 10.5 * minute);
    assert.equal(lastUsed(other, 'broken'), 0);
  }));

test('clear and prune give the freed pages back to the file system (incremental auto-vacuum)', () =>
  withSqliteStore(({ open, connect, file }) => {
    const store = open();
    for (let i = 0; i < 2000; i++) store.put(`k${i}`, { text: 'x'.repeat(1000), i }, item);
    store.flush();
    const other = connect();
    assert.equal(other.pragma('auto_vacuum', { simple: true }), 2, 'INCREMENTAL');
    assert.equal(store.clear({ namespaces: ['item'] }), 2000);
    assert.equal(other.pragma('freelist_count', { simple: true }), 0);
    for (let i = 0; i < 2000; i++) store.put(`p${i}`, { text: 'x'.repeat(1000), i }, item);
    store.flush();
    assert.equal(store.prune(Number.MAX_SAFE_INTEGER), 2000);
    assert.equal(other.pragma('freelist_count', { simple: true }), 0);
    store.close();
    other.close();
    assert.ok(statSync(file).size < 200_000, `file is ${statSync(file).size} bytes after everything was removed`);
  }));

test('prune refuses a cutoff that is not a finite time, and deletes nothing', () =>
  withSqliteStore(({ open }) => {
    const store = open();
    store.put('k', 1, item);
    for (const cutoff of [Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => store.prune(cutoff), (error: unknown) => error instanceof TypeError && error.message === `cache prune: expected a finite cutoff (epoch ms), got ${cutoff}`);
    }
    assert.equal(store.get('k'), 1);
    assert.equal(store.stats().entries, 1);
  }));

test('a WAL checkpoint by another connection mid-use loses nothing; the last close folds the WAL into the file', () =>
  withSqliteStore(({ open, connect, file }) => {
    const store = open({ flushDelayMs: 60_000 });
    for (let i = 0; i < 500; i++) store.put(`a${i}`, i, item);
    store.flush();
    store.put('buffered', 'b', item);
    const other = connect();
    other.pragma('wal_checkpoint(TRUNCATE)');
    for (let i = 0; i < 500; i++) store.put(`b${i}`, i, item);
    store.flush();
    other.close();
    store.close();
    assert.equal(existsSync(`${file}-wal`), false, 'the WAL is removed by the last connection to close');
    const reopened = open();
    assert.equal(reopened.stats().entries, 1001);
    assert.equal(reopened.get('buffered'), 'b');
    assert.equal(reopened.get('b499'), 499);
  }));

test('two stores on one file: each sees the other\'s committed entries; the last write of a key wins', () =>
  withSqliteStore(({ open }) => {
    const first = open({ flushDelayMs: 60_000 });
    const second = open({ flushDelayMs: 60_000 });
    for (let i = 0; i < 100; i++) {
      first.put(`shared-${i}`, { by: 'first' }, item);
      second.put(`second-${i}`, i, item);
      if (i % 10 === 0) {
        first.flush();
        second.flush();
      }
    }
    first.flush();
    second.put('shared-7', { by: 'second' }, item);
    second.flush();
    assert.equal(first.stats().entries, 200);
    assert.deepEqual(first.get('shared-7'), { by: 'second' });
    assert.equal(first.get('second-99'), 99);
    assert.deepEqual(second.get('shared-0'), { by: 'first' });
  }));
