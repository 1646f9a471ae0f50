import { createRequire } from 'node:module';
import type { Ajv2020, Options } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../types/node-kind.js';
import { hashJson } from '../util/hash.js';
import { schemaFiles } from './compose-schema.js';

// ajv is CommonJS and ~70 files: required on demand, so a run served by precompiled validators never loads it.
const require = createRequire(import.meta.url);

/** The options every validator is compiled with, at run time and at build time alike. */
export const AJV_OPTIONS = {
  allErrors: true,
  strict: false,
  verbose: true,
  // Checking each schema against the 2020-12 meta-schema costs more than half of compile time.
  validateSchema: false,
} as const satisfies Options;

/** Bump when the precompiled module layout or AJV_OPTIONS change: every precompiled validator then misses. */
const PRECOMPILED_LAYOUT = 1;

/**
 * An absolute URL with a scheme and `//` (WHATWG URL alone accepts `localhost:8080` as scheme `localhost:`).
 * Self-contained on purpose: its source text is copied into precompiled validator modules.
 */
export function isUrl(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text)) return false;
  try {
    return Boolean(new URL(text));
  } catch {
    return false;
  }
}

/** An ajv with the shared definitions registered and the one format the schemas use (ajv-formats is not installed). */
export function createAjv(extra: Options = {}): Ajv2020 {
  const { Ajv2020: AjvClass }: typeof import('ajv/dist/2020.js') = require('ajv/dist/2020.js');
  const ajv = new AjvClass({ ...AJV_OPTIONS, ...extra });
  ajv.addFormat('uri', { type: 'string', validate: isUrl });
  ajv.addSchema(schemaFiles().defs);
  return ajv;
}

/**
 * What a validator compiled from `schema` depends on, hashed: the schema, the shared definitions it
 * may reference and the layout version. A precompiled validator is used only under an equal key.
 */
export function validatorKey(schema: JsonSchema): string {
  return hashJson({ layout: PRECOMPILED_LAYOUT, schema, defs: schemaFiles().defs });
}
