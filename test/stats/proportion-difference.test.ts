import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalQuantile } from '../../src/stats/normal.js';
import { clopperPearson } from '../../src/stats/proportion.js';
import { independentDifferenceInterval, pairedDifferenceInterval, tangoInterval } from '../../src/stats/proportion-difference.js';

const near = (actual: number, expected: number, eps = 1e-6) => assert.ok(Math.abs(actual - expected) < eps, `expected ${expected}, got ${actual}`);

test('normal quantile', () => {
  near(normalQuantile(0.975), 1.959963984540054);
  near(normalQuantile(0.5), 0, 1e-6);
  assert.throws(() => normalQuantile(1), RangeError);
});

test('Tango score interval against an independent reference (numeric MLE, scipy brentq)', () => {
  // Reference: the constrained MLE of the b-cell maximised numerically (scipy minimize_scalar),
  // the limits by brentq on T(Δ) = ±z; not the closed form the code uses.
  const cases: [number, number, number, number, number][] = [
    [20, 40, 160, 0.0308645324875754, 0.21806424377602215], // PropCIs' example scoreci.mp(b = 40, c = 20, n = 160), B − A orientation
    [7, 1, 21, -0.5172322772712026, -0.026003031913406107],
    [0, 3, 20, -0.0352939305420329, 0.36041886474075696],
    [2, 5, 12, -0.1876774281831901, 0.596646041295223],
  ];
  for (const [b, c, n, lo, hi] of cases) {
    const [l, u] = tangoInterval(b, c, n, 0.95);
    near(l, lo);
    near(u, hi);
  }
});

test('Tango with no discordant pair is not [0, 0]: ±z²/(n + z²), by hand', () => {
  // b = c = 0: the constrained MLE of the b-cell is 0 and T(Δ) = −√(nΔ/(1 − Δ)); T = −z at Δ = z²/(n + z²).
  const [l, u] = tangoInterval(0, 0, 12, 0.95);
  near(u, 0.24249400665524082);
  near(l, -0.24249400665524082);
  assert.deepEqual(tangoInterval(0, 10, 10, 0.95)[1], 1);
});

test('paired difference with clusters: rows of an id that agree count once', () => {
  // 6 ids × 2 identical rows: B right where A is wrong on ids 0, 1 (4 rows), the reverse on none.
  const a = [false, false, false, false, true, true, true, true, true, true, false, false];
  const b = [true, true, true, true, true, true, true, true, true, true, false, false];
  const clusters = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
  const clustered = pairedDifferenceInterval({ a, b, clusters }, 0.95);
  // Design effect 2 (rows of an id are copies): the interval of 2 discordant ids out of 6.
  near(clustered.effectiveN, 6, 1e-9);
  const once = tangoInterval(0, 2, 6, 0.95);
  near(clustered.ci[0], once[0], 1e-9);
  near(clustered.ci[1], once[1], 1e-9);
  const rows = pairedDifferenceInterval({ a, b, clusters: null }, 0.95);
  assert.ok(rows.ci[1] - rows.ci[0] < clustered.ci[1] - clustered.ci[0]);
});

test('independent proportions: square-and-add on Clopper–Pearson limits, honest at 0 and 1', () => {
  // A: 5/5 right, B: 5/5 right → Δ = 0; each side [0.478, 1]: Δ ∈ [−(1 − 0.478), +(1 − 0.478)].
  const all = { outcomes: [true, true, true, true, true], clusters: null };
  const ci = independentDifferenceInterval(all, all, 0.95)!;
  const [lo5] = clopperPearson(5, 5, 0.95);
  near(ci[0], -(1 - lo5), 1e-12);
  near(ci[1], 1 - lo5, 1e-12);
  assert.equal(independentDifferenceInterval({ outcomes: [], clusters: null }, all, 0.95), null);
});

test('Tango at the edges: all pairs B-only gives an upper limit of 1, all A-only a lower limit of −1', () => {
  assert.deepEqual(tangoInterval(10, 0, 10, 0.95)[0], -1);
  assert.deepEqual(tangoInterval(0, 10, 10, 0.95)[1], 1);
});

test('paired difference without clusters counts both kinds of discordant pair', () => {
  // A-only right on 2 pairs, B-only on 5, both right on 3, both wrong on 2.
  const a = [true, true, false, false, false, false, false, true, true, true, false, false];
  const b = [false, false, true, true, true, true, true, true, true, true, false, false];
  const r = pairedDifferenceInterval({ a, b, clusters: null }, 0.95);
  assert.equal(r.effectiveN, 12);
  assert.deepEqual(r.ci, tangoInterval(2, 5, 12, 0.95));
  // Clusters that are all distinct change nothing.
  assert.deepEqual(pairedDifferenceInterval({ a, b, clusters: a.map((_, i) => i) }, 0.95), r);
});

test('paired difference with unequal clusters: the effective number of pairs, by hand', () => {
  // Ids of 3, 3 and 2 pairs; B − A per pair: id 0: +1 +1 0, id 1: 0 −1 0, id 2: +1 0. b = 1, c = 3, n = 8.
  // mean 1/4, row variance (4/8 − 1/16)/8; per-id sums 2, −1, 1 over sizes 3, 3, 2:
  // cluster variance (3/2)·((2 − 3/4)² + (−1 − 3/4)² + (1 − 2/4)²)/64; n* = 8 · row / cluster = 448/117.
  const a = [false, false, true, true, true, false, false, true];
  const b = [true, true, true, true, false, false, true, true];
  const clusters = [0, 0, 0, 1, 1, 1, 2, 2];
  const r = pairedDifferenceInterval({ a, b, clusters }, 0.95);
  near(r.effectiveN, 448 / 117, 1e-12);
  const scale = r.effectiveN / 8;
  const expected = tangoInterval(1 * scale, 3 * scale, r.effectiveN, 0.95);
  near(r.ci[0], expected[0], 1e-12);
  near(r.ci[1], expected[1], 1e-12);
});

test('paired difference with clusters and nothing to estimate the design effect from: n* is the number of ids', () => {
  // No discordant pair (3 ids × 2 pairs): no variance, so as if each id's pairs always agreed.
  const same = [true, true, false, false, true, true];
  assert.equal(pairedDifferenceInterval({ a: same, b: same, clusters: [0, 0, 1, 1, 2, 2] }, 0.95).effectiveN, 3);
  // Two ids with the same share of discordant pairs: between-id variance 0, no design effect (n* = pairs).
  assert.equal(pairedDifferenceInterval({ a: [false, true, false, true], b: [true, true, true, true], clusters: [0, 0, 1, 1] }, 0.95).effectiveN, 4);
  // One id holding every pair: one unit.
  const one = pairedDifferenceInterval({ a: [false, true, false, false], b: [true, true, true, false], clusters: [7, 7, 7, 7] }, 0.95);
  assert.equal(one.effectiveN, 1);
});

test('independent proportions, asymmetric: square-and-add against a reference (scipy beta.ppf limits)', () => {
  const side = (x: number, n: number) => ({ outcomes: Array.from({ length: n }, (_, i) => i < x), clusters: null });
  const [lo, hi] = independentDifferenceInterval(side(2, 5), side(4, 5), 0.95)!;
  near(lo, -0.28718942302072836, 1e-9);
  near(hi, 0.7982351996545487, 1e-9);
  const [lo2, hi2] = independentDifferenceInterval(side(7, 9), side(3, 8), 0.95)!;
  near(lo2, -0.7515336419044167, 1e-9);
  near(hi2, 0.13321730853473046, 1e-9);
});
