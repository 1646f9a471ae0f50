import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal values hash equally; `undefined` fields are
 * dropped as JSON.stringify drops them. Hand-written because a sorting replacer was a third of a
 * cached rerun's CPU time.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

function write(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : JSON.stringify(value);
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return write((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map((v) => write(v) ?? 'null').join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const inner = write((value as Record<string, unknown>)[key]);
    if (inner !== undefined) parts.push(`${JSON.stringify(key)}:${inner}`);
  }
  return `{${parts.join(',')}}`;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value));
}
