import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/** Where the suite keeps the bundled GloVe vectors once converted, so the conversion is paid once per machine. */
export const SHARED_VECTOR_CACHE = path.join(packageRoot, 'node_modules', '.cache', 'vaflow-test', 'vectors');

/** Points a run's cache folder at the shared converted vectors (the engine keeps them in `<cache>/vectors`). */
export function shareVectorCache(cacheDir: string): void {
  mkdirSync(SHARED_VECTOR_CACHE, { recursive: true });
  mkdirSync(cacheDir, { recursive: true });
  symlinkSync(SHARED_VECTOR_CACHE, path.join(cacheDir, 'vectors'));
}
