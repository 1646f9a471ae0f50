/**
 * A token bucket: `capacity` units, refilled continuously at `perMinute`. A cost larger than the
 * bucket waits for a full one (then takes it, leaving the bucket in debt, as a server does). The
 * level may be set from outside (`sync`): the limiter mirrors a server's bucket from its headers.
 */
export class RateBucket {
  #perMs: number;
  #capacity: number;
  #level: number;
  #at: number;
  readonly #slackMs: number;

  /** `slackMs`: a call also waits for this many ms of refill beyond its cost, for clocks and counts that are a little off. */
  constructor(perMinute: number, capacity: number, now: number, options: { readonly level?: number; readonly slackMs?: number } = {}) {
    const level = options.level ?? capacity;
    this.#slackMs = options.slackMs ?? 0;
    this.#perMs = perMinute / 60_000;
    this.#capacity = Math.max(1, capacity);
    this.#level = Math.min(level, this.#capacity);
    this.#at = now;
  }

  get perMinute(): number {
    return this.#perMs * 60_000;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** The level now (may be negative: units spent ahead of the refill). */
  level(now: number): number {
    this.#refill(now);
    return this.#level;
  }

  /** How long until `cost` may be taken: 0 when it may be taken now. */
  waitMs(cost: number, now: number): number {
    this.#refill(now);
    const need = Math.min(cost + this.#perMs * this.#slackMs, this.#capacity);
    if (this.#level >= need) return 0;
    return this.#perMs > 0 ? Math.ceil((need - this.#level) / this.#perMs) : Infinity;
  }

  take(cost: number, now: number): void {
    this.#refill(now);
    this.#level -= cost;
  }

  /** Gives back (or, negative, takes more): a call's real cost known after it. */
  adjust(amount: number): void {
    this.#level = Math.min(this.#capacity, this.#level + amount);
  }

  /** A new rate and size; the level is kept, within the new size. */
  resize(perMinute: number, capacity: number, now: number): void {
    this.#refill(now);
    this.#perMs = perMinute / 60_000;
    this.#capacity = Math.max(1, capacity);
    this.#level = Math.min(this.#level, this.#capacity);
  }

  /** The level as known from elsewhere (a server's count). */
  sync(level: number, now: number): void {
    this.#level = Math.min(level, this.#capacity);
    this.#at = now;
  }

  #refill(now: number): void {
    if (now > this.#at) {
      this.#level = Math.min(this.#capacity, this.#level + (now - this.#at) * this.#perMs);
      this.#at = now;
    }
  }
}

/** A RateWindow as plain data (the Redis executor's shared limiter keeps it in Redis). */
export interface RateWindowState {
  readonly slot: number;
  readonly counts: readonly number[];
}

/** Counts events in fixed slots over a sliding horizon: the rate of the last few seconds. */
export class RateWindow {
  readonly #slotMs: number;
  readonly #counts: Float64Array;
  #slot = 0;

  /** `state`: a window saved with `toJSON` (with the same slot size), to go on from. */
  constructor(now: number, options: { readonly slotMs?: number; readonly slots?: number; readonly state?: RateWindowState } = {}) {
    this.#slotMs = options.slotMs ?? 250;
    this.#counts = new Float64Array(options.state?.counts.length ?? options.slots ?? 20);
    if (options.state) this.#counts.set(options.state.counts);
    this.#slot = options.state?.slot ?? Math.floor(now / this.#slotMs);
  }

  toJSON(): RateWindowState {
    return { slot: this.#slot, counts: [...this.#counts] };
  }

  add(now: number, amount = 1): void {
    this.#advance(now);
    this.#counts[this.#slot % this.#counts.length] += amount;
  }

  /** Events per ms over the last `spanMs` (at most the horizon, at least since the window began). */
  perMs(now: number, spanMs: number): number {
    this.#advance(now);
    const slots = Math.max(1, Math.min(this.#counts.length, Math.ceil(spanMs / this.#slotMs)));
    let sum = 0;
    for (let k = 0; k < slots; k++) sum += this.#counts[(this.#slot - k + this.#counts.length * 2) % this.#counts.length];
    // The current slot is partly elapsed. A window younger than the span still counts the whole span:
    // the rate of a run's first few ms is no rate (it would take a burst for the server's pace).
    const covered = Math.max(spanMs, (slots - 1) * this.#slotMs + (now % this.#slotMs) + 1);
    return sum / covered;
  }

  #advance(now: number): void {
    const slot = Math.floor(now / this.#slotMs);
    if (slot <= this.#slot) return;
    const steps = Math.min(slot - this.#slot, this.#counts.length);
    for (let k = 1; k <= steps; k++) this.#counts[(this.#slot + k) % this.#counts.length] = 0;
    this.#slot = slot;
  }
}
