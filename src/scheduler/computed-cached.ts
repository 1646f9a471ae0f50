import { deserialize, serialize } from 'node:v8';
import type { CacheStore } from '../cache/store.js';
import type { CachedComputation } from '../types/providers.js';
import { cacheSides, type CacheMode } from './task-runtime.js';
import { sha256 } from '../util/hash.js';

/**
 * What kinds get as `ctx.providers.computeCached`: the run's cache in front of a pure, synchronous
 * computation whose inputs the kind names in full (`identity`: the inputs' content, the parameters,
 * the seed, the code's digest). The value is stored with V8's structured serialisation, not JSON,
 * so it comes back exactly as computed: -0, NaN, Infinity and undefined fields included, and every
 * number to the bit. An entry that cannot be read back is computed again.
 */
export function cachedComputation(options: { readonly cache: CacheStore | null; readonly mode: CacheMode }): CachedComputation {
  const { reading, writing } = cacheSides(options.cache, options.mode);
  return (request, compute) => {
    const key = reading || writing ? computedCacheKey(request.namespace, request.identity) : '';
    const stored = reading?.getBytes(key);
    if (stored) {
      try {
        return { value: deserialize(stored) as ReturnType<typeof compute>, cached: true };
      } catch {
        // A damaged entry: compute it again below (and store it anew).
      }
    }
    const value = compute();
    writing?.putBytes(key, serialize(value), { namespace: `computed:${request.namespace}`, origin: request.origin });
    return { value, cached: false };
  };
}

/**
 * A computation's cache key: its namespace and its identity's plain JSON. The identity is built by
 * code in a fixed key order (as chart specs are), so the JSON is a stable fingerprint of its content.
 */
export function computedCacheKey(namespace: string, identity: unknown): string {
  return sha256(JSON.stringify({ ns: `computed:${namespace}`, identity }));
}
