/**
 * A FIFO of waiters for a limited number of slots: the engine's only queue primitive (CallSlots,
 * ProviderLimiter). A caller with a free slot takes it without a promise, a timer or a listener;
 * a waiting caller leaves the queue at once when its signal aborts, and never takes a slot then.
 */
export class SlotQueue {
  #capacity: number;
  #used = 0;
  readonly #waiting: Waiter[] = [];
  #head = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`SlotQueue: capacity must be ≥ 1, got ${capacity}`);
    this.#capacity = capacity;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Raising the capacity admits waiters at once; lowering it lets the calls in flight finish. */
  set capacity(value: number) {
    if (!(value >= 1)) throw new RangeError(`SlotQueue: capacity must be ≥ 1, got ${value}`);
    this.#capacity = value;
    this.#grant();
  }

  /** Slots taken. */
  get used(): number {
    return this.#used;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Takes a slot: synchronously (returns true) when one is free and nobody waits, else a promise that
   * resolves once one is granted, or rejects with the signal's reason if it aborts first.
   */
  take(signal?: AbortSignal): true | Promise<void> {
    signal?.throwIfAborted();
    if (this.#used < this.#capacity && this.waiting === 0) {
      this.#used++;
      return true;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => this.#leave(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiting.push(waiter);
    });
  }

  /** Gives a slot back; the longest waiter gets it. */
  release(): void {
    this.#used--;
    this.#grant();
  }

  /** Runs `fn` in a slot; the signal only matters while waiting (a running `fn` reads it itself). */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const taken = this.take(signal);
    if (taken !== true) await taken;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  #grant(): void {
    while (this.#used < this.#capacity && this.waiting > 0) {
      const waiter = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined as unknown as Waiter;
      if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
        this.#waiting.splice(0, this.#head);
        this.#head = 0;
      }
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      this.#used++;
      waiter.resolve();
    }
  }

  #leave(waiter: Waiter): void {
    const index = this.#waiting.indexOf(waiter, this.#head);
    if (index >= 0) this.#waiting.splice(index, 1);
    waiter.reject(waiter.signal!.reason);
  }
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}
