import type { CacheEntryMeta, CacheStats, CacheStore } from './store.js';
import { entryMatches, isEmptyFilter, type EntryFilter } from './entry-filter.js';
import { decodeValue, encodeBytes, encodeJson, type EncodedValue } from './entry-codec.js';
import { VaflowError } from '../errors.js';

export interface MemoryCacheStoreOptions {
  /** Clock for created / last-used times (epoch ms). @default Date.now */
  readonly now?: () => number;
}

interface MemoryEntry extends EncodedValue {
  readonly namespace: string;
  readonly origin?: string;
  readonly model?: string;
  readonly createdAt: number;
  lastUsed: number;
}

/**
 * A CacheStore in a Map, for tests and `--no-cache` runs. Values go through the same encoding as the
 * SQLite store (JSON text, copied bytes), so a value read back is never the object that was put.
 */
export class MemoryCacheStore implements CacheStore {
  readonly path = ':memory:';
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #now: () => number;
  #closed = false;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  get(key: string): unknown | undefined {
    this.#assertOpen();
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const decoded = decodeValue(entry.encoding, entry.data);
    if (!decoded.ok) return undefined;
    entry.lastUsed = this.#now();
    return decoded.value;
  }

  getMany(keys: readonly string[]): Map<string, unknown> {
    const found = new Map<string, unknown>();
    for (const key of keys) {
      const value = this.get(key);
      if (value !== undefined) found.set(key, value);
    }
    return found;
  }

  put(key: string, value: unknown, meta: CacheEntryMeta): void {
    this.#set(key, encodeJson(key, value), meta);
  }

  /** Stored at once (there is nothing to commit); goes through `put` with `durable`, so a subclass sees it as one. */
  async putDurable(key: string, value: unknown, meta: CacheEntryMeta): Promise<void> {
    this.put(key, value, { ...meta, durable: true });
  }

  getBytes(key: string): Uint8Array | undefined {
    const value = this.get(key);
    return value instanceof Uint8Array ? value : undefined;
  }

  putBytes(key: string, value: Uint8Array, meta: CacheEntryMeta): void {
    this.#set(key, encodeBytes(key, value), meta);
  }

  flush(): void {
    this.#assertOpen();
  }

  stats(filter?: EntryFilter): CacheStats {
    this.#assertOpen();
    const byNamespace: Record<string, { entries: number; bytes: number }> = {};
    let entries = 0;
    let bytes = 0;
    let oldest: number | undefined;
    let newest: number | undefined;
    for (const entry of this.#entries.values()) {
      if (filter && !entryMatches(filter, entry)) continue;
      entries += 1;
      const group = (byNamespace[entry.namespace] ??= { entries: 0, bytes: 0 });
      group.entries += 1;
      group.bytes += entry.size;
      bytes += entry.size;
      oldest = oldest === undefined ? entry.createdAt : Math.min(oldest, entry.createdAt);
      newest = newest === undefined ? entry.createdAt : Math.max(newest, entry.createdAt);
    }
    return { entries, bytes, byNamespace, oldest, newest, path: this.path };
  }

  clear(filter?: EntryFilter): number {
    this.#assertOpen();
    let count = 0;
    for (const [key, entry] of this.#entries) {
      if (isEmptyFilter(filter) || entryMatches(filter!, entry)) {
        this.#entries.delete(key);
        count += 1;
      }
    }
    return count;
  }

  prune(cutoffMs: number): number {
    this.#assertOpen();
    let count = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.lastUsed < cutoffMs) {
        this.#entries.delete(key);
        count += 1;
      }
    }
    return count;
  }

  close(): void {
    this.#closed = true;
  }

  #set(key: string, encoded: EncodedValue, meta: CacheEntryMeta): void {
    this.#assertOpen();
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`cache: expected a non-empty string key, got ${JSON.stringify(key)}`);
    const now = this.#now();
    this.#entries.set(key, { ...encoded, namespace: meta.namespace, origin: meta.origin, model: meta.model, createdAt: now, lastUsed: now });
  }

  #assertOpen(): void {
    if (this.#closed) throw new VaflowError('in-memory cache is closed');
  }
}
