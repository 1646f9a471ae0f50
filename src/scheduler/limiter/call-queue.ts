/**
 * What the queue asks of its limiter: how long a call must still wait, and taking its slot and rates
 * (returning what the call needs to know of the moment it was let go: its place in the send order).
 */
export interface Gate<Ticket> {
  /** Ms before a call of `cost` tokens may start (0: now; Infinity: when a slot frees, see `pump`). */
  delay(cost: number, now: number): number;
  admit(cost: number, now: number): Ticket;
}

interface Waiter<Ticket> {
  readonly cost: number;
  readonly resolve: (ticket: Ticket) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Calls waiting for a slot, a pause or a rate, started in the order they arrive. An aborted call
 * leaves the queue at once, so it never uses a slot or a rate slot. The owner calls `pump` when a
 * slot frees or what it knows of the rates changes.
 */
export class CallQueue<Ticket> {
  readonly #gate: Gate<Ticket>;
  readonly #queue: Waiter<Ticket>[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(gate: Gate<Ticket>) {
    this.#gate = gate;
  }

  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * The call's ticket once it was admitted: at once when nobody waits and the gate allows, else a
   * promise. The ticket is taken when the gate lets the call go, not when its continuation runs:
   * calls let go together by one pump know their own places.
   */
  enter(cost: number, signal: AbortSignal | undefined): Ticket | Promise<Ticket> {
    const now = Date.now();
    if (this.waiting === 0 && this.#gate.delay(cost, now) <= 0) return this.#gate.admit(cost, now);
    return new Promise<Ticket>((resolve, reject) => {
      const waiter: Waiter<Ticket> = { cost, resolve, reject, signal, onAbort: undefined };
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
      this.#queue[this.#head++] = undefined as unknown as Waiter<Ticket>;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.#gate.admit(waiter.cost, now));
    }
  }
}
