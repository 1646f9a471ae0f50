/**
 * The rate a limiter learns from 429s (AIMD), with every cut on trial. Plain data and functions, so
 * that the in-process limiter keeps the state in memory and the Redis executor's shared limiter keeps
 * the same state in Redis: one set of rules for both.
 *
 * - A congestion event sets the rate to 85% of what the server took (the goodput, answers per
 *   second, or the pace times the share of the causing round's calls answered, whichever is lower:
 *   right after the server lowers its limit the goodput of the last second still holds the old
 *   pace, while a round's 429 share measures the new one), one cut per round of calls (429s to
 *   calls sent before the cut do not cut again; never below a tenth of the best goodput seen). Once
 *   the cut stands, while the rate is what limits, it returns fast to 95% of the ceiling (the rate
 *   the 429s came at, times the share of it answered), closing 63% of the gap a second (from 85% to
 *   91% of the ceiling in 1 s and 94% in 2 s, where a plain 2% a second takes 5.6 s to 95%), and
 *   then probes above it by 2% a second until the next 429.
 * - A cut must prove itself, since a server may refuse a share of requests whatever the pace (a 429
 *   that is no rate limit). A round is the calls sent between two verdicts; each counts its answers
 *   and 429s. A round cuts only once it has 20 results. After a cut, once the round sent after it has
 *   20 results, its 429 share is compared with the share of the round that caused the cut: a
 *   pace-driven limit (a token bucket) refuses clearly less once the pace falls below it. Share fell
 *   to half or less: the cut stands and the rate grows again. Share fell, but less (below 80% of it),
 *   or rose clearly (twice and 10 points above, a lowered limit): the pace is still too high, cut
 *   again (on trial again). No fall at all: one more cut (the first may have stayed above the limit,
 *   taken from a goodput that still held a burst's answers). No fall after that one either: the 429s
 *   do not depend on the pace, and every unproven cut is undone
 *   (back to the rate before them, or no learned rate) and learning stops, its 429 share kept as the
 *   baseline, until a round of 20 results refuses clearly more than that baseline (then it cuts, on
 *   trial, again). A server that refuses nearly everything ends up paced by its Retry-After alone.
 * - When the server publishes its limits (the header mirror is known), the mirror governs: a 429 to a
 *   call sent before the limiter knew the headers teaches nothing (the first burst meets a limit no
 *   one had announced yet), nor does a 429 whose own headers show the limit spent (a miss of the
 *   mirror, which those headers correct). A 429 whose headers show room, or carry none, is a limit
 *   the headers do not tell: it teaches a cut (on trial) once such 429s keep coming (3 within 5 s).
 *   A rate learned before the headers were known gives way once the headers show room.
 */

/** Multiplicative decrease: the learned rate after a congestion event, as a share of what the server took. */
const BACKOFF = 0.85;
/** Additive increase: the learned rate grows by this share per second while it is what limits. */
const GROWTH_PER_SECOND = 0.02;
/**
 * Below its return target (a share of the ceiling: the rate the last cut's 429s came at) the rate
 * closes the gap with this time constant (ms): a limit that has not moved is used again within a
 * few seconds of a cut, and the probe above it stays the slow additive one.
 */
const RETURN_TO_CEILING_MS = 1000;
/**
 * The fast return aims at this share of the ceiling: the rate the 429s came at is past the limit by
 * what drained the server's bucket, so the last few percent are left to the slow probe.
 */
const RETURN_SHARE = 0.95;
/** Growth is applied at most this often (ms), in steps proportional to the time since the last. */
const GROWTH_STEP_MS = 250;
/** The rate grows only while calls start at least at this share of it: it is what holds them back. */
const LIMITING_SHARE = 0.8;
/**
 * The learned rate never falls below this share of the best goodput seen. A real limit
 * lowered tenfold or more is then reached only through the Retry-After pauses.
 */
const MIN_SHARE_OF_BEST_GOODPUT = 0.1;
/** With the server's headers known, this many counted 429s within the window make the limiter learn a rate of its own too. */
const STRAY_429_WINDOW_MS = 5000;
const STRAY_429_COUNT = 3;
/**
 * A cut is judged once the round of calls sent after it has this many results (answers and 429s);
 * a round with fewer results cannot cause one (its share and goodput say too little).
 */
export const PROBE_RESULTS = 20;
/** The cut worked when the 429 share fell to at most this share of the share that caused it. */
const CUT_WORKED = 0.5;
/**
 * A share that fell below this share of the one before, but not to half: the pace is still above a
 * limit (the goodput a cut is taken from lags a second behind a lowered limit), cut again.
 */
const CUT_HELPED = 0.8;
/**
 * The 429 share rose clearly: at least this many times the reference share and at least
 * `CLEAR_RISE_POINTS` above it (a round of 20 results at a share of 1/4 swings by ±0.1).
 */
const CLEAR_RISE = 2;
const CLEAR_RISE_POINTS = 0.1;

/** Results of the calls sent in one round. */
export interface RoundCount {
  answers: number;
  limited: number;
}

/** A cut on trial: the round whose 429s caused it, the round that judges it, the rate before the first unproven cut. */
export interface Trial {
  readonly cause: number;
  readonly probe: number;
  /** The learned rate (per minute) before the first cut not yet proven; undefined: there was none. */
  readonly rateBefore?: number;
  /** This cut followed one after which the share did not fall (it may not have reached below the limit). */
  readonly second?: boolean;
}

/** Everything the rules remember; plain JSON (undefined fields may be missing). */
export interface LearnedRateState {
  /** The learned rate per minute; undefined: none. */
  perMinute?: number;
  /** What the server took (per minute) when the rate was last cut: the rate returns to it fast, then probes above it. */
  ceiling?: number;
  /** The rate was learned while the server's headers were known (it then stands on its own proof). */
  underHeaders?: boolean;
  /** The round calls are sent in now; a verdict on a cut (or a watch window while learning is off) starts the next. */
  round: number;
  rounds: Record<number, RoundCount>;
  trial?: Trial;
  /** Learning is off: the 429 share that did not depend on the pace. */
  paceIndependentShare?: number;
  /** Calls sent (by count) when the rate was last cut: 429s to these are news of the past round. */
  cutAtSent: number;
  lastGrowthAt: number;
  /** The highest goodput seen (answers per ms over a second), the reference of the rate's floor. */
  bestGoodput: number;
  /** Times of recent counted 429s under the server's headers. */
  recent429: number[];
  /** Congestion events: 429s that made the limiter slow down (reported in the progress display). */
  slowdowns: number;
}

/** A call as the rules see it: the round it was sent in, its place in the send order, whether the headers were known when it left. */
export interface SentCall {
  readonly round: number;
  /** Requests sent up to and including this call. */
  readonly requestsSent: number;
  readonly underMirror: boolean;
}

/** The pace at an event: answers and starts per ms over the last second, requests sent so far. */
export interface Pace {
  readonly now: number;
  readonly goodput: number;
  readonly sending: number;
  readonly sent: number;
}

export function newLearnedRate(now: number): LearnedRateState {
  return { round: 0, rounds: {}, cutAtSent: -1, lastGrowthAt: now, bestGoodput: 0, recent429: [], slowdowns: 0 };
}

/** An answer: counts it, judges a cut on trial, and grows the rate while it is what limits. True when the verdict cut. */
export function learnFromAnswer(state: LearnedRateState, call: SentCall, pace: Pace): boolean {
  state.bestGoodput = Math.max(state.bestGoodput, pace.goodput);
  count(state, call.round).answers++;
  if (judge(state, pace)) return true;
  if (state.perMinute === undefined || state.trial || call.requestsSent <= state.cutAtSent) return false;
  // Additive increase, only while the learned rate is what holds the calls back.
  const elapsed = pace.now - state.lastGrowthAt;
  if (elapsed < GROWTH_STEP_MS) return false;
  state.lastGrowthAt = pace.now;
  const perMinute = state.perMinute;
  if (pace.sending * 60_000 < LIMITING_SHARE * perMinute) return false;
  const probing = perMinute * (1 + (GROWTH_PER_SECOND * elapsed) / 1000);
  const ceiling = RETURN_SHARE * (state.ceiling ?? 0);
  const returning = perMinute + (ceiling - perMinute) * (1 - Math.exp(-elapsed / RETURN_TO_CEILING_MS));
  state.perMinute = Math.max(probing, returning);
  return false;
}

/** What the server's headers say about a 429: whether they are known now, and whether the 429's own headers showed the limit spent. */
export interface HeadersAt429 {
  readonly known: boolean;
  /** The 429 carried headers with nothing `remaining` in some window: the server's count explains it. */
  readonly showSpent: boolean;
}

/** A 429. Returns whether the default pause applies (when the server named no Retry-After) and whether the rate was cut. */
export function learnFrom429(state: LearnedRateState, call: SentCall, pace: Pace, headers: HeadersAt429): { pause: boolean; cut: boolean } {
  const mirrorKnown = headers.known;
  // The headers were not known when this call left (the limit met was not announced yet), or the
  // 429's own headers show the limit spent (the mirror was off by the timing of a busy machine, and
  // those headers just corrected it): the mirror follows the server, this 429 teaches no rate.
  if (mirrorKnown && (!call.underMirror || headers.showSpent)) return { pause: true, cut: false };
  const { now } = pace;
  if (mirrorKnown) {
    state.recent429 = state.recent429.filter((t) => now - t < STRAY_429_WINDOW_MS);
    state.recent429.push(now);
  }
  count(state, call.round).limited++;
  if (judge(state, pace)) return { pause: true, cut: true };
  // A 429 to a call sent before the last cut is news of the past round: no second cut for it.
  // Nor while a cut is on trial (its round judges it), nor while learning is off.
  if (call.requestsSent <= state.cutAtSent || state.trial || state.paceIndependentShare !== undefined) return { pause: false, cut: false };
  // A round too young to give a share (and a goodput) to judge the cut by: the pause alone.
  if (share(state, call.round).results < PROBE_RESULTS) return { pause: true, cut: false };
  // With the server's headers the mirror already knows the rate, unless 429s keep coming anyway.
  if (mirrorKnown && state.recent429.length < STRAY_429_COUNT) {
    state.slowdowns++;
    state.cutAtSent = pace.sent;
    return { pause: true, cut: false };
  }
  cut(state, call.round, pace, state.perMinute, mirrorKnown);
  return { pause: true, cut: true };
}

/**
 * The server's headers, in an answer to `call`, show room: a rate learned before the headers were
 * known gives way to them (the mirror keeps to the server's own limit). A rate learned despite the
 * headers (429s that kept coming under the mirror) stands on its own proof. True when it gave way.
 */
export function headersShowRoom(state: LearnedRateState, call: SentCall, serverPerMinute: number): boolean {
  if (state.perMinute === undefined || state.underHeaders || state.perMinute >= serverPerMinute) return false;
  if (call.requestsSent <= state.cutAtSent) return false; // sent before the last cut: says nothing of the pace since
  delete state.perMinute;
  delete state.ceiling;
  delete state.trial;
  delete state.paceIndependentShare;
  return true;
}

function count(state: LearnedRateState, round: number): RoundCount {
  return (state.rounds[round] ??= { answers: 0, limited: 0 });
}

function share(state: LearnedRateState, round: number): { results: number; share: number } {
  const c = state.rounds[round];
  const results = c ? c.answers + c.limited : 0;
  return { results, share: results > 0 ? c!.limited / results : 0 };
}

/** Starts the next round; counts of rounds no verdict reads any more are dropped. */
function nextRound(state: LearnedRateState, keep: number): void {
  state.round++;
  for (const key of Object.keys(state.rounds)) if (Number(key) < keep) delete state.rounds[Number(key)];
}

/**
 * The verdict on a cut on trial, or, while learning is off, whether the 429 share rose clearly
 * above its pace-independent baseline. True when it cut.
 */
function judge(state: LearnedRateState, pace: Pace): boolean {
  const { now } = pace;
  if (state.trial) {
    const { cause, probe, rateBefore, second } = state.trial;
    const after = share(state, probe);
    if (after.results < PROBE_RESULTS) return false;
    const before = share(state, cause);
    delete state.trial;
    state.cutAtSent = pace.sent;
    if (after.share <= CUT_WORKED * before.share) {
      state.lastGrowthAt = now;
      nextRound(state, state.round + 1);
      return false;
    }
    const rose = after.share >= CLEAR_RISE * before.share && after.share - before.share >= CLEAR_RISE_POINTS;
    if (rose || after.share < CUT_HELPED * before.share) {
      cut(state, probe, pace, rateBefore, state.underHeaders === true);
      return true;
    }
    // No fall after one cut: it may not have gone below the limit (a cut taken from a goodput that
    // still held the first burst's answers lands above it). One more cut decides.
    if (!second) {
      cut(state, probe, pace, rateBefore, state.underHeaders === true, true);
      return true;
    }
    // The share followed neither cut: undo every unproven cut, learn no more for now. The undone
    // cut's ceiling may stay: a cut sets it at most at the rate it cut from, so it lies at or below
    // the restored rate, and the return (the larger of probe and return) never acts on it; a new cut
    // sets its own.
    if (rateBefore === undefined) delete state.perMinute;
    else state.perMinute = rateBefore;
    const limited = (state.rounds[cause]?.limited ?? 0) + (state.rounds[probe]?.limited ?? 0);
    state.paceIndependentShare = limited / (before.results + after.results);
    nextRound(state, state.round + 1);
    return false;
  }
  const baseline = state.paceIndependentShare;
  if (baseline === undefined) return false;
  const watch = share(state, state.round);
  if (watch.results < PROBE_RESULTS) return false;
  if (watch.share >= CLEAR_RISE * baseline && watch.share - baseline >= CLEAR_RISE_POINTS) {
    delete state.paceIndependentShare;
    cut(state, state.round, pace, state.perMinute, state.underHeaders === true);
    return true;
  }
  nextRound(state, state.round + 1);
  return false;
}

/** Multiplicative decrease, on trial: `cause` is the round whose 429s made it. */
function cut(state: LearnedRateState, cause: number, pace: Pace, rateBefore: number | undefined, underHeaders: boolean, second = false): void {
  state.slowdowns++;
  state.cutAtSent = pace.sent;
  state.lastGrowthAt = pace.now;
  nextRound(state, cause);
  state.trial = { cause, probe: state.round, ...(rateBefore !== undefined ? { rateBefore } : {}), ...(second ? { second } : {}) };
  const learned = state.perMinute !== undefined ? state.perMinute / 60_000 : undefined;
  const sending = learned ?? pace.sending;
  // What the server took: the goodput lags a second behind a lowered limit, the causing round's
  // share of answered calls does not (at a pace r past a token bucket's rate L, r - L are refused).
  const taken = sending * (1 - share(state, cause).share);
  const lowest = pace.goodput > 0 ? Math.min(taken, pace.goodput) : taken;
  // The ceiling to return to: the share answered of the learned rate the 429s came at (the goodput
  // also falls with the client's own pauses and a CPU-starved client's lag, and a ceiling set there
  // leaves the rest to the slow probe); with no rate learned yet, the lowest estimate (a first
  // burst's pace is no rate the server took).
  state.ceiling = (learned !== undefined ? taken : lowest) * 60_000;
  const perMs = BACKOFF * lowest;
  // A last guard: a chain of cuts on trial never takes the rate below a tenth of the best goodput.
  const floor = Math.max(1 / 60_000, state.bestGoodput * MIN_SHARE_OF_BEST_GOODPUT);
  state.perMinute = Math.max(floor, perMs) * 60_000;
  state.underHeaders = underHeaders;
}
