/** What the queue asks of its limiter: how long a call must still wait, and taking its slot and rates. */
export interface Gate {
  /** Ms before a call of `cost` tokens may start (0: now; Infinity: when a slot frees, see `pump`). */
  delay(cost: number, now: number): number;
  admit(cost: number, now: number): void;
}

interface Waiter {
  readonly cost: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Calls waiting for a slot, a pause or a rate, started in the order they arrive. An aborted call
 * leaves the queue at once, so it never uses a slot or a rate slot. The owner calls `pump` when a
 * slot frees or what it knows of the rates changes.
 */
export class CallQueue {
  readonly #gate: Gate;
  readonly #queue: Waiter[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(gate: Gate) {
    this.#gate = gate;
  }

  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** Resolves once the call of `cost` tokens was admitted (at once when nobody waits and the gate allows). */
  enter(cost: number, signal: AbortSignal | undefined): Promise<void> | undefined {
    const now = Date.now();
    if (this.waiting === 0 && this.#gate.delay(cost, now) <= 0) {
      this.#gate.admit(cost, now);
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { cost, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#queue.indexOf(waiter, this.#head);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal.reason);
          this.pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.pump();
    });
  }

  /** Starts waiting calls, in order, while the gate allows; else sleeps until it will. */
  pump(): void {
    while (this.waiting > 0) {
      const now = Date.now();
      const waiter = this.#queue[this.#head]!;
      const wait = this.#gate.delay(waiter.cost, now);
      if (wait === Infinity) return; // a finishing call pumps again
      if (wait > 0) {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.#queue[this.#head++] = undefined as unknown as Waiter;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      this.#gate.admit(waiter.cost, now);
      waiter.resolve();
    }
  }
}
