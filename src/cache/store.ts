/** A content-addressed store of completed results. Keys are sha256 hex from cache/key.ts; failures are never stored. */
export interface CacheEntryMeta {
  /** What the entry holds, for stats and pruning: 'item' results, 'embedding' vectors, ... */
  readonly namespace: string;
  /** The task or embedder the entry came from, for humans. */
  readonly origin?: string;
}

export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly byNamespace: Readonly<Record<string, { entries: number; bytes: number }>>;
  readonly oldest?: number;
  readonly newest?: number;
  readonly path: string;
}

export interface CacheStore {
  readonly path: string;
  get(key: string): unknown | undefined;
  /** Batched lookup: returns only the hits. */
  getMany(keys: readonly string[]): Map<string, unknown>;
  /** Buffered; visible to `get` at once, durable after the next flush (at most a few ms later). */
  put(key: string, value: unknown, meta: CacheEntryMeta): void;
  /** Raw binary values (embedding vectors as Float32 bytes). */
  getBytes(key: string): Uint8Array | undefined;
  putBytes(key: string, value: Uint8Array, meta: CacheEntryMeta): void;
  flush(): void;
  stats(): CacheStats;
  clear(): number;
  /** Deletes entries last used before `cutoffMs` (epoch ms); returns how many. */
  prune(cutoffMs: number): number;
  close(): void;
}
