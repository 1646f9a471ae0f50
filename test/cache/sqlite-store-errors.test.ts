import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, openSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';
import { ConfigError, RunIOError, VaflowError } from '../../src/errors.js';
import { committedKeys, waitFor, withSqliteStore } from './fixtures/sqlite-fixture.js';

// The SQLite store's error paths with real files: another process holding the write lock, files that
// are not (or no longer) databases, a folder in place of the file, an older table layout, and the
// exit handler. What a user relies on: an error that names the file and says what is wrong, nothing
// already stored lost, and every buffered answer still readable in the process after a failed write.

const item = { namespace: 'item', origin: 'classify[model=m]' };
const LOCK_MS = 300;
const lockedError = (file: string) => (error: unknown) =>
  error instanceof VaflowError && !(error instanceof RunIOError) && error.message === `cache ${file}: still locked by another process after ${LOCK_MS} ms` && (error.cause as { code?: string })?.code === 'SQLITE_BUSY';

/** Another connection holding the write lock (what a second vaflow process mid-commit holds). */
function holdWriteLock(db: Database.Database): () => void {
  db.exec('BEGIN EXCLUSIVE');
  return () => db.exec('COMMIT');
}

test('a flush while another connection holds the write lock fails naming the file; nothing buffered is lost', () =>
  withSqliteStore(({ open, connect, file }) => {
    const store = open({ flushDelayMs: 60_000, lockTimeoutMs: LOCK_MS });
    store.put('before', 'committed', item);
    store.flush();
    const other = connect();
    const release = holdWriteLock(other);
    store.put('a', { answer: 1 }, item);
    store.putBytes('v', new Uint8Array([1, 2]), { namespace: 'embedding' });
    assert.throws(() => store.flush(), lockedError(file));
    // Still readable in this process, and committed once the lock is gone.
    assert.deepEqual(store.get('a'), { answer: 1 });
    assert.deepEqual(store.getMany(['a', 'before']), new Map<string, unknown>([['a', { answer: 1 }], ['before', 'committed']]));
    release();
    store.flush();
    assert.deepEqual(committedKeys(other), ['a', 'before', 'v']);
  }));

test('reads, stats and a flush with nothing buffered are not held up by another connection\'s write lock', () =>
  withSqliteStore(({ open, connect }) => {
    const store = open({ lockTimeoutMs: LOCK_MS });
    store.put('a', 1, item);
    store.flush();
    const release = holdWriteLock(connect());
    store.flush();
    assert.equal(store.get('a'), 1);
    assert.equal(store.stats().entries, 1);
    release();
  }));

test('a durable put under a held lock throws from put itself, and the answer stays readable and is committed later', () =>
  withSqliteStore(({ open, connect, file }) => {
    const store = open({ flushDelayMs: 60_000, lockTimeoutMs: LOCK_MS });
    const other = connect();
    const release = holdWriteLock(other);
    assert.throws(() => store.put('paid', 'answer', { ...item, durable: true }), lockedError(file));
    assert.equal(store.get('paid'), 'answer');
    release();
    store.flush();
    assert.deepEqual(committedKeys(other), ['paid']);
  }));

test('putDurable: answers of one turn share one commit; a held lock rejects every one of them, and a later flush keeps them', () =>
  withSqliteStore(async ({ open, connect, file }) => {
    const store = open({ flushDelayMs: 60_000, lockTimeoutMs: LOCK_MS });
    const other = connect();
    await Promise.all([store.putDurable('one', 1, item), store.putDurable('two', 2, item)]);
    assert.deepEqual(committedKeys(other), ['one', 'two']);
    const release = holdWriteLock(other);
    const first = store.putDurable('three', 3, item);
    const second = store.putDurable('four', 4, item);
    await assert.rejects(first, lockedError(file));
    await assert.rejects(second, lockedError(file));
    assert.equal(store.get('three'), 3);
    release();
    await store.putDurable('five', 5, item);
    assert.deepEqual(committedKeys(other), ['five', 'four', 'one', 'three', 'two']);
  }));

test('close() under a held lock throws naming the file, an answer it could not commit rejects its putDurable, and a second close is a no-op', () =>
  withSqliteStore(async ({ open, connect, file }) => {
    const store = open({ flushDelayMs: 60_000, lockTimeoutMs: LOCK_MS });
    const release = holdWriteLock(connect());
    const paid = store.putDurable('paid', 'answer', item);
    assert.throws(() => store.close(), lockedError(file));
    await assert.rejects(paid, (error: unknown) => error instanceof VaflowError && error.message === `cache ${file} was closed before an answer could be committed`);
    store.close();
    assert.throws(() => store.get('paid'), (error: unknown) => error instanceof VaflowError && error.message === `cache ${file} is closed`);
    release();
  }));

test('putDurable right before close(): close commits it, and the promise resolves', () =>
  withSqliteStore(async ({ open, connect }) => {
    const store = open({ flushDelayMs: 60_000 });
    const paid = store.putDurable('paid', 'answer', item);
    store.close();
    await paid;
    assert.deepEqual(committedKeys(connect()), ['paid']);
  }));

test('a background flush that meets a lock warns naming the file, keeps the entries, and commits them once the lock is gone', () =>
  withSqliteStore(async ({ open, connect, file, warnings }) => {
    const store = open({ flushDelayMs: 5, lockTimeoutMs: LOCK_MS });
    const other = connect();
    const release = holdWriteLock(other);
    store.put('a', 'kept', item);
    await waitFor(() => warnings.length > 0, 'the failed background flush');
    assert.equal(warnings[0], `cache ${file}: background flush failed, retrying in 1 s: cache ${file}: still locked by another process after ${LOCK_MS} ms`);
    assert.equal(store.get('a'), 'kept');
    release();
    await waitFor(() => committedKeys(other).includes('a'), 'the retried flush');
    assert.equal(store.get('a'), 'kept');
  }));

test('opening a file whose write lock another connection holds fails naming the file, not with a raw SQLite error', () =>
  withSqliteStore(({ open, connect, file }) => {
    open().close();
    const release = holdWriteLock(connect());
    assert.throws(() => open({ lockTimeoutMs: LOCK_MS }), lockedError(file));
    release();
    assert.equal(open({ lockTimeoutMs: LOCK_MS }).stats().entries, 0);
  }));

test('a folder where the file should be, or a missing folder, is a ConfigError naming the file', () =>
  withSqliteStore(({ open, dir }) => {
    const folder = path.join(dir, 'a-folder.db');
    mkdirSync(folder);
    assert.throws(
      () => open({ file: folder }),
      (error: unknown) => error instanceof ConfigError && error.message === `cache ${folder} cannot be opened (SQLITE_CANTOPEN); check that its folder exists and is writable`,
    );
    const missing = path.join(dir, 'no-such-folder', 'cache.db');
    assert.throws(() => open({ file: missing }), (error: unknown) => error instanceof ConfigError && error.message === `cache ${missing} cannot be opened: its folder does not exist`);
  }));

/** A cache of `count` entries, closed (so everything is in the main file, the WAL checkpointed). */
function writeCache(open: (options?: { file?: string }) => SqliteCacheStore, file: string, count: number): void {
  const store = open({ file });
  for (let i = 0; i < count; i++) store.put(`k${i}`, { text: 'x'.repeat(300), i }, item);
  store.close();
}

test('a truncated cache file is a ConfigError at open naming the file', () =>
  withSqliteStore(({ open, file }) => {
    writeCache(open, file, 3000);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    assert.throws(
      () => open(),
      (error: unknown) => error instanceof ConfigError && error.message === `cache ${file} is not a readable vaflow cache (SQLITE_CORRUPT); delete it or use another --cache-dir`,
    );
  }));

test('pages damaged after the file opened: get, stats and clear fail with the same ConfigError naming the file', () =>
  withSqliteStore(({ open, file }) => {
    writeCache(open, file, 3000);
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, Buffer.alloc(4096 * 20, 0x5a), 0, 4096 * 20, Math.floor(size / 2 / 4096) * 4096);
    } finally {
      closeSync(fd);
    }
    const store = open();
    const damaged = (error: unknown) => error instanceof ConfigError && error.message === `cache ${file} is not a readable vaflow cache (SQLITE_CORRUPT); delete it or use another --cache-dir`;
    let failed = 0;
    for (let i = 0; i < 3000; i++) {
      try {
        store.get(`k${i}`);
      } catch (error) {
        assert.ok(damaged(error), String(error));
        failed++;
      }
    }
    assert.ok(failed > 0, 'some entries sit on the damaged pages');
    assert.throws(() => store.getMany(Array.from({ length: 3000 }, (_, i) => `k${i}`)), damaged);
    assert.throws(() => store.stats(), damaged);
    assert.throws(() => store.clear(), damaged);
    assert.throws(() => store.prune(Date.now()), damaged);
  }));

test('a file written before the model column existed gains it: old entries stay readable, new ones are selectable by model', () =>
  withSqliteStore(({ open, connect }) => {
    const old = connect();
    old.exec(`CREATE TABLE entries (key TEXT PRIMARY KEY, namespace TEXT NOT NULL, origin TEXT, encoding TEXT NOT NULL CHECK (encoding IN ('json', 'bytes')),
      value BLOB NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL, last_used INTEGER NOT NULL); PRAGMA user_version = 1;`);
    old.prepare(`INSERT INTO entries VALUES ('old', 'item', 'classify[model=a]', 'json', '"old answer"', 12, 1, 1)`).run();
    old.close();
    const store = open();
    assert.equal(store.get('old'), 'old answer');
    store.put('new', 'new answer', { namespace: 'chat', origin: 'classify[model=a]', model: 'b' });
    assert.equal(store.stats({ models: ['a'] }).entries, 1);
    assert.equal(store.stats({ models: ['b'] }).entries, 1);
    store.close();
    const reopened = open();
    assert.equal(reopened.clear({ models: ['b'] }), 1);
    assert.equal(reopened.get('old'), 'old answer');
  }));

test('the exit handler commits what is buffered and closes the store; if it cannot, it warns instead of throwing', () =>
  withSqliteStore(({ open, connect, file, warnings }) => {
    const before = new Set(process.listeners('exit'));
    const store = open({ flushDelayMs: 60_000 });
    const added = process.listeners('exit').filter((listener) => !before.has(listener));
    assert.equal(added.length, 1, 'the store registers one exit handler');
    store.put('buffered', 1, item);
    (added[0] as () => void)();
    assert.throws(() => store.get('buffered'), /is closed/);
    const other = connect();
    assert.deepEqual(committedKeys(other), ['buffered']);
    assert.equal(process.listeners('exit').includes(added[0]), false, 'close() removes the handler');
    (added[0] as () => void)(); // after close: nothing to do, no warning

    // Many stores open at once share that one listener (no MaxListenersExceededWarning at 11), and
    // it saves each of them; it goes when the last one closes.
    const many = Array.from({ length: 12 }, (_, i) => open({ flushDelayMs: 60_000, file: `${file}.${i}` }));
    const shared = process.listeners('exit').filter((listener) => !before.has(listener));
    assert.equal(shared.length, 1, 'one exit listener for every open store');
    many.forEach((s, i) => s.put(`many-${i}`, i, item));
    many[3].close();
    (shared[0] as () => void)();
    for (const [i, s] of many.entries()) assert.throws(() => s.get(`many-${i}`), /is closed/, `store ${i} was closed at exit`);
    assert.equal(process.listeners('exit').includes(shared[0]), false, 'the listener goes with the last store');

    const locked = open({ flushDelayMs: 60_000, lockTimeoutMs: LOCK_MS });
    const handler = process.listeners('exit').find((listener) => !before.has(listener)) as () => void;
    locked.put('lost', 1, item);
    const release = holdWriteLock(other);
    handler();
    release();
    assert.deepEqual(warnings, [`cache ${file}: could not save the last results at exit: cache ${file}: still locked by another process after ${LOCK_MS} ms`]);
  }));

test('without onWarning, a warning goes to stderr as one "vaflow:" line', () =>
  withSqliteStore(({ file }) => {
    const store = new SqliteCacheStore({ file });
    try {
      store.put('json', [1], item);
      const written: string[] = [];
      const original = process.stderr.write;
      process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
      try {
        assert.equal(store.getBytes('json'), undefined);
      } finally {
        process.stderr.write = original;
      }
      assert.deepEqual(written, [`vaflow: cache ${file}: entry json holds JSON, not bytes; treated as a miss\n`]);
    } finally {
      store.close();
    }
  }));
