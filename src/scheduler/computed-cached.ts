import { deserialize, serialize } from 'node:v8';
import type { CacheStore } from '../cache/store.js';
import type { CachedAsyncComputation, CachedComputation } from '../types/providers.js';
import { cacheSides, type CacheMode } from './task-runtime.js';
import { sha256 } from '../util/hash.js';

type Request = Parameters<CachedComputation>[0];

/** The stored value of a computation, or undefined (not stored, the cache not read, or an entry that cannot be read back). */
function storedValue(reading: CacheStore | null, request: Request): { value: unknown } | undefined {
  const stored = reading?.getBytes(computedCacheKey(request.namespace, request.identity));
  if (!stored) return undefined;
  try {
    return { value: deserialize(stored) };
  } catch {
    return undefined; // a damaged entry: computed again (and stored anew)
  }
}

function store(writing: CacheStore | null, request: Request, value: unknown): void {
  writing?.putBytes(computedCacheKey(request.namespace, request.identity), serialize(value), { namespace: `computed:${request.namespace}`, origin: request.origin });
}

/**
 * What kinds get as `ctx.providers.computeCached`: the run's cache in front of a pure, synchronous
 * computation whose inputs the kind names in full (`identity`: the inputs' content, the parameters,
 * the seed, the code's digest). The value is stored with V8's structured serialisation, not JSON,
 * so it comes back exactly as computed: -0, NaN, Infinity and undefined fields included, and every
 * number to the bit. An entry that cannot be read back is computed again.
 */
export function cachedComputation(options: { readonly cache: CacheStore | null; readonly mode: CacheMode }): CachedComputation {
  const { reading, writing } = cacheSides(options.cache, options.mode);
  return <T>(request: Request, compute: () => T) => {
    const hit = storedValue(reading, request);
    if (hit) return { value: hit.value as T, cached: true };
    const value = compute();
    store(writing, request, value);
    return { value, cached: false };
  };
}

/**
 * The same for a computation that awaits, with a cache opened on first use (`open`): what a kind's
 * check() gets as `ctx.computeCached` in a run, before the run has opened its cache for the tasks.
 */
export function cachedAsyncComputation(options: { readonly open: () => Promise<CacheStore | null>; readonly mode: CacheMode }): CachedAsyncComputation {
  return async <T>(request: Request, compute: () => Promise<T>) => {
    const { reading, writing } = cacheSides(await options.open(), options.mode);
    const hit = storedValue(reading, request);
    if (hit) return { value: hit.value as T, cached: true };
    const value = await compute();
    store(writing, request, value);
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
