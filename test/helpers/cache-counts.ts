import path from 'node:path';
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
