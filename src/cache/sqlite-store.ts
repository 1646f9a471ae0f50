import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CacheEntryMeta, CacheStats, CacheStore } from './store.js';
import { decodeValue, encodeBytes, encodeJson, type EncodedValue } from './entry-codec.js';
import { entryMatches, isEmptyFilter, type EntryFilter } from './entry-filter.js';
import { ConfigError, RunIOError, VaflowError } from '../errors.js';

export interface SqliteCacheStoreOptions {
  /** Path of the database file. Its folder must exist; the file is created when missing. */
  readonly file: string;
  /** Receives damaged-entry and failed-background-flush reports. @default one line on stderr */
  readonly onWarning?: (message: string) => void;
  /** Time from the first buffered write to its flush, in ms: what a SIGKILL can lose. @default 5 */
  readonly flushDelayMs?: number;
  /** Buffered entries that trigger a flush at once. @default 2000 */
  readonly maxPendingEntries?: number;
  /** Buffered value bytes that trigger a flush at once. @default 8 MiB */
  readonly maxPendingBytes?: number;
  /** A hit rewrites `last_used` only when it is older than this, in ms, so warm reruns barely write. @default 60000 */
  readonly touchIntervalMs?: number;
  /** How long a write may wait for another process's lock before it fails, in ms. @default 30000 */
  readonly lockTimeoutMs?: number;
  /** Clock for created_at / last_used (epoch ms). @default Date.now */
  readonly now?: () => number;
}

/** Bumped when the table layout changes; a newer file is refused rather than misread. */
const SCHEMA_VERSION = 1;
/** SQLite's own busy handler: waits inside one statement. retryWhileBusy covers what it cannot (WAL snapshot conflicts). */
const BUSY_TIMEOUT_MS = 5_000;
/** Keys per `IN (...)` lookup, well under SQLite's 32766 bound parameters. */
const LOOKUP_CHUNK = 500;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    key        TEXT PRIMARY KEY,
    namespace  TEXT NOT NULL,
    origin     TEXT,
    model      TEXT,
    encoding   TEXT NOT NULL CHECK (encoding IN ('json', 'bytes')),
    value      BLOB NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used  INTEGER NOT NULL
  );
  PRAGMA user_version = ${SCHEMA_VERSION};
`;

/** The columns every vaflow cache file has had; `model` came later (addMissingColumns). */
const FIRST_COLUMNS = ['key', 'namespace', 'origin', 'encoding', 'value', 'size', 'created_at', 'last_used'];

/**
 * `model` (for `cache clear --model`) came after the first files were written: added to a file
 * that lacks it. A nullable column leaves the layout compatible both ways (an older vaflow names
 * its columns when it inserts), so SCHEMA_VERSION stays 1 and no key changes. A table `entries`
 * without the first columns is another program's: refused before anything is added to it.
 */
function addMissingColumns(db: Database.Database, file: string): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(entries)').all().map((c) => c.name);
  const foreign = FIRST_COLUMNS.filter((name) => !columns.includes(name));
  if (foreign.length > 0) {
    throw new ConfigError(`cache ${file} is not a vaflow cache: its table "entries" has no column ${foreign.join(', ')}; delete it or use another --cache-dir`);
  }
  if (!columns.includes('model')) db.exec('ALTER TABLE entries ADD COLUMN model TEXT');
}

/** The SQL function that applies an EntryFilter (given as JSON) to a row: one predicate for both stores. */
const MATCHES = 'vaflow_entry_matches(?, namespace, origin, model, created_at, last_used)';

interface PendingEntry extends EncodedValue {
  readonly namespace: string;
  readonly origin: string | null;
  readonly model: string | null;
  readonly createdAt: number;
}

/** A looked-up entry as better-sqlite3's raw mode returns it (an array per row: no object with named properties per entry). */
type StoredRow = readonly [key: string, encoding: unknown, value: unknown, lastUsed: number];

interface NamespaceRow {
  readonly namespace: string;
  readonly entries: number;
  readonly bytes: number;
  readonly oldest: number;
  readonly newest: number;
}

/**
 * The cache in one SQLite file (WAL, synchronous=NORMAL). A durable put is committed before it
 * returns, a putDurable (a paid answer) together with the others of its event-loop turn; other
 * writes are buffered and committed in one IMMEDIATE transaction a few ms later, so a killed process
 * loses at most that window of derived data and never leaves a half-written entry; several
 * processes may share the file (INSERT OR REPLACE, lock waits retried).
 */
export class SqliteCacheStore implements CacheStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #options: Required<Omit<SqliteCacheStoreOptions, 'file'>>;
  // Buffered writes, visible to reads before they are committed. Cleared only after a successful commit.
  readonly #pending = new Map<string, PendingEntry>();
  #pendingBytes = 0;
  // Keys whose last_used is stale after a hit; rewritten in the next flush, never one write per hit.
  readonly #touched = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  /** The group commit scheduled for the end of this event-loop turn, awaited by every putDurable since. */
  #group: { readonly done: Promise<void>; readonly settle: (error?: unknown) => void } | undefined;
  #closed = false;
  readonly #lookups = new Map<number, Database.Statement<string[], StoredRow>>();
  readonly #selectOne: Database.Statement<[string], StoredRow>;
  readonly #insert: Database.Statement<[string, string, string | null, string | null, string, string | Buffer, number, number, number]>;
  readonly #touch: Database.Statement<[number, string, number]>;
  /** Stores open in this process, saved at exit by one shared listener (not one each: a program may hold many). */
  static readonly #open = new Set<SqliteCacheStore>();
  static readonly #flushOpenAtExit = (): void => {
    for (const store of [...SqliteCacheStore.#open]) store.#flushAtExit();
  };

  constructor(options: SqliteCacheStoreOptions) {
    this.path = options.file;
    this.#options = {
      onWarning: options.onWarning ?? ((message) => process.stderr.write(`vaflow: ${message}\n`)),
      flushDelayMs: options.flushDelayMs ?? 5,
      maxPendingEntries: options.maxPendingEntries ?? 2000,
      maxPendingBytes: options.maxPendingBytes ?? 8 * 1024 * 1024,
      touchIntervalMs: options.touchIntervalMs ?? 60_000,
      lockTimeoutMs: options.lockTimeoutMs ?? 30_000,
      now: options.now ?? Date.now,
    };
    this.#db = openDatabase(options.file, this.#options.lockTimeoutMs);
    this.#selectOne = this.#db.prepare<[string], StoredRow>('SELECT key, encoding, value, last_used FROM entries WHERE key = ?').raw(true);
    this.#insert = this.#db.prepare(
      'INSERT OR REPLACE INTO entries (key, namespace, origin, model, encoding, value, size, created_at, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    registerFilterFunction(this.#db);
    this.#touch = this.#db.prepare('UPDATE entries SET last_used = ? WHERE key = ? AND last_used < ?');
    if (SqliteCacheStore.#open.size === 0) process.on('exit', SqliteCacheStore.#flushOpenAtExit);
    SqliteCacheStore.#open.add(this);
  }

  get(key: string): unknown | undefined {
    this.#assertOpen();
    const pending = this.#pending.get(key);
    if (pending) return this.#decode(key, pending.encoding, pending.data);
    const row = this.#read(() => this.#selectOne.get(key));
    return row ? this.#decodeRow(row) : undefined;
  }

  getMany(keys: readonly string[]): Map<string, unknown> {
    this.#assertOpen();
    const found = new Map<string, unknown>();
    const unbuffered: string[] = [];
    for (const key of keys) {
      const pending = this.#pending.get(key);
      if (!pending) unbuffered.push(key);
      else {
        const value = this.#decode(key, pending.encoding, pending.data);
        if (value !== undefined) found.set(key, value);
      }
    }
    for (let start = 0; start < unbuffered.length; start += LOOKUP_CHUNK) {
      const chunk = unbuffered.slice(start, start + LOOKUP_CHUNK);
      for (const row of this.#read(() => this.#lookup(chunk.length).all(...chunk))) {
        const value = this.#decodeRow(row);
        if (value !== undefined) found.set(row[0], value);
      }
    }
    return found;
  }

  put(key: string, value: unknown, meta: CacheEntryMeta): void {
    this.#buffer(key, encodeJson(key, value), meta);
  }

  putDurable(key: string, value: unknown, meta: CacheEntryMeta): Promise<void> {
    this.#buffer(key, encodeJson(key, value), { ...meta, durable: false }, false);
    if (!this.#group) {
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
      this.#group = { done, settle };
      // setImmediate runs after the I/O callbacks of this turn: every answer that arrived with this
      // one joins its transaction, and no new answer can arrive before it is committed.
      setImmediate(() => {
        const group = this.#group!;
        this.#group = undefined;
        try {
          // close() commits what is buffered; only what it could not commit is lost.
          if (this.#closed && this.#pending.size > 0) throw new VaflowError(`cache ${this.path} was closed before an answer could be committed`);
          if (!this.#closed) this.#commit();
          group.settle();
        } catch (error) {
          group.settle(error);
        }
      });
    }
    return this.#group.done;
  }

  getBytes(key: string): Uint8Array | undefined {
    const value = this.get(key);
    if (value === undefined || value instanceof Uint8Array) return value;
    this.#options.onWarning(`cache ${this.path}: entry ${key} holds JSON, not bytes; treated as a miss`);
    return undefined;
  }

  putBytes(key: string, value: Uint8Array, meta: CacheEntryMeta): void {
    this.#buffer(key, encodeBytes(key, value), meta);
  }

  /** Commits everything buffered now; throws if the file stays locked past lockTimeoutMs or cannot be written. */
  flush(): void {
    this.#assertOpen();
    this.#commit();
  }

  /** Counts committed and buffered entries (those `filter` selects); oldest/newest are creation times (epoch ms). */
  stats(filter?: EntryFilter): CacheStats {
    this.flush();
    const filtered = !isEmptyFilter(filter);
    const rows = this.#read(() =>
      this.#db
        .prepare<string[], NamespaceRow>(
          `SELECT namespace, COUNT(*) AS entries, COALESCE(SUM(size), 0) AS bytes, MIN(created_at) AS oldest, MAX(created_at) AS newest FROM entries ${filtered ? `WHERE ${MATCHES}` : ''} GROUP BY namespace ORDER BY namespace`,
        )
        .all(...(filtered ? [JSON.stringify(filter)] : [])),
    );
    const byNamespace: Record<string, { entries: number; bytes: number }> = {};
    let entries = 0;
    let bytes = 0;
    let oldest: number | undefined;
    let newest: number | undefined;
    for (const row of rows) {
      byNamespace[row.namespace] = { entries: row.entries, bytes: row.bytes };
      entries += row.entries;
      bytes += row.bytes;
      oldest = oldest === undefined ? row.oldest : Math.min(oldest, row.oldest);
      newest = newest === undefined ? row.newest : Math.max(newest, row.newest);
    }
    return { entries, bytes, byNamespace, oldest, newest, path: this.path };
  }

  clear(filter?: EntryFilter): number {
    this.flush();
    if (isEmptyFilter(filter)) return this.#delete('DELETE FROM entries', []);
    return this.#delete(`DELETE FROM entries WHERE ${MATCHES}`, [JSON.stringify(filter)]);
  }

  prune(cutoffMs: number): number {
    if (!Number.isFinite(cutoffMs)) throw new TypeError(`cache prune: expected a finite cutoff (epoch ms), got ${cutoffMs}`);
    this.flush();
    return this.#delete('DELETE FROM entries WHERE last_used < ?', [cutoffMs]);
  }

  /** Flushes, then closes the file. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    try {
      this.#commit();
    } finally {
      this.#closed = true;
      clearTimeout(this.#timer);
      SqliteCacheStore.#open.delete(this);
      if (SqliteCacheStore.#open.size === 0) process.off('exit', SqliteCacheStore.#flushOpenAtExit);
      this.#db.close();
    }
  }

  #buffer(key: string, encoded: EncodedValue, meta: CacheEntryMeta, schedule = true): void {
    this.#assertOpen();
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`cache: expected a non-empty string key, got ${JSON.stringify(key)}`);
    const previous = this.#pending.get(key);
    if (previous) this.#pendingBytes -= previous.size;
    this.#pending.set(key, { ...encoded, namespace: meta.namespace, origin: meta.origin ?? null, model: meta.model ?? null, createdAt: this.#options.now() });
    this.#pendingBytes += encoded.size;
    this.#touched.delete(key);
    if (meta.durable || this.#pending.size >= this.#options.maxPendingEntries || this.#pendingBytes >= this.#options.maxPendingBytes) this.#commit();
    else if (schedule) this.#scheduleFlush();
  }

  #scheduleFlush(delayMs = this.#options.flushDelayMs): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.#commit();
      } catch (error) {
        // Nothing is lost yet: the buffer is kept and retried; flush()/close() will throw if it keeps failing.
        this.#options.onWarning(`cache ${this.path}: background flush failed, retrying in 1 s: ${describe(error)}`);
        this.#scheduleFlush(1000);
      }
    }, delayMs);
    // The buffer must not keep a finished process alive: the 'exit' handler commits it.
    this.#timer.unref();
  }

  #commit(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0 && this.#touched.size === 0) return;
    const now = this.#options.now();
    const staleBefore = now - this.#options.touchIntervalMs;
    const write = this.#db.transaction(() => {
      for (const [key, entry] of this.#pending) {
        const data = typeof entry.data === 'string' ? entry.data : Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
        this.#insert.run(key, entry.namespace, entry.origin, entry.model, entry.encoding, data, entry.size, entry.createdAt, entry.createdAt);
      }
      for (const key of this.#touched) this.#touch.run(now, key, staleBefore);
    });
    try {
      this.#retryWhileBusy(() => write.immediate());
    } catch (error) {
      // The buffer is kept (still readable in this process); the caller learns which file failed and why.
      throw error instanceof VaflowError ? error : new RunIOError(this.path, 'write', error);
    }
    this.#pending.clear();
    this.#pendingBytes = 0;
    this.#touched.clear();
  }

  #delete(sql: string, params: (number | string)[]): number {
    const deleted = this.#read(() => this.#retryWhileBusy(() => this.#db.prepare(sql).run(...params).changes));
    // auto_vacuum=INCREMENTAL: hand the freed pages back to the file system.
    if (deleted > 0) this.#retryWhileBusy(() => this.#db.pragma('incremental_vacuum'));
    return deleted;
  }

  #flushAtExit(): void {
    if (this.#closed) return;
    try {
      this.close();
    } catch (error) {
      this.#options.onWarning(`cache ${this.path}: could not save the last results at exit: ${describe(error)}`);
    }
  }

  #decodeRow([key, encoding, data, lastUsed]: StoredRow): unknown | undefined {
    const value = this.#decode(key, encoding, data);
    if (value !== undefined && lastUsed < this.#options.now() - this.#options.touchIntervalMs) {
      this.#touched.add(key);
      this.#scheduleFlush();
    }
    return value;
  }

  #decode(key: string, encoding: unknown, data: unknown): unknown | undefined {
    const decoded = decodeValue(encoding, data);
    if (decoded.ok) return decoded.value;
    this.#options.onWarning(`cache ${this.path}: entry ${key} is damaged (${decoded.reason}); treated as a miss`);
    return undefined;
  }

  #lookup(size: number): Database.Statement<string[], StoredRow> {
    let statement = this.#lookups.get(size);
    if (!statement) {
      statement = this.#db.prepare<string[], StoredRow>(`SELECT key, encoding, value, last_used FROM entries WHERE key IN (${Array(size).fill('?').join(',')})`).raw(true);
      if (this.#lookups.size < 8) this.#lookups.set(size, statement);
    }
    return statement;
  }

  /** A page found damaged after the file opened (a disk error, a truncated copy) is the same ConfigError as at open: it names the file. */
  #read<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw damagedFileError(this.path, error) ?? error;
    }
  }

  #retryWhileBusy<T>(action: () => T): T {
    return retryWhileBusy(action, { file: this.path, timeoutMs: this.#options.lockTimeoutMs });
  }

  #assertOpen(): void {
    if (this.#closed) throw new VaflowError(`cache ${this.path} is closed`);
  }
}

function openDatabase(file: string, lockTimeoutMs: number): Database.Database {
  // better-sqlite3 reports a missing folder as a bare TypeError; say which file and what to do.
  if (!existsSync(path.dirname(file))) throw new ConfigError(`cache ${file} cannot be opened: its folder does not exist`);
  let db: Database.Database | undefined;
  try {
    // A store told to give up after lockTimeoutMs must not wait longer inside one statement.
    db = new Database(file, { timeout: Math.min(BUSY_TIMEOUT_MS, lockTimeoutMs) });
    const opened = db;
    const retry = <T>(action: () => T): T => retryWhileBusy(action, { file, timeoutMs: lockTimeoutMs });
    // auto_vacuum only takes effect before the first table exists, so it comes first.
    retry(() => opened.pragma('auto_vacuum = INCREMENTAL'));
    retry(() => opened.pragma('journal_mode = WAL'));
    opened.pragma('synchronous = NORMAL');
    // Keys are hashes, so every commit dirties pages all over the key index; checkpointing them back
    // every 1,000 pages (SQLite's default) took most of a cold run's cache time in fsyncs. 10,000
    // pages (a WAL of up to ~40 MB, checkpointed at the latest when the last connection closes)
    // and an 8 MB page cache made a write 2–3× cheaper in wall time (BENCHMARKS.md).
    opened.pragma('wal_autocheckpoint = 10000');
    opened.pragma('cache_size = -8000');
    const version = retry(() => opened.pragma('user_version', { simple: true }));
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new ConfigError(`cache ${file}: format version ${version} is newer than this vaflow reads (${SCHEMA_VERSION}); use another --cache-dir`);
    }
    retry(() => opened.transaction(() => {
      opened.exec(SCHEMA);
      addMissingColumns(opened, file);
    }).immediate());
    return opened;
  } catch (error) {
    db?.close();
    const damaged = damagedFileError(file, error);
    if (damaged) throw damaged;
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CANTOPEN')) {
      throw new ConfigError(`cache ${file} cannot be opened (${error.code}); check that its folder exists and is writable`);
    }
    // Any other SQLite error names the file too, rather than reaching the CLI as an internal error.
    if (error instanceof Database.SqliteError) throw new ConfigError(`cache ${file} cannot be opened: ${error.message} (${error.code})`);
    throw error;
  }
}

/** The error for a file SQLite cannot read as a database, or undefined for any other error. */
function damagedFileError(file: string, error: unknown): ConfigError | undefined {
  if (error instanceof Database.SqliteError && (error.code === 'SQLITE_NOTADB' || error.code.startsWith('SQLITE_CORRUPT'))) {
    return new ConfigError(`cache ${file} is not a readable vaflow cache (${error.code}); delete it or use another --cache-dir`);
  }
  return undefined;
}

/** `vaflow_entry_matches(filterJson, namespace, origin, model, created_at, last_used)`: entryMatches in SQL. */
function registerFilterFunction(db: Database.Database): void {
  let lastJson = '';
  let lastFilter: EntryFilter = {};
  db.function('vaflow_entry_matches', { deterministic: true }, (json, namespace, origin, model, createdAt, lastUsed) => {
    if (json !== lastJson) {
      lastJson = String(json);
      lastFilter = JSON.parse(lastJson) as EntryFilter;
    }
    return entryMatches(lastFilter, {
      namespace: String(namespace),
      origin: typeof origin === 'string' ? origin : null,
      model: typeof model === 'string' ? model : null,
      createdAt: Number(createdAt),
      lastUsed: Number(lastUsed),
    }) ? 1 : 0;
  });
}

/** Lock contention with another process: SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT / SQLITE_LOCKED. Decided by code, never by message. */
function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(error.code);
}

function retryWhileBusy<T>(action: () => T, options: { readonly file: string; readonly timeoutMs: number }): T {
  const deadline = Date.now() + options.timeoutMs;
  let delayMs = 2;
  for (;;) {
    try {
      return action();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (Date.now() >= deadline) {
        throw new VaflowError(`cache ${options.file}: still locked by another process after ${options.timeoutMs} ms`, { cause: error });
      }
      sleepSync(delayMs * (1 + Math.random()));
      delayMs = Math.min(delayMs * 2, 200);
    }
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** The store's API is synchronous (as better-sqlite3 is), so waiting for a lock blocks too. */
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
