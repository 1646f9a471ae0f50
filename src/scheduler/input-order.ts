/**
 * Puts results that finish in any order back into input order before they are written, so a task's
 * JSONL files are the same bytes whatever the concurrency, the retries or the cache hits.
 *
 * Memory stays bounded: `admit()` hands out the next sequence number only while fewer than `window`
 * admitted entries are still unwritten, so one slow item holds back at most `window` finished ones
 * (and the work in flight pauses behind it) instead of letting the buffer grow with the task.
 */
export class InputOrder<T> {
  readonly #window: number;
  readonly #write: (entry: T) => Promise<void> | void;
  /** Finished entries waiting for an earlier one, by sequence number. */
  readonly #finished = new Map<number, T>();
  #issued = 0;
  /** The sequence number written next; everything before it has been handed to `write`. */
  #next = 0;
  /** A write that returned a promise is in progress (the rest of the flush follows it): settle only stores. */
  #busy = false;
  /** Resolves when the write in progress (and the flush after it, as far as it got) is done; never rejects. */
  #flushing: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;
  #waiters: (() => void)[] = [];

  /**
   * `write` may return nothing when the entry is written at once (a line appended to a buffer): the
   * flush then goes on synchronously, so an all-cached task costs no promise per entry here.
   */
  constructor(options: { readonly window: number; readonly write: (entry: T) => Promise<void> | void }) {
    if (!Number.isInteger(options.window) || options.window < 1) throw new RangeError(`InputOrder: window must be an integer ≥ 1, got ${options.window}`);
    this.#window = options.window;
    this.#write = options.write;
  }

  /** Entries admitted but not yet written (finished or still running). */
  get outstanding(): number {
    return this.#issued - this.#next;
  }

  /** The next sequence number, once the window has room; throws the writer's error if writing failed. */
  async admit(): Promise<number> {
    while (this.outstanding >= this.#window && !this.#failure) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.tryAdmit()!;
  }

  /** The next sequence number at once, or undefined while the window is full (then await `admit()`); throws the writer's error. */
  tryAdmit(): number | undefined {
    if (this.#failure) throw this.#failure.error;
    return this.outstanding < this.#window ? this.#issued++ : undefined;
  }

  /** Hands in the result of entry `seq`; it is written once every earlier entry has been (at once, when they have). */
  settle(seq: number, entry: T): void {
    if (this.#failure) return;
    if (seq < this.#next || seq >= this.#issued || this.#finished.has(seq)) throw new RangeError(`InputOrder: entry ${seq} settled twice or never admitted`);
    this.#finished.set(seq, entry);
    if (seq === this.#next && !this.#busy) this.#flush();
  }

  /** Resolves once every admitted entry has been settled and written; rejects with the writer's error. */
  async finished(): Promise<void> {
    while (this.outstanding > 0 && !this.#failure) {
      if (this.#busy) await this.#flushing;
      else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#failure) throw this.#failure.error;
  }

  /** Stops the sequence: nothing more is written, and `admit()` and `finished()` throw `error`. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#finished.clear();
    this.#wake();
  }

  /** Writes the finished entries that are next in order; when a write returns a promise, the rest follows it. */
  #flush(): void {
    this.#busy = false;
    try {
      while (!this.#failure && this.#finished.has(this.#next)) {
        const entry = this.#finished.get(this.#next) as T;
        this.#finished.delete(this.#next);
        this.#next++;
        const written = this.#write(entry);
        if (written) {
          this.#busy = true;
          this.#flushing = written.then(() => {
            this.#wake();
            this.#flush();
          }, (error: unknown) => {
            this.#busy = false;
            this.fail(error);
          });
          return;
        }
        this.#wake();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
