import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError, RunIOError } from '../../src/errors.js';
import { committedKeys, withSqliteStore } from './fixtures/sqlite-fixture.js';

// The SQLite store's errors other than locks, each provoked in a real file: a commit SQLite refuses
// (a trigger another program added), an index that disagrees with its table (SQLITE_CORRUPT_INDEX,
// an extended code the damaged-file check must match by its prefix), a file that is no database,
// files that are SQLite databases but not vaflow caches, and SQLite's bound on the variables of one
// statement. Each error names the file; nothing buffered is lost.

const item = { namespace: 'item', origin: 'classify[model=m]' };

test('a commit SQLite refuses for a reason other than a lock is a RunIOError naming the file and the code; the entries are kept and committed later', () =>
  withSqliteStore(({ open, connect, file }) => {
    const store = open({ flushDelayMs: 60_000 });
    store.put('before', 1, item);
    store.flush();
    const other = connect();
    other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'read-only archive'); END`);
    store.put('a', { answer: 1 }, item);
    assert.throws(
      () => store.flush(),
      (error: unknown) => error instanceof RunIOError && error.action === 'write' && error.path === file &&
        error.message === `cannot write ${file}: read-only archive (SQLITE_CONSTRAINT_TRIGGER)`,
    );
    assert.deepEqual(store.get('a'), { answer: 1 });
    other.exec('DROP TRIGGER refuse');
    store.flush();
    assert.deepEqual(committedKeys(other), ['a', 'before']);
  }));

/**
 * A cache whose rows and one of its indexes disagree: an extra index is rewritten in the schema to
 * claim another column than the one it was built on (what a damaged index page amounts to), so
 * deleting a row finds no index entry to delete: SQLITE_CORRUPT_INDEX.
 */
function corruptIndex(connect: () => Database.Database): void {
  const db = connect();
  db.exec('CREATE INDEX by_namespace ON entries(namespace)');
  db.unsafeMode(true);
  db.pragma('writable_schema = ON');
  db.prepare(`UPDATE sqlite_master SET sql = 'CREATE INDEX by_namespace ON entries(origin)' WHERE name = 'by_namespace'`).run();
  db.close();
}

test('an index that disagrees with its table (SQLITE_CORRUPT_INDEX) is the damaged-file ConfigError naming the file and the code', () =>
  withSqliteStore(({ open, connect, file }) => {
    const writer = open();
    for (let i = 0; i < 20; i++) writer.put(`k${i}`, i, item);
    writer.close();
    corruptIndex(connect);
    const store = open();
    assert.equal(store.get('k3'), 3, 'reads through the primary key still work');
    assert.throws(
      () => store.prune(Date.now() + 1),
      (error: unknown) => error instanceof ConfigError && error.message === `cache ${file} is not a readable vaflow cache (SQLITE_CORRUPT_INDEX); delete it or use another --cache-dir`,
    );
  }));

test('a file that is not a database is the damaged-file ConfigError with SQLITE_NOTADB', () =>
  withSqliteStore(({ open, file }) => {
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    assert.throws(
      () => open(),
      (error: unknown) => error instanceof ConfigError && error.message === `cache ${file} is not a readable vaflow cache (SQLITE_NOTADB); delete it or use another --cache-dir`,
    );
  }));

test('getMany of more keys than SQLite binds in one statement (32,766) finds every hit', () =>
  withSqliteStore(({ open }) => {
    const store = open();
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}`);
    for (const i of [0, 499, 500, 32_766, 39_999]) store.put(keys[i], i, item);
    store.flush();
    assert.deepEqual([...store.getMany(keys)].sort(([a], [b]) => a.localeCompare(b)), [['k0', 0], ['k32766', 32_766], ['k39999', 39_999], ['k499', 499], ['k500', 500]]);
  }));

test('another program\'s table "entries" is refused at open, naming the file and the missing columns, its table left as it was', () =>
  withSqliteStore(({ open, connect, file }) => {
    const foreign = connect();
    foreign.exec('CREATE TABLE entries (key TEXT PRIMARY KEY, namespace TEXT, origin TEXT, value TEXT, size INTEGER, last_used INTEGER)');
    assert.throws(
      () => open(),
      (error: unknown) => error instanceof ConfigError &&
        error.message === `cache ${file} is not a vaflow cache: its table "entries" has no column encoding, created_at; delete it or use another --cache-dir`,
    );
    const columns = foreign.prepare<[], { name: string }>('PRAGMA table_info(entries)').all().map((c) => c.name);
    assert.deepEqual(columns, ['key', 'namespace', 'origin', 'value', 'size', 'last_used'], 'no model column was added to it');
  }));

test('an SQLite error at open other than SQLITE_CANTOPEN names the file and SQLite\'s reason, not the folder advice', () =>
  withSqliteStore(({ open, connect, file }) => {
    // A view with the first columns: the model column cannot be added to it.
    connect().exec(`CREATE VIEW entries AS SELECT 'k' AS key, 'item' AS namespace, NULL AS origin, 'json' AS encoding, '1' AS value,
      1 AS size, 0 AS created_at, 0 AS last_used`);
    assert.throws(
      () => open(),
      (error: unknown) => error instanceof ConfigError && error.message === `cache ${file} cannot be opened: Cannot add a column to a view (SQLITE_ERROR)`,
    );
  }));
