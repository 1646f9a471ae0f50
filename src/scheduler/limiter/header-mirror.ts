import type { RateLimitWindow } from '../../providers/chat/rate-limit-headers.js';
import { RateBucket } from '../rate-bucket.js';

/**
 * The mirror of a server's bucket keeps this many ms of the rate in hand: the server counts a call
 * when it arrives, a little after the limiter let it go, and rounds `remaining` down.
 */
const MIRROR_SLACK_MS = 50;

export type Dimension = 'requests' | 'tokens';

/** A call as the mirror places it: when it was sent, and what had been sent up to and including it. */
export interface MirroredCall {
  readonly startedAt: number;
  readonly requestsSent: number;
  readonly tokensSent: number;
  /** Its estimated tokens. */
  readonly cost: number;
}

/** What the limiter has sent and has in flight when an answer's headers arrive. */
export interface Flight {
  readonly sent: { readonly requests: number; readonly tokens: number };
  readonly inFlight: number;
  readonly inFlightTokens: number;
  /** The calls in flight (the answered call among them until it settles). */
  readonly open: Iterable<MirroredCall>;
}

/**
 * A mirror of the server's request and token buckets, from the headers of its answers
 * (`x-ratelimit-{limit,remaining}-{requests,tokens}`). Its level is re-set from each answer's
 * `remaining`, counted from when that call was sent, minus what was sent after it and what was sent
 * before it and is still unanswered; it refills at the limit per minute. So the limiter sends while
 * the server has room, then at the server's rate, and follows a limit the server changes at once.
 *
 * Calls sent before the answered one may reach the server after it (a burst opens new connections
 * while a kept-alive one carries a later call at once): its `remaining` may not count them yet. Each
 * is counted as unseen until its own answer says otherwise, so a fast later answer never shows room
 * those calls are about to use. (Counting them when the server had already: the mirror holds back a
 * few calls' worth of the bucket, which costs no rate while the server's bucket is not full.)
 */
export class HeaderMirror {
  requests: RateBucket | undefined;
  tokens: RateBucket | undefined;
  /** The largest `remaining` seen + 1: the server's bucket size as far as it has shown it. */
  readonly #seenCapacity = { requests: 0, tokens: 0 };
  /** The call (by send order) whose answer last set the mirror: answers to earlier calls say less. */
  readonly #syncedSeq = { requests: -1, tokens: -1 };

  /** The server has published a limit. */
  get known(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /** Re-sets one dimension from what an answer to `call` (undefined: a call it cannot place) said. */
  sync(dimension: Dimension, window: RateLimitWindow, call: MirroredCall | undefined, flight: Flight, now: number): void {
    // The server counted this call when it arrived; what was sent after it, it had not counted yet.
    // An answer the limiter cannot place is taken as of now, with every other call in flight uncounted.
    // The answer to an older call says less than one to a newer call already read: it is passed over.
    let bucket = this[dimension];
    const sentAt = call?.startedAt ?? now;
    const seq = call?.requestsSent ?? flight.sent.requests;
    if (bucket && seq < this.#syncedSeq[dimension]) return;
    this.#syncedSeq[dimension] = seq;
    // A changed limit is a new bucket, whose size is learnt again.
    const seen = bucket && bucket.perMinute !== window.limit ? 0 : this.#seenCapacity[dimension];
    this.#seenCapacity[dimension] = Math.min(window.limit, Math.max(seen, window.remaining + 1));
    const capacity = this.#seenCapacity[dimension];
    if (!bucket) bucket = this[dimension] = new RateBucket(window.limit, capacity, now, { slackMs: MIRROR_SLACK_MS });
    else if (bucket.perMinute !== window.limit || bucket.capacity !== capacity) bucket.resize(window.limit, capacity, now);
    const others = Math.max(0, flight.inFlight - 1);
    const sentSince = call
      ? flight.sent[dimension] - (dimension === 'requests' ? call.requestsSent : call.tokensSent)
      : dimension === 'requests' ? others : flight.inFlight > 0 ? (flight.inFlightTokens * others) / flight.inFlight : 0;
    const refilled = Math.min(capacity, window.remaining + ((now - sentAt) * window.limit) / 60_000);
    bucket.sync(refilled - sentSince - (call ? unansweredBefore(call, flight.open, dimension) : 0), now);
  }

  take(cost: number, now: number): void {
    this.requests?.take(1, now);
    this.tokens?.take(cost, now);
  }

  /** How long before a call of `cost` tokens fits the mirrored buckets. */
  waitMs(cost: number, now: number): number {
    return Math.max(this.requests ? this.requests.waitMs(1, now) : 0, this.tokens && cost > 0 ? this.tokens.waitMs(cost, now) : 0);
  }
}

/** What the calls sent before `call` and not yet answered cost, in `dimension`. */
function unansweredBefore(call: MirroredCall, open: Iterable<MirroredCall>, dimension: Dimension): number {
  let total = 0;
  for (const other of open) if (other.requestsSent < call.requestsSent) total += dimension === 'requests' ? 1 : other.cost;
  return total;
}
