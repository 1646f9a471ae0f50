/**
 * The discordance floor under the paired bootstrap interval of Δ macro-F1 / weighted-F1 / κ
 * (src/stats/discordance-floor.ts, docs/statistics.md "Paired comparisons"): the interval reported
 * is the hull of the paired bootstrap interval and Tango's interval of Δ accuracy, its half-widths
 * scaled by s = n · RMS of one pair's influence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discordanceFloor, hull, switchScale } from '../../src/stats/discordance-floor.js';
import { pairedDifferenceInterval } from '../../src/stats/proportion-difference.js';
import type { SingleLabelItems } from '../../src/stats/group-data.js';
import { classificationResampled } from '../../src/stats/group-metrics.js';
import { compareItems } from '../../src/stats/paired.js';

const settings = { resamples: 1000, confidence: 0.95, seed: 3 };
const Z = 1.959963984540054;
const FLOORED = ['macro_f1', 'weighted_f1', 'kappa'] as const;

function group(keys: string[], labels: string[], truth: number[], pred: number[], ids?: string[]): SingleLabelItems {
  return { kind: 'classification', keys, ...(ids ? { ids } : {}), labels, truth, pred, valence: keys.map(() => null), arousal: keys.map(() => null) };
}

/** n items over 4 classes in turn; the answer is right on 3 items of 5, else the next class (every 10th invalid). */
function fourClasses(n: number, prefix = 'k'): { keys: string[]; truth: number[]; pred: number[] } {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  const truth = keys.map((_, i) => i % 4);
  const pred = truth.map((t, i) => (i % 10 === 9 ? -1 : i % 5 < 3 ? t : (t + 1) % 4));
  return { keys, truth, pred };
}

const width = (ci: readonly [number, number] | null) => ci![1] - ci![0];

test('no discordant pair: the interval is not [0, 0] but Tango\'s ±z²/(n + z²) times s (hand-computed for weighted-F1)', () => {
  // 20 pairs, one true class of two labels, both sides always right. Switching one answer to the
  // other label leaves class 0 with TP = 19, FN = 1: F1 = 38/39, so weighted-F1 drops by 1/39 on
  // every pair and either side: s = 20 · 1/39. Tango with b = c = 0: ±z²/(20 + z²).
  const n = 20;
  const keys = Array.from({ length: n }, (_, i) => `i${i}`);
  const zeros = keys.map(() => 0);
  const r = compareItems(group(keys, ['a', 'b'], zeros, zeros), group(keys, ['a', 'b'], zeros, zeros), settings);
  const e = r.deltas.weighted_f1;
  assert.equal(e.value, 0);
  assert.equal(e.method, 'percentile-bootstrap-tango');
  const half = (n / 39) * (Z * Z) / (n + Z * Z);
  // (normalQuantile is good to about 1e-9 relative.)
  assert.ok(Math.abs(e.ci![0] + half) < 1e-7 && Math.abs(e.ci![1] - half) < 1e-7, `[${e.ci}] vs ±${half}`);
  // Macro-F1 halves when a second class appears (s = 20 · 20/39 ≈ 10): the floor is cut at ±1.
  assert.deepEqual(r.deltas.macro_f1.ci, [-1, 1]);
});

test('no discordant pair on four classes: every floored delta is 0 with an interval around it, of the method that says so', () => {
  const { keys, truth, pred } = fourClasses(40);
  const labels = ['a', 'b', 'c', 'd'];
  const r = compareItems(group(keys, labels, truth, pred), group(keys, labels, truth, pred), settings);
  assert.equal(r.test?.degenerate !== undefined, true, 'McNemar sees no discordant pair');
  for (const m of FLOORED) {
    const e = r.deltas[m];
    assert.equal(e.value, 0, m);
    assert.equal(e.method, 'percentile-bootstrap-tango', m);
    assert.ok(e.ci![0] < 0 && e.ci![1] > 0, `${m}: [${e.ci}] contains 0 strictly inside`);
    assert.ok(Math.abs(e.ci![0] + e.ci![1]) < 1e-12, `${m}: symmetric with b = c = 0, [${e.ci}]`);
    // Each switch moves these metrics by about one item's share, so the floor is of the order of
    // Tango's ±z²/(n + z²) = ±0.088 (s near 1), neither vanishing nor ten times that.
    assert.ok(e.ci![1] > 0.03 && e.ci![1] < 0.5, `${m}: half-width ${e.ci![1]}`);
  }
  // Δ accuracy itself is Tango's interval: the floor of Δ κ (which moves more per pair) is wider than it, of F1 comparable.
  assert.ok(width(r.deltas.kappa.ci) > width(r.deltas.accuracy.ci));
});

test('the floor shrinks as pairs are added (about as 1/n with no discordance)', () => {
  const labels = ['a', 'b', 'c', 'd'];
  const widths = [20, 80, 320].map((n) => {
    const { keys, truth, pred } = fourClasses(n);
    const r = compareItems(group(keys, labels, truth, pred), group(keys, labels, truth, pred), settings);
    return r.deltas.macro_f1.ci![1] - r.deltas.macro_f1.ci![0];
  });
  assert.ok(widths[1] < widths[0] / 2.5 && widths[2] < widths[1] / 2.5, `widths ${widths}`);
  assert.ok(widths[2] > 0);
});

test('one discordant pair: the floor takes the skew of Tango\'s Δ accuracy interval, on the side B is better', () => {
  // 30 pairs; B is right where A is wrong on one pair, identical elsewhere.
  const { keys, truth, pred } = fourClasses(30);
  const labels = ['a', 'b', 'c', 'd'];
  const better = pred.map((p, i) => (i === 3 ? truth[i] : p));
  const r = compareItems(group(keys, labels, truth, pred), group(keys, labels, truth, better), settings);
  const acc = r.deltas.accuracy;
  assert.equal(acc.method, 'tango-score');
  const accBelow = acc.value! - acc.ci![0];
  const accAbove = acc.ci![1] - acc.value!;
  assert.ok(accAbove > accBelow, 'Tango: more room above a positive difference');
  for (const m of FLOORED) {
    const e = r.deltas[m];
    assert.ok(e.value! > 0, `${m}: B better`);
    const below = e.value! - e.ci![0];
    const above = e.ci![1] - e.value!;
    // With a single discordant pair the bootstrap interval is [0, something], well inside the floor,
    // so both ends are the floor's: its half-widths are Tango's times one scale.
    assert.ok(Math.abs(above / below - accAbove / accBelow) < 1e-9, `${m}: ${above / below} vs ${accAbove / accBelow}`);
    assert.ok(e.ci![0] < 0, `${m}: one pair does not exclude 0, [${e.ci}]`);
  }
});

test('the interval of A − B mirrors that of B − A (both sides\' influences count alike)', () => {
  const { keys, truth, pred } = fourClasses(60);
  const labels = ['a', 'b', 'c', 'd'];
  // B differs on 4 pairs: two it gets right, one it gets wrong, one another wrong class.
  const other = pred.map((p, i) => (i === 3 || i === 8 ? truth[i] : i === 10 ? (truth[i] + 2) % 4 : i === 13 ? (truth[i] + 3) % 4 : p));
  const ab = compareItems(group(keys, labels, truth, pred), group(keys, labels, truth, other), settings);
  const ba = compareItems(group(keys, labels, truth, other), group(keys, labels, truth, pred), settings);
  for (const m of FLOORED) {
    assert.ok(Math.abs(ab.deltas[m].value! + ba.deltas[m].value!) < 1e-12, m);
    assert.ok(Math.abs(ab.deltas[m].ci![0] + ba.deltas[m].ci![1]) < 1e-9 && Math.abs(ab.deltas[m].ci![1] + ba.deltas[m].ci![0]) < 1e-9, `${m}: [${ab.deltas[m].ci}] vs [${ba.deltas[m].ci}]`);
  }
});

test('the scale counts both sides: a side with a rare class moves its metric more per pair', () => {
  // s is n · RMS over both sides; swapping A and B leaves it unchanged, and it is larger when one
  // side's answers make a class rare (its F1 then moves by a large share per item).
  const { truth, pred } = fourClasses(40);
  const cells = (p: number[]) => Int32Array.from(truth, (t, i) => t * 5 + (p[i] === -1 ? 4 : p[i]));
  const even = cells(pred);
  const rare = cells(pred.map((p, i) => (p === 3 && i > 8 ? 0 : p)));
  const s = switchScale({ cells: even, k: 4 }, { cells: even, k: 4 }, FLOORED, classificationResampled);
  const mixed = switchScale({ cells: even, k: 4 }, { cells: rare, k: 4 }, FLOORED, classificationResampled);
  const swapped = switchScale({ cells: rare, k: 4 }, { cells: even, k: 4 }, FLOORED, classificationResampled);
  for (const m of FLOORED) {
    assert.ok(s[m] > 0.3 && s[m] < 3, `${m}: s = ${s[m]}`);
    assert.equal(mixed[m], swapped[m], m);
  }
  assert.ok(mixed.macro_f1 > s.macro_f1, `rare class: ${mixed.macro_f1} > ${s.macro_f1}`);
  assert.throws(() => switchScale({ cells: even, k: 4 }, { cells: even.subarray(1), k: 4 }, FLOORED, classificationResampled), RangeError);
});

test('disagreements confined to a rare class: the bootstrap sets both ends of Δ macro-F1, wider than the floor', () => {
  // 200 pairs: 189 of three common classes, alike on both sides; 11 of a rare class d, on which A
  // and B disagree (A alone right on 5, B alone on 6). Each of those moves macro-F1 by far more than
  // the RMS switch of a pair (dominated by common-class pairs), so the bootstrap of the 11 is wider
  // than the floor.
  const labels = ['a', 'b', 'c', 'd'];
  const n = 200;
  const keys = Array.from({ length: n }, (_, i) => `k${String(i).padStart(3, '0')}`);
  const truth = keys.map((_, i) => (i < 11 ? 3 : i % 3));
  const common = truth.map((t, i) => (i % 5 === 0 ? (t + 1) % 3 : t));
  const predA = common.map((p, i) => (i < 5 ? 3 : i < 11 ? 0 : p));
  const predB = common.map((p, i) => (i < 5 ? 0 : i < 11 ? 3 : p));
  const r = compareItems(group(keys, labels, truth, predA), group(keys, labels, truth, predB), settings);
  const cells = (pred: number[]) => Int32Array.from(truth, (t, i) => t * 5 + pred[i]);
  const scale = switchScale({ cells: cells(predA), k: 4 }, { cells: cells(predB), k: 4 }, FLOORED, classificationResampled);
  const outcomes = { a: predA.map((p, i) => p === truth[i]), b: predB.map((p, i) => p === truth[i]), clusters: null };
  const e = r.deltas.macro_f1;
  const floor = discordanceFloor(e.value!, scale.macro_f1, pairedDifferenceInterval(outcomes, settings.confidence));
  assert.equal(e.method, 'percentile-bootstrap-tango');
  assert.ok(e.ci![0] < floor[0] - 0.01 && e.ci![1] > floor[1] + 0.01, `[${e.ci}] strictly contains the floor [${floor}]`);
});

test('the floor never narrows the interval: it contains the floor and the bootstrap, whichever is wider', () => {
  const labels = ['a', 'b', 'c', 'd'];
  const { keys, truth, pred } = fourClasses(100);
  const other = pred.map((p, i) => (i % 7 === 1 ? (truth[i] + 1) % 4 : i % 7 === 3 ? truth[i] : i % 11 === 2 ? -1 : p));
  const r = compareItems(group(keys, labels, truth, pred), group(keys, labels, truth, other), settings);
  const cells = (p: number[]) => Int32Array.from(truth, (t, i) => t * 5 + (p[i] === -1 ? 4 : p[i]));
  const scale = switchScale({ cells: cells(pred), k: 4 }, { cells: cells(other), k: 4 }, FLOORED, classificationResampled);
  const outcomes = { a: pred.map((p, i) => p === truth[i]), b: other.map((p, i) => p === truth[i]), clusters: null };
  for (const m of FLOORED) {
    const e = r.deltas[m];
    const floor = discordanceFloor(e.value!, scale[m], pairedDifferenceInterval(outcomes, settings.confidence));
    assert.ok(e.ci![0] <= floor[0] && e.ci![1] >= floor[1], `${m}: [${e.ci}] contains [${floor}]`);
  }
});

test('hull: the smallest interval containing both', () => {
  assert.deepEqual(hull([-0.1, 0.2], [-0.3, 0.1]), [-0.3, 0.2]);
  assert.deepEqual(hull([-0.3, 0.1], [-0.1, 0.2]), [-0.3, 0.2]);
  assert.deepEqual(hull([0, 0], [-0.05, 0.05]), [-0.05, 0.05]);
});

test('pooled rows: the floor uses the effective number of pairs, so repeating every pair k times does not narrow it', () => {
  // 30 ids, each repeated 4 times identically (every row of an id alike); no discordant pair. Tango
  // at the effective number of pairs (30 ids: no discordance to estimate the design effect from)
  // gives ±z²/(30 + z²), as for the 30 ids once; a floor over 120 independent rows would be 4× narrower.
  const labels = ['a', 'b', 'c', 'd'];
  const once = fourClasses(30, 'u');
  const ids = once.keys.flatMap((k) => [k, k, k, k]);
  const keys = ids.map((id, j) => `${id}|v=${j % 4}`);
  const truth = once.truth.flatMap((t) => [t, t, t, t]);
  const pred = once.pred.flatMap((p) => [p, p, p, p]);
  const pooled = compareItems(group(keys, labels, truth, pred, ids), group(keys, labels, truth, pred, ids), settings);
  const single = compareItems(group(once.keys, labels, once.truth, once.pred), group(once.keys, labels, once.truth, once.pred), settings);
  assert.equal(pooled.pairedClusters, 30);
  assert.equal(pooled.deltas.accuracy.effectiveN, 30);
  for (const m of FLOORED) {
    assert.equal(pooled.deltas[m].method, 'cluster-bootstrap-tango', m);
    const ratio = width(pooled.deltas[m].ci) / width(single.deltas[m].ci);
    assert.ok(ratio > 0.8 && ratio < 1.25, `${m}: pooled / once = ${ratio}`);
  }
});

test('groups without items in common keep the plain bootstrap (no pairs, no discordance)', () => {
  const labels = ['a', 'b', 'c', 'd'];
  const a = fourClasses(40, 'a');
  const b = fourClasses(40, 'b');
  const r = compareItems(group(a.keys, labels, a.truth, a.pred), group(b.keys, labels, b.truth, b.pred), settings);
  for (const m of FLOORED) assert.equal(r.deltas[m].method, 'percentile-bootstrap', m);
});
