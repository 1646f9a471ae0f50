import { readFile, rename, stat, mkdir, writeFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { hashJson } from '../../../util/hash.js';
import type { VectorTable } from './vector-table.js';

/**
 * The compact form of a vector file that later runs load in a fraction of a second: the file is
 * read whole and every section is a typed-array view on it. The vocabulary index is an
 * open-addressing hash table stored in the file, so loading builds no Map of 300k strings.
 *
 *   0   8 bytes  magic "VFWVEC02"
 *   8   uint32   dimension          12  uint32  count
 *   16  uint32   vocabulary bytes   20  uint32  slot count (a power of two ≥ 2 × count)
 *   24  float32  count × dimension matrix, row-major
 *   …   uint32   count + 1 word offsets into the vocabulary bytes
 *   …   int32    slots: a row index or -1; FNV-1a of the word's UTF-8 bytes, linear probing
 *   …   UTF-8    the words, back to back
 * All numbers little-endian.
 */
const MAGIC = 'VFWVEC02';
const HEADER_BYTES = 24;
/** Bump when the conversion changes (source parsing, layout): old caches are then ignored. */
const CONVERTER_VERSION = 2;

/** Where the cache of `source` lives: keyed by the source's absolute path, size and mtime, so an edited file is converted again. */
export async function binaryCachePath(options: { readonly source: string; readonly format: string; readonly cacheDir: string }): Promise<string> {
  const absolute = path.resolve(options.source);
  const info = await stat(absolute);
  const key = hashJson({ v: CONVERTER_VERSION, path: absolute, size: info.size, mtimeMs: Math.trunc(info.mtimeMs), format: options.format });
  const stem = path.basename(absolute).replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60);
  return path.join(options.cacheDir, `${stem}-${key.slice(0, 16)}.vfv`);
}

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}

function slotCountFor(count: number): number {
  let slots = 16;
  while (slots < count * 2) slots *= 2;
  return slots;
}

export function encodeBinaryCache(table: VectorTable): Buffer {
  const wordBytes: Buffer[] = [];
  let vocabularyBytes = 0;
  for (let row = 0; row < table.count; row++) {
    const bytes = Buffer.from(table.word(row), 'utf8');
    wordBytes.push(bytes);
    vocabularyBytes += bytes.length;
  }
  const slotCount = slotCountFor(table.count);
  const matrixBytes = table.matrix.length * 4;
  const offsetsAt = HEADER_BYTES + matrixBytes;
  const slotsAt = offsetsAt + (table.count + 1) * 4;
  const vocabularyAt = slotsAt + slotCount * 4;
  const out = Buffer.alloc(vocabularyAt + vocabularyBytes);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(table.dimension, 8);
  out.writeUInt32LE(table.count, 12);
  out.writeUInt32LE(vocabularyBytes, 16);
  out.writeUInt32LE(slotCount, 20);
  if (isLittleEndian()) Buffer.from(table.matrix.buffer, table.matrix.byteOffset, matrixBytes).copy(out, HEADER_BYTES);
  else for (let i = 0; i < table.matrix.length; i++) out.writeFloatLE(table.matrix[i], HEADER_BYTES + i * 4);
  for (let slot = 0; slot < slotCount; slot++) out.writeInt32LE(-1, slotsAt + slot * 4);
  let offset = 0;
  for (let row = 0; row < table.count; row++) {
    out.writeUInt32LE(offset, offsetsAt + row * 4);
    wordBytes[row].copy(out, vocabularyAt + offset);
    const end = offset + wordBytes[row].length;
    // Insert unless the word is already present: the first occurrence of a duplicate wins, as in the source.
    for (let slot = fnv1a(out, vocabularyAt + offset, vocabularyAt + end) & (slotCount - 1); ; slot = (slot + 1) & (slotCount - 1)) {
      const existing = out.readInt32LE(slotsAt + slot * 4);
      if (existing === -1) {
        out.writeInt32LE(row, slotsAt + slot * 4);
        break;
      }
      if (wordBytes[existing].equals(wordBytes[row])) break;
    }
    offset = end;
  }
  out.writeUInt32LE(offset, offsetsAt + table.count * 4);
  return out;
}

/** A table that reads words and the index straight from the cache file's bytes. */
class MappedVectorTable implements VectorTable {
  constructor(
    readonly dimension: number,
    readonly count: number,
    readonly matrix: Float32Array,
    private readonly offsets: Uint32Array,
    private readonly slots: Int32Array,
    private readonly vocabulary: Buffer,
  ) {}

  word(row: number): string {
    return this.vocabulary.toString('utf8', this.offsets[row], this.offsets[row + 1]);
  }

  lookup(word: string): number {
    const bytes = Buffer.from(word, 'utf8');
    const mask = this.slots.length - 1;
    for (let slot = fnv1a(bytes, 0, bytes.length) & mask; ; slot = (slot + 1) & mask) {
      const row = this.slots[slot];
      if (row === -1) return -1;
      const start = this.offsets[row];
      const end = this.offsets[row + 1];
      if (end - start === bytes.length && this.vocabulary.compare(bytes, 0, bytes.length, start, end) === 0) return row;
    }
  }
}

/** Decodes a cache file; null when it is not one or is damaged (sizes disagree), so the caller converts again. */
export function decodeBinaryCache(file: Buffer): VectorTable | null {
  // The sections are read as native typed arrays; a big-endian host always converts afresh.
  if (!isLittleEndian()) return null;
  if (file.length < HEADER_BYTES || file.toString('latin1', 0, 8) !== MAGIC) return null;
  const dimension = file.readUInt32LE(8);
  const count = file.readUInt32LE(12);
  const vocabularyBytes = file.readUInt32LE(16);
  const slotCount = file.readUInt32LE(20);
  const offsetsAt = HEADER_BYTES + count * dimension * 4;
  const slotsAt = offsetsAt + (count + 1) * 4;
  const vocabularyAt = slotsAt + slotCount * 4;
  if (dimension === 0 || slotCount !== slotCountFor(count) || file.length !== vocabularyAt + vocabularyBytes) return null;
  // Typed-array views need 4-byte alignment.
  const bytes = file.byteOffset % 4 === 0 ? file : copyAligned(file);
  const base = bytes.byteOffset;
  const offsets = new Uint32Array(bytes.buffer, base + offsetsAt, count + 1);
  if (offsets[count] !== vocabularyBytes) return null;
  return new MappedVectorTable(
    dimension,
    count,
    new Float32Array(bytes.buffer, base + HEADER_BYTES, count * dimension),
    offsets,
    new Int32Array(bytes.buffer, base + slotsAt, slotCount),
    bytes.subarray(vocabularyAt),
  );
}

function copyAligned(file: Buffer): Buffer {
  const copy = Buffer.from(new ArrayBuffer(file.length));
  file.copy(copy);
  return copy;
}

export async function readBinaryCache(file: string): Promise<VectorTable | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return decodeBinaryCache(bytes);
}

/** Writes atomically (temp file + rename): a crash mid-write never leaves a half cache under the final name. */
export async function writeBinaryCache(file: string, table: VectorTable): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, encodeBinaryCache(table));
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
