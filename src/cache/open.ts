import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { CacheStore } from './store.js';
import { ConfigError } from '../errors.js';

/** Folder used when neither --cache-dir nor VAFLOW_CACHE_DIR is given, relative to the working directory. */
export const DEFAULT_CACHE_DIR = '.vaflow';
export const CACHE_DIR_ENV = 'VAFLOW_CACHE_DIR';
const CACHE_FILE = 'cache.db';

export interface OpenCacheOptions {
  /** The cache folder (see resolveCacheDir). @default `.vaflow` under the working directory */
  readonly dir?: string;
  /** Receives damaged-entry reports. @default one line on stderr */
  readonly onWarning?: (message: string) => void;
}

/** The cache folder: the --cache-dir flag, else VAFLOW_CACHE_DIR, else `.vaflow`; absolute, against the working directory. */
export function resolveCacheDir(flag: string | undefined, env: Record<string, string | undefined>): string {
  const chosen = flag !== undefined && flag !== '' ? flag : env[CACHE_DIR_ENV] || DEFAULT_CACHE_DIR;
  return path.resolve(chosen);
}

/** The database file inside a cache folder. */
export function cacheFilePath(dir: string): string {
  return path.join(path.resolve(dir), CACHE_FILE);
}

/** Opens (creating when needed) `<dir>/cache.db`. SQLite loads here, lazily, so commands that never cache never pay for it. */
export async function openCache(options: OpenCacheOptions = {}): Promise<CacheStore> {
  const dir = path.resolve(options.dir ?? DEFAULT_CACHE_DIR);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cache folder ${dir} cannot be created: ${reason}`);
  }
  const { SqliteCacheStore } = await import('./sqlite-store.js');
  return new SqliteCacheStore({ file: cacheFilePath(dir), onWarning: options.onWarning });
}
