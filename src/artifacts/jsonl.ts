import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/**
 * Appends JSON lines to `<file>.partial` and renames it to `<file>` on `commit()`, so a finished
 * task's records file is always whole; a killed run leaves only a .partial that resume rewrites.
 */
export class JsonlWriter {
  readonly #file: string;
  readonly #stream: WriteStream;
  #count = 0;

  constructor(file: string) {
    this.#file = file;
    this.#stream = createWriteStream(`${file}.partial`, { flags: 'w', highWaterMark: 1 << 16 });
  }

  get count(): number {
    return this.#count;
  }

  /** Resolves at once unless the stream buffer is full: that is the back-pressure for huge tasks. */
  async write(record: unknown): Promise<void> {
    this.#count++;
    if (!this.#stream.write(JSON.stringify(record) + '\n')) await once(this.#stream, 'drain');
  }

  async #end(): Promise<void> {
    if (this.#stream.closed) return;
    await new Promise<void>((resolve, reject) => this.#stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  async commit(): Promise<void> {
    await this.#end();
    await rename(`${this.#file}.partial`, this.#file);
  }

  /** Closes without publishing (interrupted or failed task). */
  async abandon(): Promise<void> {
    await this.#end();
  }
}

/** Streams records from a JSONL file; a torn last line (killed writer) is skipped, any other bad line throws. */
export async function* readJsonl<T = unknown>(file: string): AsyncIterable<T> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let pending: string | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    if (pending !== undefined) {
      yield parseLine<T>(pending, file, lineNo);
    }
    lineNo++;
    pending = line.length > 0 ? line : undefined;
  }
  if (pending !== undefined) {
    try {
      yield JSON.parse(pending) as T;
    } catch {
      /* the last line of a killed writer may be cut short */
    }
  }
}

function parseLine<T>(line: string, file: string, lineNo: number): T {
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${file}:${lineNo}: not a JSON line`);
  }
}
