import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betaCdf, betaQuantile, logGamma } from '../../src/stats/beta.js';
import { clopperPearson, proportionInterval } from '../../src/stats/proportion.js';

const close = (actual: number, expected: number, eps = 1e-9) => assert.ok(Math.abs(actual - expected) < eps, `expected ${expected}, got ${actual}`);

test('log-gamma and the beta CDF against closed forms', () => {
  close(logGamma(1), 0, 1e-13);
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12);
  // Beta(a, 1): CDF x^a; Beta(1, b): 1 − (1 − x)^b; Beta(2, 3) at 0.4: 1 − 0.6⁴ − 4·0.4·0.6³ = 0.5248
  close(betaCdf(0.3, 2.5, 1), 0.3 ** 2.5);
  close(betaCdf(0.3, 1, 7), 1 - 0.7 ** 7);
  close(betaCdf(0.4, 2, 3), 0.5248);
  close(betaQuantile(0.5248, 2, 3), 0.4, 1e-12);
  assert.throws(() => betaCdf(0.5, 0, 1), RangeError);
});

test('Clopper–Pearson against scipy.stats.beta.ppf, and the closed forms at 0 and n', () => {
  // 5/5: lower = 0.025^(1/5); a percentile bootstrap gives [1, 1] here.
  const [lo55, hi55] = clopperPearson(5, 5, 0.95);
  close(lo55, 0.4781762498950185);
  assert.equal(hi55, 1);
  const [lo0, hi0] = clopperPearson(0, 20, 0.95);
  assert.equal(lo0, 0);
  close(hi0, 0.1684334709830853);
  const cases: [number, number, number, number][] = [
    [3, 20, 0.0320709371854637, 0.37892682654531396],
    [17, 20, 0.621073173454686, 0.9679290628145363],
    [500, 1000, 0.46854917297179194, 0.531450827028208],
    // effective (non-integer) counts, as the clustered interval uses
    [2.5, 7.5, 0.06002790772626207, 0.7343870622321085],
  ];
  for (const [x, n, lo, hi] of cases) {
    const ci = clopperPearson(x, n, 0.95);
    close(ci[0], lo);
    close(ci[1], hi);
  }
});

test('exact coverage of the Clopper–Pearson interval is at least 95% for every p, n = 20 … 1000', () => {
  // Coverage at p = Σ over x of Binomial(n, p) mass where the interval of x covers p: exact, no simulation noise.
  for (const n of [20, 50, 100, 200, 500, 1000]) {
    const intervals = Array.from({ length: n + 1 }, (_, x) => clopperPearson(x, n, 0.95));
    let worst = 1;
    for (let k = 0; k <= 200; k++) {
      const p = k / 200;
      let coverage = 0;
      let logPmf = n * Math.log1p(-p);
      for (let x = 0; x <= n; x++) {
        if (x > 0) logPmf += Math.log((n - x + 1) / x) + Math.log(p) - Math.log1p(-p);
        const pmf = p === 0 ? (x === 0 ? 1 : 0) : p === 1 ? (x === n ? 1 : 0) : Math.exp(logPmf);
        if (intervals[x][0] <= p && p <= intervals[x][1]) coverage += pmf;
      }
      worst = Math.min(worst, coverage);
    }
    assert.ok(worst >= 0.95 - 1e-9, `n = ${n}: worst coverage ${worst}`);
  }
});

test('proportionInterval: plain rows are Clopper–Pearson; an empty group has no interval', () => {
  const out = proportionInterval({ outcomes: [true, true, true, true, true], clusters: null }, 0.95);
  assert.deepEqual(out.ci, clopperPearson(5, 5, 0.95));
  assert.equal(out.effectiveN, 5);
  assert.match(proportionInterval({ outcomes: [], clusters: null }, 0.95).reason!, /empty/);
  // One row per cluster: no design effect.
  assert.deepEqual(proportionInterval({ outcomes: [true, false, true], clusters: [0, 1, 2] }, 0.95).ci, clopperPearson(2, 3, 0.95));
});

test('proportionInterval with clusters: Korn–Graubard effective sample size, by hand', () => {
  // 4 ids × 2 rows; rows of an id agree: outcomes 1 1 | 1 1 | 0 0 | 1 1 → p̂ = 6/8 = 0.75.
  // v̂ = C/(C−1) · Σ (y_c − p̂ m_c)² / n² = 4/3 · (0.5² + 0.5² + 1.5² + 0.5²)/64 = 4/3 · 3/64 = 1/16
  // n* = p̂(1 − p̂)/v̂ = 0.1875 · 16 = 3 → clamped to [4, 8] → 4: the interval of 3 successes in 4.
  const agree = proportionInterval({ outcomes: [true, true, true, true, false, false, true, true], clusters: [0, 0, 1, 1, 2, 2, 3, 3] }, 0.95);
  assert.equal(agree.effectiveN, 4);
  assert.deepEqual(agree.ci, clopperPearson(3, 4, 0.95));
  // Rows of an id disagree half the time: 1 0 | 1 0 | 1 0 | 1 1 → p̂ = 5/8; v̂ = 4/3 · (3·(1 − 1.25)² + 0.75²)/64 = 4/3 · 0.75/64
  // n* = (5/8)(3/8) / (1/64) = 15 → clamped to 8 (the rows): no wider than unclustered.
  const mixed = proportionInterval({ outcomes: [true, false, true, false, true, false, true, true], clusters: [0, 0, 1, 1, 2, 2, 3, 3] }, 0.95);
  assert.equal(mixed.effectiveN, 8);
  assert.deepEqual(mixed.ci, clopperPearson(5, 8, 0.95));
  // All right: no variance to estimate the correlation from → n* = ids (4), not rows (8).
  const all = proportionInterval({ outcomes: Array(8).fill(true), clusters: [0, 0, 1, 1, 2, 2, 3, 3] }, 0.95);
  assert.equal(all.effectiveN, 4);
  close(all.ci![0], 0.025 ** (1 / 4));
});

test('proportionInterval with clusters: none right is as uninformative as all right; one id is one unit; two ids are enough to estimate', () => {
  const ids = [0, 0, 1, 1, 2, 2];
  assert.equal(proportionInterval({ outcomes: Array(6).fill(false), clusters: ids }, 0.95).effectiveN, 3);
  assert.equal(proportionInterval({ outcomes: [true, false, false, true], clusters: [5, 5, 5, 5] }, 0.95).effectiveN, 1);
  // Two ids, each half right: no between-id variance, so no design effect (n* = rows).
  assert.equal(proportionInterval({ outcomes: [true, false, true, false], clusters: [0, 0, 1, 1] }, 0.95).effectiveN, 4);
});
