import { open, type FileHandle } from 'node:fs/promises';
import { ConfigError } from '../../../errors.js';
import { VectorTableBuilder, type VectorTable } from './vector-table.js';

const SPACE = 0x20;
const NEWLINE = 0x0a;

/** Buffered sequential reads from a file handle, so files larger than a Buffer can be parsed. */
class ByteReader {
  #buffer = Buffer.alloc(1 << 20);
  #start = 0;
  #end = 0;
  #position = 0;
  #eof = false;

  constructor(private readonly handle: FileHandle) {}

  /** Makes at least `n` bytes available from the cursor; false when the file ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.#end - this.#start < n && !this.#eof) {
      const live = this.#end - this.#start;
      if (this.#buffer.length < n) {
        const bigger = Buffer.alloc(Math.max(n, this.#buffer.length * 2));
        this.#buffer.copy(bigger, 0, this.#start, this.#end);
        this.#buffer = bigger;
      } else {
        this.#buffer.copy(this.#buffer, 0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = live;
      const { bytesRead } = await this.handle.read(this.#buffer, live, this.#buffer.length - live, this.#position);
      this.#position += bytesRead;
      this.#end += bytesRead;
      if (bytesRead === 0) this.#eof = true;
    }
    return this.#end - this.#start >= n;
  }

  async peekByte(): Promise<number | null> {
    return (await this.ensure(1)) ? this.#buffer[this.#start] : null;
  }

  take(n: number): Buffer {
    const slice = this.#buffer.subarray(this.#start, this.#start + n);
    this.#start += n;
    return slice;
  }

  /** Bytes up to (not including) `stop`, which is consumed; null at end of file. */
  async readUntil(stop: number, limit: number): Promise<Buffer | null> {
    for (let scanned = 0; ; ) {
      const at = this.#buffer.indexOf(stop, this.#start + scanned);
      if (at !== -1 && at < this.#end) {
        const out = Buffer.from(this.#buffer.subarray(this.#start, at));
        this.#start = at + 1;
        return out;
      }
      scanned = this.#end - this.#start;
      if (scanned > limit) return null;
      if (!(await this.ensure(scanned + 1))) return null;
    }
  }
}

/**
 * Reads the original word2vec binary format: an ASCII "count dimension\n" header, then per word
 * its UTF-8 bytes, a space, and `dimension` little-endian float32 values (optionally followed by a
 * newline). A file that ends early is a ConfigError saying how many vectors it held.
 */
export async function readWord2vecBinary(file: string): Promise<VectorTable> {
  const handle = await open(file, 'r');
  try {
    const reader = new ByteReader(handle);
    const headerBytes = await reader.readUntil(NEWLINE, 256);
    const header = headerBytes?.toString('utf8').trim() ?? '';
    const match = /^(\d+)\s+(\d+)$/.exec(header);
    if (!match) throw new ConfigError(`${file}: expected a word2vec header "<count> <dimension>", got "${header.slice(0, 60)}"`);
    const count = Number(match[1]);
    const dimension = Number(match[2]);
    if (dimension < 1) throw new ConfigError(`${file}: the header declares dimension ${dimension}`);
    const builder = new VectorTableBuilder(dimension, Math.min(count, 1 << 20));
    const values = new Float32Array(dimension);
    const rowBytes = dimension * 4;
    for (let row = 0; row < count; row++) {
      // Skip the separator the writer may leave between rows.
      for (let b = await reader.peekByte(); b === NEWLINE || b === SPACE; b = await reader.peekByte()) reader.take(1);
      const word = await reader.readUntil(SPACE, 4096);
      if (word === null || !(await reader.ensure(rowBytes))) {
        throw new ConfigError(`${file}: truncated word2vec binary file: it ended after ${row} of the ${count} vectors its header declares`);
      }
      const bytes = reader.take(rowBytes);
      for (let i = 0; i < dimension; i++) {
        const value = bytes.readFloatLE(i * 4);
        if (!Number.isFinite(value)) throw new ConfigError(`${file}: vector ${row + 1} ("${word.toString('utf8')}") holds a non-finite value`);
        values[i] = value;
      }
      builder.add(word.toString('utf8'), values);
    }
    return builder.build();
  } finally {
    await handle.close();
  }
}
