import type { EntryFilter } from './entry-filter.js';

/** A content-addressed store of completed results. Keys are sha256 hex from cache/key.ts; failures are never stored. */
export interface CacheEntryMeta {
  /** What the entry holds, for stats and pruning: 'item' results, 'embedding' vectors, ... */
  readonly namespace: string;
  /** The task or embedder the entry came from, for humans and `cache clear --node`. */
  readonly origin?: string;
  /** The model (its id under `models:`) whose answer or result this is, for `cache clear --model`. */
  readonly model?: string;
  /**
   * Commit before `put` returns, so a crash or a later disk error loses nothing; write errors are
   * thrown by `put` itself. Paid answers use `putDurable` instead, which shares one commit between
   * the answers that arrive together. @default false: buffered, committed a few ms later
   */
  readonly durable?: boolean;
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
  /** Visible to `get` at once; committed now with `meta.durable`, else buffered and committed at the next flush (a few ms later). */
  put(key: string, value: unknown, meta: CacheEntryMeta): void;
  /**
   * For answers that were paid for: visible to `get` at once, and the promise resolves once the entry
   * is committed, which happens right after the current turn of the event loop, in one transaction
   * with every other entry put by then (a group commit: BENCHMARKS.md has the numbers). The caller
   * awaits it before it moves on, so a killed process loses only answers it had not yet acted on;
   * a write error rejects it.
   */
  putDurable(key: string, value: unknown, meta: CacheEntryMeta): Promise<void>;
  /** Raw binary values (embedding vectors as Float32 bytes). */
  getBytes(key: string): Uint8Array | undefined;
  putBytes(key: string, value: Uint8Array, meta: CacheEntryMeta): void;
  flush(): void;
  /** Counts of every entry, or of those `filter` selects. */
  stats(filter?: EntryFilter): CacheStats;
  /** Deletes every entry, or those `filter` selects; returns how many. */
  clear(filter?: EntryFilter): number;
  /** Deletes entries last used before `cutoffMs` (epoch ms); returns how many. */
  prune(cutoffMs: number): number;
  close(): void;
}
