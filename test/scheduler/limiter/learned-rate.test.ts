/**
 * The rules of the learned rate (src/scheduler/limiter/learned-rate.ts), driven with an injected
 * clock and pace: every figure below is exact (no timers), so each rule's thresholds and amounts are
 * pinned. The limiter that applies them over real calls is test/scheduler/provider-limiter.test.ts;
 * the same rules against a real token-bucket server, test/scheduler/rate-limits.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headersShowRoom, learnFrom429, learnFromAnswer, newLearnedRate, PROBE_RESULTS, type HeadersAt429, type LearnedRateState, type SentCall } from '../../../src/scheduler/limiter/learned-rate.js';

const NO_HEADERS: HeadersAt429 = { known: false, showSpent: false };
const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6 * Math.max(1, Math.abs(expected)), `${what}: ${actual}, expected ${expected}`);

/** One limiter's life: its state, a clock, the pace (per second) the limiter would measure, and the calls sent. */
class Life {
  readonly state: LearnedRateState;
  now = 1_000_000;
  /** Answers per second over the last second. */
  goodput = 50;
  /** Starts per second over the last second. */
  sending = 50;
  sent = 0;
  constructor(state?: Partial<LearnedRateState>) {
    this.state = { ...newLearnedRate(this.now), ...state };
  }
  pace() {
    return { now: this.now, goodput: this.goodput / 1000, sending: this.sending / 1000, sent: this.sent };
  }
  send(underMirror = false): SentCall {
    this.sent++;
    return { round: this.state.round, requestsSent: this.sent, underMirror };
  }
  answer(call: SentCall = this.send()): boolean {
    return learnFromAnswer(this.state, call, this.pace());
  }
  refuse(call: SentCall = this.send(), headers: HeadersAt429 = NO_HEADERS) {
    return learnFrom429(this.state, call, this.pace(), headers);
  }
  answers(n: number): void {
    for (let i = 0; i < n; i++) assert.equal(this.answer(), false);
  }
  /** The learned rate per second. */
  get rate(): number | undefined {
    return this.state.perMinute === undefined ? undefined : this.state.perMinute / 60;
  }
}

/** A first cut at 50 a second: 20 answers, then a 429 (1 in 21 refused). */
function cutOnce(life = new Life()): Life {
  life.answers(20);
  assert.deepEqual(life.refuse(), { pause: true, cut: true });
  return life;
}

/** After `cutOnce`, a probe round of `answered` answers and `refused` 429s, sent after the cut, interleaved 429s first. */
function probeRound(life: Life, answered: number, refused: number): { cut: boolean } {
  const calls = Array.from({ length: answered + refused }, () => life.send());
  let cut = false;
  calls.forEach((call, i) => {
    if (i < refused) cut = life.refuse(call).cut || cut;
    else cut = life.answer(call) || cut;
  });
  return { cut };
}

test('a first 429 (no rate learned yet) cuts the rate to 85% of what the server took, the lower of the pace times the share answered and the goodput, and makes that the ceiling', () => {
  // Pace decides: 40 sent a second, 80 answered (a burst's answers still in the goodput window).
  let life = new Life();
  life.sending = 40;
  life.goodput = 80;
  cutOnce(life);
  close(life.state.ceiling, 40 * (20 / 21) * 60, 'ceiling from the pace times the answered share');
  close(life.rate, 0.85 * 40 * (20 / 21), 'rate');
  // The goodput decides.
  life = new Life();
  life.goodput = 30;
  cutOnce(life);
  close(life.state.ceiling, 30 * 60, 'ceiling from the goodput');
  close(life.rate, 0.85 * 30, 'rate');
});

test('the round\'s answered share sets the ceiling when the goodput still holds the old pace', () => {
  const life = new Life();
  life.sending = 60;
  life.goodput = 60;
  // 10 calls out, then 20 answers: the 10 are refused after, in the same round, before any cut (a round under 20 results cannot cut).
  const early = Array.from({ length: 10 }, () => life.send());
  for (let i = 0; i < 9; i++) assert.deepEqual(life.refuse(early[i]), { pause: true, cut: false }, 'a round under 20 results: the pause alone');
  life.answers(20);
  assert.deepEqual(life.refuse(early[9]), { pause: true, cut: true }, 'the 20th result (and more) of the round: a cut');
  close(life.state.ceiling, 60 * (20 / 30) * 60, 'ceiling: 60 a second, a third refused');
  close(life.rate, 0.85 * 40, 'rate');
  assert.equal(life.state.underHeaders, false);
  assert.equal(life.state.slowdowns, 1);
});

test('with no goodput measured, the ceiling is the pace times the answered share', () => {
  const life = new Life();
  life.answers(20);
  life.goodput = 0;
  life.refuse();
  close(life.state.ceiling, 50 * (20 / 21) * 60, 'ceiling');
});

test('a round needs 20 results before a 429 cuts: 19 give the pause alone', () => {
  const life = new Life();
  life.answers(PROBE_RESULTS - 2);
  assert.deepEqual(life.refuse(), { pause: true, cut: false }, '19 results');
  assert.equal(life.state.perMinute, undefined);
  assert.deepEqual(life.refuse(), { pause: true, cut: true }, '20 results');
  assert.equal(PROBE_RESULTS, 20);
});

test('429s to calls sent before a cut, or while it is on trial, neither cut nor pause again', () => {
  const life = new Life();
  life.answers(5);
  const inFlight = life.send();
  life.answers(15);
  cutOnce(life);
  const rate = life.rate;
  assert.deepEqual(life.refuse(inFlight), { pause: false, cut: false }, 'sent before the cut');
  assert.deepEqual(life.refuse(), { pause: false, cut: false }, 'sent after it, while it is on trial');
  assert.equal(life.rate, rate);
  assert.equal(life.state.slowdowns, 1);
});

test('a cut on trial stands when the next round refuses half the share or less; then the rate grows again', () => {
  const life = cutOnce();
  const trial = life.state.trial!;
  assert.deepEqual(trial, { cause: 0, probe: 1 }, 'judged by the round sent after it');
  assert.equal(life.state.round, 1);
  // 19 results: no verdict yet.
  const probe = Array.from({ length: 20 }, () => life.send());
  for (const call of probe.slice(0, 19)) assert.equal(life.answer(call), false);
  assert.ok(life.state.trial, 'no verdict before 20 results');
  life.now += 400;
  assert.equal(life.answer(probe[19]), false);
  assert.equal(life.state.trial, undefined, 'the cut stands');
  assert.equal(life.state.round, 2, 'a verdict starts the next round');
  assert.equal(life.state.lastGrowthAt, life.now, 'growth counts from the verdict');
  assert.equal(life.state.cutAtSent, life.sent);
  assert.deepEqual(Object.keys(life.state.rounds), [], 'the judged rounds are dropped');
});

test('a share at exactly half the causing share stands', () => {
  // Cause: 2 of 20 (10%; the first 429 came at 19 results and could not cut), then 1 of 20 (5%).
  const life = new Life();
  life.answers(18);
  life.refuse();
  assert.equal(life.state.slowdowns, 0, '19 results');
  life.refuse();
  assert.equal(life.state.slowdowns, 1, 'the 20th result, a 429, cut');
  probeRound(life, 19, 1);
  assert.equal(life.state.trial, undefined, '5% after 10%: stands');
  assert.equal(life.state.slowdowns, 1);
});

test('a cut after which the share fell, but not to half, is cut again from the probe round (a lowered limit)', () => {
  const life = new Life();
  life.answers(14);
  for (let i = 0; i < 6; i++) life.refuse(); // 6 of 20 refused: 30%; the sixth made 20 results and cut
  assert.equal(life.state.slowdowns, 1);
  const first = life.rate!;
  life.goodput = 50; // still the old pace in the window
  // Probe round: 4 of 20 refused (20%: under 80% of 30%, over half of it): cut again, from the probe round's share.
  const { cut } = probeRound(life, 16, 4);
  assert.equal(cut, true);
  assert.equal(life.state.slowdowns, 2);
  close(life.state.ceiling, first * 0.8 * 60, 'ceiling: the learned pace times the share answered');
  close(life.rate, 0.85 * first * 0.8, 'rate');
  assert.deepEqual(life.state.trial, { cause: 1, probe: 2 }, 'the probe round is the new cause; no rate before (none was learned)');
});

test('a share that rose clearly (twice, and 10 points above) cuts again; 25% after 20% is neither a rise nor a fall: the "no fall" second cut', () => {
  let life = new Life();
  life.answers(16);
  for (let i = 0; i < 4; i++) life.refuse(); // 20%
  const { cut } = probeRound(life, 10, 10); // 50%: a lowered limit
  assert.equal(cut, true);
  assert.equal(life.state.slowdowns, 2);
  assert.equal(life.state.trial?.second, undefined, 'a clear rise is not the "no fall" second cut');
  // 20% then 25%: no fall and no clear rise (not twice): the "one more cut" of a share that did not fall.
  life = new Life();
  life.answers(16);
  for (let i = 0; i < 4; i++) life.refuse();
  probeRound(life, 15, 5);
  assert.equal(life.state.slowdowns, 2);
  assert.equal(life.state.trial?.second, true);
});

test('a rise to twice the share but less than 10 points above is no clear rise', () => {
  // 1 of 20 (5%) causes the cut, then 2 of 20 (10%): twice, 5 points above.
  const life = new Life();
  life.answers(19);
  life.refuse();
  const rate = life.rate!;
  probeRound(life, 18, 2);
  assert.equal(life.state.trial?.second, true, 'treated as no fall: one more cut, marked second');
  // The second cut on a share that did not fall; then no fall again: every unproven cut undone.
  assert.ok(life.rate! < rate);
  probeRound(life, 18, 2);
  assert.equal(life.state.perMinute, undefined, 'undone to no learned rate');
  close(life.state.paceIndependentShare, 4 / 40, 'the share that did not depend on the pace');
  assert.equal(life.state.trial, undefined);
});

test('a rise of exactly twice and exactly 10 points is clear', () => {
  const life = new Life();
  life.answers(18);
  life.refuse();
  life.refuse(); // 10%
  probeRound(life, 16, 4); // 20%: twice, 10 points above
  assert.equal(life.state.slowdowns, 2);
  assert.equal(life.state.trial?.second, undefined, 'a clear rise');
});

test('a share that fell to just under 80% of the causing one cuts again; to exactly 80%, it is "no fall"', () => {
  let life = new Life();
  life.answers(15);
  for (let i = 0; i < 5; i++) life.refuse(); // 25%
  probeRound(life, 16, 4); // 20% = 80% of 25%
  assert.equal(life.state.trial?.second, true, 'exactly 80%: no fall');
  life = new Life();
  life.answers(15);
  for (let i = 0; i < 5; i++) life.refuse(); // 25%
  probeRound(life, 17, 3); // 15%
  assert.equal(life.state.trial?.second, undefined, 'fell, but not to half: cut again, not as "second"');
  assert.equal(life.state.slowdowns, 2);
});

test('no fall after two cuts: both undone to the rate learned before them, and learning stops until the share rises clearly', () => {
  const life = cutOnce();
  probeRound(life, 20, 0); // the first cut stands
  const learned = life.state.perMinute!;
  // A pace-independent share appears: 4 of 20, at any pace.
  life.answers(16);
  for (let i = 0; i < 4; i++) life.refuse();
  assert.equal(life.state.slowdowns, 2);
  assert.equal(life.state.trial?.rateBefore, learned, 'the rate before the unproven cut');
  probeRound(life, 16, 4);
  assert.equal(life.state.trial?.second, true);
  assert.equal(life.state.trial?.rateBefore, learned, 'still the rate before the first unproven cut');
  probeRound(life, 16, 4);
  assert.equal(life.state.trial, undefined);
  assert.equal(life.state.perMinute, learned, 'back to the proven rate');
  close(life.state.paceIndependentShare, 8 / 40, 'baseline from the last two rounds');
  const round = life.state.round;
  // Learning is off: 429s at that share neither cut nor pause beyond their own.
  assert.deepEqual(life.refuse(), { pause: false, cut: false });
  life.answers(16);
  for (let i = 0; i < 3; i++) life.refuse(); // 4 of 20 = 20%: the baseline, no rise
  assert.equal(life.state.round, round + 1, 'a watch window of 20 results without a clear rise: the next');
  assert.equal(life.state.slowdowns, 3);
  assert.equal(life.state.perMinute, learned);
  // A clear rise: 9 of 20 (45% ≥ 40% and 25 points above): learning resumes with a cut.
  life.answers(11);
  for (let i = 0; i < 9; i++) life.refuse();
  const after = life.state as LearnedRateState;
  assert.equal(after.paceIndependentShare, undefined, 'learning resumed');
  assert.equal(after.slowdowns, 4);
  assert.equal(after.trial?.rateBefore, learned);
  assert.ok(after.perMinute! < learned);
});

test('a watch window with the share at exactly twice the baseline and 10 points above cuts; 19 results do not judge', () => {
  const life = new Life({ paceIndependentShare: 0.1 });
  life.answers(16);
  for (let i = 0; i < 3; i++) life.refuse();
  assert.equal(life.state.round, 0, '19 results: no verdict');
  assert.equal(life.state.slowdowns, 0);
  life.refuse(); // 4 of 20 = 20%
  assert.equal(life.state.paceIndependentShare, undefined);
  assert.equal(life.state.slowdowns, 1);
  assert.deepEqual(life.state.trial, { cause: 0, probe: 1 });
});

test('learning off with no learned rate: a watch window judged on an answer moves to the next round', () => {
  const life = new Life({ paceIndependentShare: 0.5 });
  life.answers(20);
  assert.equal(life.state.round, 1);
  assert.equal(life.state.perMinute, undefined);
});

test('after a cut stands the rate returns fast to 95% of the ceiling (63% of the gap a second), then probes above it by 2% a second', () => {
  const life = cutOnce();
  const ceiling = life.state.ceiling! / 60;
  close(life.rate, 0.85 * ceiling, 'the cut');
  probeRound(life, 20, 0);
  life.sending = 0.85 * ceiling; // the learned rate is what holds the calls back
  life.now += 1000;
  life.answer();
  close(life.rate, 0.95 * ceiling - 0.1 * ceiling * Math.exp(-1), 'one second after the verdict');
  // In 250 ms steps (the growth's step) for 1 s more: near 95% of the ceiling, not past the ceiling.
  for (let i = 0; i < 4; i++) {
    life.now += 250;
    life.sending = life.rate!;
    life.answer();
  }
  assert.ok(life.rate! > 0.935 * ceiling && life.rate! < 0.96 * ceiling, `${life.rate} against a ceiling of ${ceiling}`);
  // Past it: 2% a second, in steps proportional to the time since the last (10 s in one step: +20%).
  const above = life.rate!;
  life.now += 10_000;
  life.sending = above;
  life.answer();
  close(life.rate, above * 1.2, 'probing');
});

test('at 95% of the ceiling the fast return is done: the probe\'s 2% a second alone', () => {
  const life = new Life({ perMinute: 5700, ceiling: 6000 });
  life.sending = 95;
  life.now += 1000;
  life.answer();
  close(life.state.perMinute, 5700 * 1.02, 'a second of probing');
});

test('growth waits 250 ms between steps and counts the time since the last', () => {
  const life = cutOnce();
  probeRound(life, 20, 0);
  const rate = life.rate!;
  life.sending = 100;
  life.now += 249;
  life.answer();
  assert.equal(life.rate, rate, '249 ms: no step');
  life.now += 1;
  life.answer();
  const target = 0.95 * life.state.ceiling! / 60;
  close(life.rate, rate + (target - rate) * (1 - Math.exp(-0.25)), '250 ms: one step');
});

test('with a rate learned, the ceiling is the share of it answered, even where the goodput is lower (the client\'s own pauses); the cut still follows the goodput', () => {
  const life = new Life({ perMinute: 3000 });
  life.goodput = 30;
  life.sending = 20; // paused after earlier 429s
  life.answers(18);
  life.refuse();
  life.refuse(); // 2 of 20
  close(life.state.ceiling, 3000 * 0.9, 'ceiling: 50 a second, a tenth refused');
  close(life.rate, 0.85 * 30, 'cut: 85% of the goodput');
  assert.equal(life.state.trial?.rateBefore, 3000);
});

test('the rate grows only while calls start at 80% of it or more (it is what holds them back)', () => {
  // 37,500 a minute = 625 a second; 80% of it = 500 a second, exactly.
  const life = new Life({ perMinute: 37_500, ceiling: 37_500 });
  life.now += 1000;
  life.sending = 499.999;
  life.answer();
  assert.equal(life.state.perMinute, 37_500, 'below 80%: no growth');
  assert.equal(life.state.lastGrowthAt, life.now, 'but the step is taken (the next counts from here)');
  life.now += 1000;
  life.sending = 500;
  life.answer();
  close(life.state.perMinute, 37_500 * 1.02, 'at 80%: 2% in a second');
});

test('no growth without a learned rate, while a cut is on trial, or for answers to calls sent before the cut', () => {
  let life = new Life();
  life.now += 5000;
  life.answers(30);
  assert.equal(life.state.perMinute, undefined);
  life = new Life({ perMinute: 3000, ceiling: 6000, cutAtSent: 5 });
  life.sent = 4;
  const before = life.send(); // the 5th: sent before the cut (at or before `cutAtSent`)
  const after = life.send();
  life.now += 1000;
  life.answer(before);
  assert.equal(life.state.perMinute, 3000);
  assert.equal(life.state.lastGrowthAt, 1_000_000, 'an old call does not take the step');
  life.answer(after);
  assert.ok(life.state.perMinute > 3000, 'the 6th grows it');
  life = new Life({ perMinute: 3000, trial: { cause: 0, probe: 1 } });
  life.now += 1000;
  life.answer();
  assert.equal(life.state.perMinute, 3000, 'on trial');
});

test('with no ceiling known (a state from before it), the rate grows by the probe\'s 2% a second alone', () => {
  const life = new Life({ perMinute: 3000 });
  life.now += 1000;
  life.answer();
  close(life.state.perMinute, 3060, 'a second');
});

test('a chain of cuts never takes the rate below a tenth of the best goodput seen', () => {
  const life = new Life();
  life.goodput = 500;
  life.answer();
  life.goodput = 5;
  life.sending = 5;
  life.answers(19);
  life.refuse();
  close(life.rate, 50, 'a tenth of 500 a second');
  close(life.state.bestGoodput, 0.5, 'per ms');
});

test('the floor of a rate without any goodput is one call a minute', () => {
  const life = new Life();
  life.goodput = 0;
  life.sending = 0;
  life.answers(19);
  life.refuse();
  close(life.state.perMinute, 1, 'per minute');
});

test('under the server\'s headers: 429s to calls sent before they were known, or whose headers show the limit spent, teach nothing', () => {
  const life = new Life();
  life.answers(30);
  const known = { known: true, showSpent: false };
  assert.deepEqual(life.refuse(life.send(false), known), { pause: true, cut: false }, 'sent before the headers');
  assert.deepEqual(life.refuse(life.send(true), { known: true, showSpent: true }), { pause: true, cut: false }, 'spent');
  assert.deepEqual(life.state.rounds[0], { answers: 30, limited: 0 }, 'not counted');
  assert.deepEqual(life.state.recent429, []);
  assert.equal(life.state.slowdowns, 0);
});

test('under the server\'s headers: 429s that the headers do not explain slow down, and the third within 5 s cuts', () => {
  const life = new Life();
  life.answers(30);
  const stray = () => life.refuse(life.send(true), { known: true, showSpent: false });
  assert.deepEqual(stray(), { pause: true, cut: false });
  assert.equal(life.state.slowdowns, 1, 'a slowdown (the pause) without a learned rate');
  assert.equal(life.state.cutAtSent, life.sent);
  assert.equal(life.state.perMinute, undefined);
  life.now += 4999;
  assert.deepEqual(stray(), { pause: true, cut: false });
  life.now += 1; // the first is now 5 s old: out of the window
  assert.deepEqual(stray(), { pause: true, cut: false });
  assert.equal(life.state.recent429.length, 2);
  life.now += 100;
  assert.deepEqual(stray(), { pause: true, cut: true }, 'three within 5 s');
  assert.equal(life.state.underHeaders, true);
  assert.ok(life.state.perMinute !== undefined);
});

test('a learned rate gives way to headers that show room, unless it was learned under them, or the answer is old', () => {
  let life = cutOnce();
  const call = life.send();
  assert.equal(headersShowRoom(life.state, call, 1e9), true);
  assert.equal(life.state.perMinute, undefined);
  assert.equal(life.state.ceiling, undefined);
  assert.equal(life.state.trial, undefined);
  // An answer to a call sent at or before the cut says nothing.
  life = cutOnce();
  const old: SentCall = { round: 0, requestsSent: life.state.cutAtSent, underMirror: true };
  assert.equal(headersShowRoom(life.state, old, 1e9), false);
  assert.ok(life.state.perMinute !== undefined);
  // The server's limit at or below the learned rate: nothing to give way to.
  life = cutOnce();
  assert.equal(headersShowRoom(life.state, life.send(), life.state.perMinute!), false);
  assert.equal(headersShowRoom(life.state, life.send(), life.state.perMinute! + 1), true);
  // Learned under the headers.
  life = new Life({ perMinute: 100, underHeaders: true });
  assert.equal(headersShowRoom(life.state, life.send(), 1e9), false);
  // Learning off is forgotten too.
  life = new Life({ perMinute: 100, paceIndependentShare: 0.3 });
  assert.equal(headersShowRoom(life.state, life.send(), 1e9), true);
  assert.equal(life.state.paceIndependentShare, undefined);
  // No learned rate: nothing to do.
  assert.equal(headersShowRoom(new Life().state, new Life().send(), 1e9), false);
});

test('a new state: no rate, round 0, nothing counted', () => {
  assert.deepEqual(newLearnedRate(7), { round: 0, rounds: {}, cutAtSent: -1, lastGrowthAt: 7, bestGoodput: 0, recent429: [], slowdowns: 0 });
  // cutAtSent -1: the very first call (requestsSent 1... or 0) is after any cut.
  const life = new Life({ perMinute: 3000, ceiling: 3000 });
  life.sent = -1;
  life.now += 1000;
  life.answer(); // requestsSent 0 > -1: grows
  close(life.state.perMinute, 3060, 'grows');
});

test('what the calls return: a verdict that cuts on a 429 reports the cut and the pause; one that cuts on an answer reports the cut', () => {
  // A 429 is the 20th result of the probe round, and the share rose: the verdict cuts.
  let life = new Life();
  life.answers(19);
  life.refuse(); // 1 of 20
  const probe = Array.from({ length: 20 }, () => life.send());
  for (const call of probe.slice(0, 10)) assert.equal(life.answer(call), false);
  for (const call of probe.slice(10, 19)) assert.deepEqual(life.refuse(call), { pause: false, cut: false }, 'on trial: no cut of its own');
  assert.deepEqual(life.refuse(probe[19]), { pause: true, cut: true }, 'the verdict cut');
  assert.equal(life.state.slowdowns, 2);
  // The same with an answer as the 20th result: learnFromAnswer says it cut.
  life = new Life();
  life.answers(19);
  life.refuse();
  const again = Array.from({ length: 20 }, () => life.send());
  for (const call of again.slice(0, 10)) life.refuse(call);
  for (const call of again.slice(10, 19)) life.answer(call);
  assert.equal(life.answer(again[19]), true, 'a clear rise: cut');
  // The "no fall" second cut reports its cut too, and the undo after it does not.
  life = new Life();
  life.answers(16);
  for (let i = 0; i < 4; i++) life.refuse(); // 20%
  const noFall = Array.from({ length: 20 }, () => life.send());
  for (const call of noFall.slice(0, 4)) life.refuse(call);
  for (const call of noFall.slice(4, 19)) life.answer(call);
  assert.equal(life.answer(noFall[19]), true, 'the second cut');
  assert.equal(life.state.trial?.second, true);
  const last = Array.from({ length: 20 }, () => life.send());
  for (const call of last.slice(0, 4)) life.refuse(call);
  for (const call of last.slice(4, 19)) life.answer(call);
  assert.equal(life.answer(last[19]), false, 'undone: no cut');
  assert.ok(!('perMinute' in life.state), 'no learned rate left (not even an undefined one)');
  assert.deepEqual(Object.keys(life.state.rounds), [], 'the judged rounds are dropped');
});

test('growth and no growth both report no cut', () => {
  const life = new Life({ perMinute: 3000, ceiling: 3000 });
  life.now += 1000;
  life.sending = 10;
  assert.equal(life.answer(), false, 'not limiting');
  life.now += 1000;
  life.sending = 50;
  assert.equal(life.answer(), false, 'grown');
  assert.ok(life.state.perMinute! > 3000);
});

test('a 429 without the server\'s headers is not kept as a stray one (that count is for 429s under headers)', () => {
  const life = new Life();
  life.answers(5);
  life.refuse();
  assert.deepEqual(life.state.recent429, []);
});

test('a 429 to a call sent before the last verdict is news of the past: neither cut nor pause', () => {
  const life = cutOnce();
  const probe = Array.from({ length: 20 }, () => life.send());
  for (const call of probe.slice(0, 19)) life.answer(call);
  const late = life.send(); // sent last before the verdict: at cutAtSent exactly
  life.answer(probe[19]);
  assert.equal(life.state.trial, undefined, 'the cut stands');
  assert.equal(late.requestsSent, life.state.cutAtSent);
  assert.deepEqual(life.refuse(late), { pause: false, cut: false });
  assert.deepEqual(life.refuse(), { pause: true, cut: false }, 'a call sent after it: the pause (its round is too young to cut)');
});

test('a rise of over 10 points that is not twice the share is no clear rise', () => {
  const life = new Life();
  life.answers(14);
  for (let i = 0; i < 6; i++) life.refuse(); // 30%
  probeRound(life, 11, 9); // 45%: 1.5 times, 15 points above
  assert.equal(life.state.trial?.second, true, 'no fall: one more cut, marked second');
});

test('cuts made by a verdict keep whether the rate was learned under the server\'s headers', () => {
  // Learned under the headers: three stray 429s within 5 s.
  const stray = (life: Life) => life.refuse(life.send(true), { known: true, showSpent: false });
  const life = new Life();
  life.answers(30);
  stray(life);
  stray(life);
  assert.deepEqual(stray(life), { pause: true, cut: true });
  assert.equal(life.state.underHeaders, true);
  // The probe round (under the headers too) refuses more: a clear rise, cut again, still under the headers.
  const probe = Array.from({ length: 20 }, () => life.send(true));
  for (const call of probe.slice(0, 10)) life.refuse(call, { known: true, showSpent: false });
  for (const call of probe.slice(10)) life.answer(call);
  assert.equal(life.state.slowdowns, 4, 'two slowdowns without a rate, the cut, and this one');
  assert.equal(life.state.underHeaders, true, 'rose: cut again');
  // The same share again: no fall, the second cut.
  const next = Array.from({ length: 20 }, () => life.send(true));
  for (const call of next.slice(0, 10)) life.refuse(call, { known: true, showSpent: false });
  for (const call of next.slice(10)) life.answer(call);
  assert.equal(life.state.trial?.second, true);
  assert.equal(life.state.underHeaders, true, 'the second cut');
  // Without headers the verdict's cuts are not under headers.
  const plain = new Life();
  plain.answers(16);
  for (let i = 0; i < 4; i++) plain.refuse();
  plain.state.underHeaders = true; // a stale flag the next cuts must overwrite from the state's own
  probeRound(plain, 10, 10);
  assert.equal(plain.state.underHeaders, true, 'the verdict passes the state\'s flag on');
  const fresh = new Life();
  fresh.answers(16);
  for (let i = 0; i < 4; i++) fresh.refuse();
  probeRound(fresh, 16, 4);
  assert.equal(fresh.state.underHeaders, false, 'no headers: false after the second cut');
  probeRound(fresh, 10, 10);
  assert.equal(fresh.state.underHeaders, false);
});

test('while learning is off, a watch window cuts only on a share both twice the baseline and 10 points above it', () => {
  // Twice, but 5 points above: no cut.
  let life = new Life({ perMinute: 3000, paceIndependentShare: 0.05 });
  life.answers(18);
  life.refuse();
  life.refuse(); // 10%
  assert.equal(life.state.paceIndependentShare, 0.05);
  assert.equal(life.state.slowdowns, 0);
  assert.equal(life.state.round, 1);
  assert.deepEqual(Object.keys(life.state.rounds), [], 'the watched round is dropped');
  // 15 points above, but 1.5 times: no cut.
  life = new Life({ perMinute: 3000, paceIndependentShare: 0.3 });
  life.answers(11);
  for (let i = 0; i < 9; i++) life.refuse(); // 45%
  assert.equal(life.state.slowdowns, 0);
  assert.equal(life.state.paceIndependentShare, 0.3);
  // Both, with an answer as the 20th result: learnFromAnswer reports the cut; the flag is the state's.
  life = new Life({ perMinute: 3000, paceIndependentShare: 0.1, underHeaders: true });
  for (let i = 0; i < 4; i++) life.refuse();
  for (let i = 0; i < 15; i++) life.answer();
  assert.equal(life.answer(), true);
  assert.equal(life.state.underHeaders, true);
  assert.equal(life.state.trial?.rateBefore, 3000);
  life = new Life({ perMinute: 3000, paceIndependentShare: 0.1 });
  for (let i = 0; i < 4; i++) life.refuse();
  life.answers(15);
  life.answer();
  assert.equal(life.state.underHeaders, false);
});
