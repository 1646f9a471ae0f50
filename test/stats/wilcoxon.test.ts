import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wilcoxonSignedRank } from '../../src/stats/wilcoxon.js';
import { normalCdf } from '../../src/stats/normal.js';

test('exact signed-rank test, hand-worked (n = 6, no ties)', () => {
  // d = a − b = [0.3, −0.1, 0.5, 0.7, −0.2, 0.9]; |d| ranks: 0.1→1, 0.2→2, 0.3→3, 0.5→4, 0.7→5, 0.9→6
  // W− = 1 + 2 = 3, W+ = 3+4+5+6 = 18
  // subsets of {1..6} with rank sum ≤ 3: {}, {1}, {2}, {3}, {1,2} → 5 of 2^6 = 64
  // p = 2 · 5/64 = 0.15625; rank-biserial = (18 − 3)/21 = 5/7
  const b = [0, 0, 0, 0, 0, 0];
  const a = [0.3, -0.1, 0.5, 0.7, -0.2, 0.9];
  const r = wilcoxonSignedRank(a, b);
  assert.equal(r.method, 'exact');
  assert.equal(r.wPlus, 18);
  assert.equal(r.wMinus, 3);
  assert.equal(r.p, 0.15625);
  assert.ok(Math.abs(r.rankBiserial.value! - 5 / 7) < 1e-12);
});

test('ties: normal approximation with tie and continuity correction, hand-worked', () => {
  // d = [1, −1, 2, 2, 0]: the zero is dropped (n = 4); |d| = 1,1,2,2 → ranks 1.5, 1.5, 3.5, 3.5
  // W+ = 1.5 + 3.5 + 3.5 = 8.5, W− = 1.5; mean = 4·5/4 = 5
  // var = 4·5·9/24 − Σ(t³−t)/48 = 7.5 − (6+6)/48 = 7.25
  // z = (|8.5 − 5| − 0.5)/√7.25 = 3/2.692582 = 1.114172; p = 2(1 − Φ(z)) ≈ 0.26520
  const r = wilcoxonSignedRank([1, -1, 2, 2, 5], [0, 0, 0, 0, 5]);
  assert.equal(r.method, 'normal');
  assert.equal(r.n, 4);
  assert.equal(r.wPlus, 8.5);
  assert.equal(r.wMinus, 1.5);
  const z = 3 / Math.sqrt(7.25);
  assert.ok(Math.abs(r.p - 2 * (1 - normalCdf(z))) < 1e-9);
  assert.ok(Math.abs(r.p - 0.2652) < 1e-3, `p = ${r.p}`);
});

test('all differences zero: p = 1 and the effect size is undefined with a reason', () => {
  const r = wilcoxonSignedRank([1, 2], [1, 2]);
  assert.equal(r.p, 1);
  assert.equal(r.rankBiserial.value, null);
  assert.match(r.rankBiserial.reason!, /zero/);
});

test('standard normal CDF matches known values', () => {
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(-1) - 0.158655) < 1e-6);
});

test('a tie of odd size shares an integer rank and is still a tie: normal approximation, as scipy', () => {
  // Issue 12's case: |d| = 1, 1, 1 share rank 2 (an integer). W− = 2 + 9 = 11, W+ = 44; n = 10.
  // var = 10·11·21/24 − (3³ − 3)/48 = 96.25 − 0.5 = 95.75; z = (16.5 − 0.5)/√95.75 = 1.63514
  // scipy.stats.wilcoxon(d, method='approx', correction=True).pvalue = 0.10202313622215517
  // (the exact no-ties distribution would give 0.10546875: the bug this guards against).
  const d = [1, -1, 1, 2.5, 3.5, 4.5, 5.5, 6.5, -7.5, 8.5];
  const r = wilcoxonSignedRank(d, d.map(() => 0));
  assert.equal(r.method, 'normal');
  assert.equal(r.wMinus, 11);
  assert.equal(r.wPlus, 44);
  assert.ok(Math.abs(r.p - 0.10202313622215517) < 1e-6, `p = ${r.p}`);
});

test('several tie groups, one of even size and one of odd size', () => {
  // |d| = 1, 1 (ranks 1.5), 2, 2 (3.5), 3 … 8 (5 … 10): the 3 is negative (rank 5), one 1 negative.
  // scipy.stats.wilcoxon([1, -1, 2, 2, -3, 4, 5, 6, 7, 8], method='approx').pvalue = 0.03641414726674857
  const d = [1, -1, 2, 2, -3, 4, 5, 6, 7, 8];
  const r = wilcoxonSignedRank(d, d.map(() => 0));
  assert.equal(r.method, 'normal');
  assert.equal(r.wMinus, 6.5);
  assert.ok(Math.abs(r.p - 0.03641414726674857) < 1e-6, `p = ${r.p}`);
});

test('differences are a − b, with both samples non-zero; exact p against scipy.stats.wilcoxon', () => {
  const r = wilcoxonSignedRank([1.2, 2.5, 3.1, 4.0, 5.5], [1.0, 2.0, 3.5, 3.0, 4.0]);
  // d = 0.2, 0.5, −0.4, 1.0, 1.5: ranks 1 3 2 4 5, W− = 2.
  assert.deepEqual([r.n, r.wPlus, r.wMinus, r.method], [5, 13, 2, 'exact']);
  assert.ok(Math.abs(r.p - 0.1875) < 1e-12, `${r.p}`);
  // W− = 6 ≥ n: the exact null distribution needs every rank up to n (scipy: 0.8125).
  const wide = wilcoxonSignedRank([-0.1, 0.2, 0.3, 0.4, -0.5], [0, 0, 0, 0, 0]);
  assert.equal(wide.wMinus, 6);
  assert.ok(Math.abs(wide.p - 0.8125) < 1e-12, `${wide.p}`);
  assert.throws(() => wilcoxonSignedRank([1, 2], [1]), (e: unknown) => e instanceof RangeError && e.message === 'paired samples differ in length: 2 vs 1');
});

test('exact up to 50 non-zero pairs without ties, the normal approximation from 51 (scipy references)', () => {
  const diffs = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) * 0.01 * (i % 3 ? 1 : -1));
  const fifty = wilcoxonSignedRank(diffs(50), new Array(50).fill(0));
  assert.equal(fifty.method, 'exact');
  assert.equal(fifty.wMinus, 425);
  assert.ok(Math.abs(fifty.p - 0.03996834652842374) < 1e-9, `${fifty.p}`);
  const fiftyOne = wilcoxonSignedRank(diffs(51), new Array(51).fill(0));
  assert.equal(fiftyOne.method, 'normal');
  assert.ok(Math.abs(fiftyOne.p - 0.026000896360930642) < 1e-6, `${fiftyOne.p}`);
});

test('no non-zero difference: the whole result, exactly', () => {
  assert.deepEqual(wilcoxonSignedRank([0.3, 0.4], [0.3, 0.4]), { n: 0, wPlus: 0, wMinus: 0, p: 1, method: 'exact', rankBiserial: { value: null, reason: 'all differences are zero' } });
});
