import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * JSON with object keys sorted at every depth, so equal values hash equally; `undefined` fields are
 * dropped as JSON.stringify drops them. Hand-written because a sorting replacer was a third of a
 * cached rerun's CPU time, and assembled by concatenation with strings quoted by hand when nothing
 * in them needs escaping (half the time of parts arrays, joins and a JSON.stringify per string: a
 * chat call's key was 5–8 µs of canonical JSON, issue 15).
 *
 * Every cache key is a hash of this text, so its bytes are frozen (test/cache/key.test.ts pins them):
 * it writes what JSON.stringify writes except that keys are sorted, an object's `toJSON` is applied,
 * boxed primitives are written as `{}`, and a hole in a sparse array is written as nothing (`[1,,3]`),
 * as the first version did.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

/** What JSON.stringify escapes in a string: `"`, `\`, control characters and (lone) surrogates, which are then left to it. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify does
    default:
      return undefined; // undefined, functions, symbols
  }
  if (value === null) return 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return write((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (i in value) out += write(value[i]) ?? 'null';
    }
    return `${out}]`;
  }
  let out = '';
  for (const key of Object.keys(value).sort()) {
    const inner = write((value as Record<string, unknown>)[key]);
    if (inner !== undefined) out += `${out ? ',' : ''}${quote(key)}:${inner}`;
  }
  return `{${out}}`;
}

/** Hex sha256; strings are hashed as UTF-8. One-shot `crypto.hash` where Node has it (20.12+; namespace access, since a named import of it fails to link on 20.9): no Hash object per call. */
export const sha256: (text: string | Uint8Array) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** Streams a file through sha256 (never holding it in memory). */
export async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
