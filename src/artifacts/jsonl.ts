import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, rename, writeFile } from 'node:fs/promises';
import { RunIOError } from '../errors.js';

/** Lines are gathered into ~64 KiB chunks before they reach the stream: one syscall per record costs more than the record. */
const CHUNK = 1 << 16;

/**
 * Appends JSON lines to `<file>.partial` and renames it to `<file>` on `commit()`, so a finished
 * task's records file is always whole; a killed run leaves only a .partial that resume rewrites.
 *
 * The file is opened on the first chunk, not before, so a task holds no handle until it has
 * something to write. A stream error (a full disk, no handles left) is kept and thrown, as a
 * RunIOError naming the file, by the next write, commit or abandon: it never escapes as an
 * unhandled 'error' event.
 */
export class JsonlWriter {
  readonly #file: string;
  readonly #onlyIfWritten: boolean;
  #stream?: WriteStream;
  #pending = '';
  #copied = false;
  #draining?: Promise<void>;
  #failure?: RunIOError;

  /** `onlyIfWritten`: publish no file at all when nothing was written (error files). */
  constructor(file: string, options: { onlyIfWritten?: boolean } = {}) {
    this.#file = file;
    this.#onlyIfWritten = options.onlyIfWritten ?? false;
  }

  get #partial(): string {
    return `${this.#file}.partial`;
  }

  #open(): WriteStream {
    if (!this.#stream) {
      const stream = createWriteStream(this.#partial, { flags: 'w', highWaterMark: CHUNK });
      stream.on('error', (error) => {
        this.#failure ??= new RunIOError(this.#partial, 'write', error);
      });
      this.#stream = stream;
    }
    return this.#stream;
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Resolves at once unless the stream buffer is full: that is the back-pressure for huge tasks. */
  async write(record: unknown): Promise<void> {
    await this.writeLine(JSON.stringify(record));
  }

  /**
   * Appends one record given as its JSON text (one line, no newline): for a caller that has the text
   * already. Returns a promise only when the stream's buffer is full (wait for it before writing more),
   * so a task writing from a cache pays no promise per line; throws the stream's error.
   */
  writeLine(json: string): Promise<void> | undefined {
    this.#check();
    this.#pending += json + '\n';
    return this.#pending.length >= CHUNK ? this.#drain() : undefined;
  }

  /** Hands the gathered lines to the stream; a promise only while the stream's buffer is full. */
  #drain(): Promise<void> | undefined {
    if (this.#pending) {
      const stream = this.#open();
      const chunk = this.#pending;
      this.#pending = '';
      // Concurrent writers share one wait for 'drain' (or the error that ends the stream).
      if (!stream.write(chunk)) this.#draining ??= this.#drained(stream).finally(() => { this.#draining = undefined; });
    }
    if (this.#draining) return this.#draining.then(() => this.#check());
    this.#check();
    return undefined;
  }

  #drained(stream: WriteStream): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('error', done);
      stream.on('close', done);
    });
  }

  async #end(): Promise<void> {
    await this.#drain();
    const stream = this.#stream;
    if (!stream || stream.closed || stream.destroyed) return this.#check();
    await new Promise<void>((resolve) => stream.end(() => resolve()));
    // 'close' follows 'finish', or an error: either way the outcome is known now.
    if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    this.#check();
  }

  /**
   * Takes `source`'s bytes as this file's whole content (records an earlier run wrote, reused), in
   * place of any write; commit() publishes them. A copy that fails is a RunIOError naming this file.
   */
  async copyFrom(source: string): Promise<void> {
    if (this.#stream || this.#pending) throw new Error(`${this.#file}: copyFrom after a write`);
    try {
      await copyFile(source, this.#partial);
    } catch (error) {
      throw new RunIOError(this.#partial, 'write', error);
    }
    this.#copied = true;
  }

  /** Publishes the file (an empty one when nothing was written, unless `onlyIfWritten`). */
  async commit(): Promise<void> {
    await this.#end();
    try {
      const written = this.#stream !== undefined || this.#copied;
      if (!written && !this.#onlyIfWritten) await writeFile(this.#partial, '');
      if (written || !this.#onlyIfWritten) await rename(this.#partial, this.#file);
    } catch (error) {
      throw new RunIOError(this.#file, 'write', error);
    }
  }

  /** Closes without publishing (interrupted or failed task). Never throws: the task's outcome is already decided. */
  async abandon(): Promise<void> {
    await this.#end().catch(() => undefined);
  }
}

/**
 * Records that can also be taken a chunk at a time: a consumer of every record (aggregate) pays one
 * async step per chunk of lines instead of one per record (about 3.5 µs, as much as parsing it).
 * Iterating it record by record gives the same records in the same order.
 */
export interface RecordStream<T> extends AsyncIterable<T> {
  batches(): AsyncIterable<readonly T[]>;
}

/** A RecordStream over `batches`: iterated record by record, it walks each batch in order. */
export function recordStream<T>(batches: () => AsyncIterable<readonly T[]>): RecordStream<T> {
  return {
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) for (const record of batch) yield record;
    },
  };
}

function isRecordStream<T>(source: AsyncIterable<T>): source is RecordStream<T> {
  return typeof (source as Partial<RecordStream<T>>).batches === 'function';
}

/** The records of `source` in batches: its own chunks when it is a RecordStream, else one record per batch. */
export function batchesOf<T>(source: AsyncIterable<T>): AsyncIterable<readonly T[]> {
  if (isRecordStream(source)) return source.batches();
  return (async function* () {
    for await (const record of source) yield [record];
  })();
}

/**
 * Streams records from a JSONL file; a torn last line (killed writer) is skipped, any other bad line
 * throws with its line number, after the records before it. Lines are cut from 256 KiB chunks by
 * hand (readline costs about as much as parsing the records) and parsed a chunk at a time.
 */
export function readJsonl<T = unknown>(file: string): RecordStream<T> {
  return recordStream(() => readJsonlBatches<T>(file));
}

/** The records of several JSONL files, one after the other (a task's upstream files, in plan order). */
export function readJsonlFiles<T = unknown>(files: readonly string[]): RecordStream<T> {
  return recordStream(async function* () {
    for (const file of files) yield* readJsonlBatches<T>(file);
  });
}

/** readJsonl a chunk at a time: the records whose lines end in each chunk read. */
async function* readJsonlBatches<T>(file: string): AsyncIterable<T[]> {
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 18 });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new RunIOError(file, 'read', error);
  }
  let rest = '';
  let pending: string | undefined;
  let lineNo = 0;
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    const batch: T[] = [];
    let start = 0;
    let bad: Error | undefined;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const line = text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
      if (pending !== undefined && (bad = parseInto(batch, pending, file, lineNo))) break;
      lineNo++;
      pending = line.length > 0 ? line : undefined;
    }
    // A bad line ends the file's records: those before it are handed on first, as one by one.
    if (batch.length > 0) yield batch;
    if (bad) throw bad;
    rest = text.slice(start);
  }
  const last: T[] = [];
  let bad: Error | undefined;
  if (rest.length > 0) {
    if (pending !== undefined) bad = parseInto(last, pending, file, lineNo);
    lineNo++;
    pending = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  }
  if (pending !== undefined && !bad) {
    try {
      last.push(JSON.parse(pending) as T);
    } catch {
      /* the last line of a killed writer may be cut short */
    }
  }
  if (last.length > 0) yield last;
  if (bad) throw bad;
}

/** Parses a line into `batch`; returns the error that names a bad line. */
function parseInto<T>(batch: T[], line: string, file: string, lineNo: number): Error | undefined {
  try {
    batch.push(JSON.parse(line) as T);
    return undefined;
  } catch {
    return new Error(`${file}:${lineNo}: not a JSON line`);
  }
}
