import { createReadStream } from 'node:fs';
import { ConfigError } from '../../../errors.js';
import { VectorTableBuilder, type VectorTable } from './vector-table.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Streams wink-embeddings' JSON (`{ dimensions, …, vectors: { word: [v1 … vd, l2norm, index] } }`)
 * instead of requiring it: `require` of the 307 MB file costs ~4.5 s and ~1 GB, while this byte
 * scanner holds one 4 MB chunk plus the Float32 matrix. Values past `dimensions` (wink's norm and
 * index) are dropped.
 */
export async function readWinkJson(file: string): Promise<VectorTable> {
  let carry: Buffer = Buffer.alloc(0);
  let builder: VectorTableBuilder | null = null;
  let inVectors = false;
  let done = false;
  const values = new Float64Array(4096);
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) {
    let bytes: Buffer = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    if (!builder) {
      const head = bytes.toString('latin1', 0, Math.min(bytes.length, 1 << 16));
      const dimension = /"dimensions"\s*:\s*(\d+)/.exec(head);
      if (!dimension) {
        if (bytes.length > 1 << 16) throw new ConfigError(`${file}: expected a wink-embeddings JSON with a "dimensions" field near the start`);
        carry = bytes;
        continue;
      }
      const size = /"size"\s*:\s*(\d+)/.exec(head);
      builder = new VectorTableBuilder(Number(dimension[1]), size ? Number(size[1]) : 1 << 16);
      if (builder.dimension > values.length) throw new ConfigError(`${file}: dimension ${builder.dimension} is larger than supported (${values.length})`);
    }
    if (!inVectors) {
      const at = bytes.indexOf('"vectors"');
      const brace = at === -1 ? -1 : bytes.indexOf('{', at);
      if (brace === -1) {
        carry = bytes.subarray(Math.max(0, bytes.length - 64));
        continue;
      }
      bytes = bytes.subarray(brace + 1);
      inVectors = true;
    }
    const scanned = scanEntries(bytes, builder, values, file);
    done = scanned.done;
    if (done) break;
    carry = Buffer.from(bytes.subarray(scanned.consumed));
  }
  if (!builder || !done) throw new ConfigError(`${file}: truncated or malformed wink-embeddings JSON (no complete "vectors" object)`);
  if (builder.count === 0) throw new ConfigError(`${file}: no word vectors found`);
  return builder.build();
}

/** Parses complete `"word":[…]` entries; returns how many bytes were used and whether the object closed. */
function scanEntries(bytes: Buffer, builder: VectorTableBuilder, values: Float64Array, file: string): { consumed: number; done: boolean } {
  let position = 0;
  for (;;) {
    let i = position;
    while (i < bytes.length && (bytes[i] <= 0x20 || bytes[i] === 0x2c)) i++; // whitespace and commas
    if (i >= bytes.length) return { consumed: position, done: false };
    if (bytes[i] === CLOSE_BRACE) return { consumed: i + 1, done: true };
    if (bytes[i] !== QUOTE) throw new ConfigError(`${file}: malformed wink-embeddings JSON near "${bytes.toString('utf8', i, i + 40)}"`);
    let end = i + 1;
    let escaped = false;
    while (end < bytes.length && bytes[end] !== QUOTE) {
      if (bytes[end] === BACKSLASH) {
        escaped = true;
        end++;
      }
      end++;
    }
    const open = end < bytes.length ? bytes.indexOf(OPEN_BRACKET, end) : -1;
    const close = open === -1 ? -1 : bytes.indexOf(CLOSE_BRACKET, open);
    if (close === -1) return { consumed: position, done: false };
    const raw = bytes.toString('utf8', i + 1, end);
    const word = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
    const count = parseNumbers(bytes, open + 1, close, values);
    if (count < builder.dimension) {
      throw new ConfigError(`${file}: the vector of "${word}" has ${count} values, expected at least ${builder.dimension}`);
    }
    builder.add(word, values);
    position = close + 1;
  }
}

/**
 * Parses comma-separated JSON numbers in bytes[start, end) into `out` (at most out.length); -1 on a
 * malformed number. Mantissa and power of ten are exact doubles, so one division rounds exactly as
 * `Number(text)` would for the ≤ 15 significant digits these files hold.
 */
function parseNumbers(bytes: Buffer, start: number, end: number, out: Float64Array): number {
  let count = 0;
  let i = start;
  while (i < end && count < out.length) {
    while (i < end && (bytes[i] <= 0x20 || bytes[i] === 0x2c)) i++;
    if (i >= end) break;
    const from = i;
    let negative = false;
    if (bytes[i] === 0x2d) {
      negative = true;
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
      mantissa = mantissa * 10 + (bytes[i++] - 0x30);
      digits++;
    }
    if (bytes[i] === 0x2e) {
      i++;
      while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
        mantissa = mantissa * 10 + (bytes[i++] - 0x30);
        digits++;
        scale++;
      }
    }
    let value: number;
    if (digits > 15 || bytes[i] === 0x65 || bytes[i] === 0x45) {
      // Rare forms (exponents, long mantissas): let the engine's parser decide.
      while (i < end && bytes[i] !== 0x2c && bytes[i] > 0x20) i++;
      value = Number(bytes.toString('latin1', from, i));
    } else {
      value = (scale === 0 ? mantissa : mantissa / 10 ** scale) * (negative ? -1 : 1);
    }
    if (digits === 0 || !Number.isFinite(value)) return -1;
    out[count++] = value;
  }
  return count;
}
