/**
 * A minimal GGUF v3 writer (test-only), after llama.cpp's docs/gguf.md and gguf-py/gguf/constants.py:
 *
 *   header      "GGUF" · uint32 version 3 · uint64 tensor count · uint64 key/value count
 *   key/values  string key · uint32 value type · value (arrays: uint32 item type · uint64 length · items)
 *   tensor info string name · uint32 n_dims · uint64 dims (GGML order: innermost first) · uint32 ggml type
 *               · uint64 offset into the data section (a multiple of the alignment)
 *   padding     to `general.alignment` (32 by default), then each tensor's data, each padded likewise
 *
 * Strings are a uint64 byte length followed by UTF-8 bytes, no terminator. All numbers little-endian.
 * Only F32 tensors are written: enough for a tiny random-weight model.
 */
import { writeFile } from 'node:fs/promises';

/** GGUF metadata value types (gguf-py GGUFValueType). */
export const GgufType = {
  uint8: 0, int8: 1, uint16: 2, int16: 3, uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9, uint64: 10, int64: 11, float64: 12,
} as const;

/** GGML tensor type ids (gguf-py GGMLQuantizationType); F32 is the only one written here. */
export const GGML_TYPE_F32 = 0;

export const DEFAULT_ALIGNMENT = 32;

type ScalarTypeName = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'bool' | 'string' | 'uint64' | 'int64' | 'float64';

/** A typed metadata value: GGUF keeps the type on the wire, so the caller says which one. */
export type GgufValue =
  | { readonly type: Exclude<ScalarTypeName, 'bool' | 'string' | 'uint64' | 'int64'>; readonly value: number }
  | { readonly type: 'uint64' | 'int64'; readonly value: bigint | number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'array'; readonly itemType: 'string'; readonly value: readonly string[] }
  | { readonly type: 'array'; readonly itemType: 'bool'; readonly value: readonly boolean[] }
  | { readonly type: 'array'; readonly itemType: Exclude<ScalarTypeName, 'bool' | 'string'>; readonly value: readonly number[] };

export interface GgufTensor {
  readonly name: string;
  /** Dimensions in GGML order: ne[0] (the innermost, contiguous one) first. */
  readonly dims: readonly number[];
  /** Row-major data with dims[0] varying fastest; length = product of dims. */
  readonly data: Float32Array;
}

export interface GgufFile {
  /** Key/values in the order written; `general.alignment` (uint32), when present, sets the padding. */
  readonly metadata: ReadonlyArray<readonly [string, GgufValue]>;
  readonly tensors: readonly GgufTensor[];
}

/** Appends little-endian values to a growing list of chunks. */
class ByteSink {
  readonly chunks: Buffer[] = [];
  length = 0;

  push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }
  u8(v: number): void { const b = Buffer.alloc(1); b.writeUInt8(v); this.push(b); }
  i8(v: number): void { const b = Buffer.alloc(1); b.writeInt8(v); this.push(b); }
  u16(v: number): void { const b = Buffer.alloc(2); b.writeUInt16LE(v); this.push(b); }
  i16(v: number): void { const b = Buffer.alloc(2); b.writeInt16LE(v); this.push(b); }
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
  i32(v: number): void { const b = Buffer.alloc(4); b.writeInt32LE(v); this.push(b); }
  f32(v: number): void { const b = Buffer.alloc(4); b.writeFloatLE(v); this.push(b); }
  f64(v: number): void { const b = Buffer.alloc(8); b.writeDoubleLE(v); this.push(b); }
  u64(v: bigint | number): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
  i64(v: bigint | number): void { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); this.push(b); }
  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    if (pad) this.push(Buffer.alloc(pad));
  }
}

function writeScalar(sink: ByteSink, type: ScalarTypeName, value: number | bigint | boolean | string): void {
  switch (type) {
    case 'uint8': return sink.u8(Number(value));
    case 'int8': return sink.i8(Number(value));
    case 'uint16': return sink.u16(Number(value));
    case 'int16': return sink.i16(Number(value));
    case 'uint32': return sink.u32(Number(value));
    case 'int32': return sink.i32(Number(value));
    case 'float32': return sink.f32(Number(value));
    case 'float64': return sink.f64(Number(value));
    case 'uint64': return sink.u64(typeof value === 'bigint' ? value : Number(value));
    case 'int64': return sink.i64(typeof value === 'bigint' ? value : Number(value));
    case 'bool': return sink.u8(value ? 1 : 0);
    case 'string': return sink.str(String(value));
  }
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  sink.u32(GgufType[value.type]);
  if (value.type !== 'array') return writeScalar(sink, value.type, value.value);
  sink.u32(GgufType[value.itemType]);
  sink.u64(value.value.length);
  for (const item of value.value) writeScalar(sink, value.itemType, item);
}

function alignmentOf(file: GgufFile): number {
  const entry = file.metadata.find(([key]) => key === 'general.alignment')?.[1];
  if (!entry) return DEFAULT_ALIGNMENT;
  if (entry.type !== 'uint32' || entry.value <= 0 || entry.value % 8 !== 0) {
    throw new Error(`general.alignment must be a uint32 multiple of 8, got ${JSON.stringify(entry)}`);
  }
  return entry.value;
}

/** Encodes a GGUF v3 file in memory. */
export function encodeGguf(file: GgufFile): Buffer {
  const alignment = alignmentOf(file);
  const sink = new ByteSink();
  sink.push(Buffer.from('GGUF', 'ascii'));
  sink.u32(3);
  sink.u64(file.tensors.length);
  sink.u64(file.metadata.length);
  for (const [key, value] of file.metadata) {
    sink.str(key);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const tensor of file.tensors) {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) throw new Error(`tensor ${tensor.name}: dims ${tensor.dims.join('×')} need ${count} values, got ${tensor.data.length}`);
    sink.str(tensor.name);
    sink.u32(tensor.dims.length);
    for (const dim of tensor.dims) sink.u64(dim);
    sink.u32(GGML_TYPE_F32);
    sink.u64(offset);
    offset += Math.ceil((count * 4) / alignment) * alignment;
  }
  sink.padTo(alignment);
  for (const tensor of file.tensors) {
    // Copied value by value so the bytes are little-endian whatever the host's order.
    const bytes = Buffer.alloc(tensor.data.length * 4);
    tensor.data.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
    sink.push(bytes);
    sink.padTo(alignment);
  }
  return Buffer.concat(sink.chunks, sink.length);
}

export async function writeGguf(filePath: string, file: GgufFile): Promise<void> {
  await writeFile(filePath, encodeGguf(file));
}
