/** How a cache value is stored, shared by the SQLite and in-memory stores so both behave alike. */
export type EntryEncoding = 'json' | 'bytes';

export interface EncodedValue {
  readonly encoding: EntryEncoding;
  /** JSON text, or a private copy of the caller's bytes. */
  readonly data: string | Uint8Array;
  /** Stored size in bytes (UTF-8 length for JSON). */
  readonly size: number;
}

export type DecodedValue =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/** Serialises a `put` value; refuses values JSON cannot represent instead of storing `undefined`. */
export function encodeJson(key: string, value: unknown): EncodedValue {
  const data = JSON.stringify(value);
  if (typeof data !== 'string') {
    throw new TypeError(`cache: value for key ${key} is not JSON-serialisable (got ${typeof value})`);
  }
  return { encoding: 'json', data, size: Buffer.byteLength(data, 'utf8') };
}

/** Copies the bytes, so a caller reusing its buffer cannot change a buffered entry. */
export function encodeBytes(key: string, value: Uint8Array): EncodedValue {
  if (!(value instanceof Uint8Array)) throw new TypeError(`cache: putBytes for key ${key} expects a Uint8Array, got ${typeof value}`);
  const data = new Uint8Array(value);
  return { encoding: 'bytes', data, size: data.byteLength };
}

/**
 * Turns stored data back into a value. JSON entries parse to their value; byte entries come back as a
 * fresh Uint8Array with byteOffset 0 (so `new Float32Array(bytes.buffer)` works). Damage is reported, not thrown.
 */
export function decodeValue(encoding: unknown, data: unknown): DecodedValue {
  if (encoding === 'json') {
    const text = typeof data === 'string' ? data : data instanceof Uint8Array ? Buffer.from(data).toString('utf8') : undefined;
    if (text === undefined) return { ok: false, reason: `JSON entry holds ${data === null ? 'null' : typeof data} instead of text` };
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      return { ok: false, reason: `unparseable JSON (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  if (encoding === 'bytes') {
    if (data instanceof Uint8Array) return { ok: true, value: new Uint8Array(data) };
    return { ok: false, reason: `bytes entry holds ${data === null ? 'null' : typeof data} instead of a blob` };
  }
  return { ok: false, reason: `unknown encoding ${JSON.stringify(encoding)}` };
}
