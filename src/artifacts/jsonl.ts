import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/**
 * Appends JSON lines to `<file>.partial` and renames it to `<file>` on `commit()`, so a finished
 * task's records file is always whole; a killed run leaves only a .partial that resume rewrites.
 */
const CHUNK = 1 << 16;

export class JsonlWriter {
  readonly #file: string;
  readonly #onlyIfWritten: boolean;
  #stream?: WriteStream;
  #pending = '';
  #draining?: Promise<void>;

  /** `onlyIfWritten`: publish no file at all when nothing was written (error files). */
  constructor(file: string, options: { onlyIfWritten?: boolean } = {}) {
    this.#file = file;
    this.#onlyIfWritten = options.onlyIfWritten ?? false;
    if (!this.#onlyIfWritten) this.#open();
  }

  #open(): WriteStream {
    this.#stream ??= createWriteStream(`${this.#file}.partial`, { flags: 'w', highWaterMark: 1 << 16 });
    return this.#stream;
  }

  /** Resolves at once unless the stream buffer is full: that is the back-pressure for huge tasks. */
  /**
   * Lines are gathered into ~64 KiB chunks before they reach the stream: one syscall per record costs
   * more than the record. The cache, not this file, is what makes completed work durable.
   */
  async write(record: unknown): Promise<void> {
    this.#pending += JSON.stringify(record) + '\n';
    if (this.#pending.length >= CHUNK) await this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#pending) {
      const stream = this.#open();
      const chunk = this.#pending;
      this.#pending = '';
      // Concurrent writers share one wait for 'drain' instead of stacking listeners on the stream.
      if (!stream.write(chunk)) this.#draining ??= once(stream, 'drain').then(() => { this.#draining = undefined; });
    }
    await this.#draining;
  }

  async #end(): Promise<void> {
    await this.#drain();
    const stream = this.#stream;
    if (!stream || stream.closed) return;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  async commit(): Promise<void> {
    await this.#end();
    if (this.#stream) await rename(`${this.#file}.partial`, this.#file);
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
