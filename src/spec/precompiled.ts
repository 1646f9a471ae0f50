import path from 'node:path';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { packageRoot } from '../util/paths.js';

/** Where the build (scripts/compile-validators.js) writes one CommonJS module per schema, named by its key. */
export const PRECOMPILED_DIR = path.join(packageRoot, 'dist', 'validators');

const require = createRequire(import.meta.url);

export function precompiledFile(key: string, dir: string = PRECOMPILED_DIR): string {
  return path.join(dir, `${key}.cjs`);
}

/** A module export that is a function is taken as the validator of the type its schema describes (as ajv.compile<T> does). */
function isValidateFunction<T>(value: unknown): value is ValidateFunction<T> {
  return typeof value === 'function';
}

/**
 * The validator precompiled under `key` (see validatorKey), or undefined when there is none: a local
 * kind, a schema edited since the last build, or no build at all. CommonJS and required synchronously,
 * so validation stays synchronous; the module needs only ajv's small runtime helpers.
 */
export function loadPrecompiled<T = unknown>(key: string, dir: string = PRECOMPILED_DIR): ValidateFunction<T> | undefined {
  const file = precompiledFile(key, dir);
  if (!existsSync(file)) return undefined;
  const loaded: unknown = require(file);
  return isValidateFunction<T>(loaded) ? loaded : undefined;
}
