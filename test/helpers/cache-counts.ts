import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';

/** How many `item` entries the cache in `cacheDir` holds: the items a run has completed and paid for. */
export function cachedItems(cacheDir: string): number {
  const store = new SqliteCacheStore({ file: path.join(cacheDir, 'cache.db') });
  try {
    return store.stats().byNamespace['item']?.entries ?? 0;
  } finally {
    store.close();
  }
}

/** The chat answers the cache in `cacheDir` holds, by key. */
export function cachedChatAnswers(cacheDir: string): Map<string, unknown> {
  const file = path.join(cacheDir, 'cache.db');
  const db = new Database(file, { readonly: true });
  let keys: string[];
  try {
    keys = db.prepare<[], { key: string }>("SELECT key FROM entries WHERE namespace = 'chat'").all().map((row) => row.key);
  } finally {
    db.close();
  }
  const store = new SqliteCacheStore({ file });
  try {
    return store.getMany(keys);
  } finally {
    store.close();
  }
}
