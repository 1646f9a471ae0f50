/**
 * The binomial and multinomial samplers (src/stats/binomial.ts) against the exact distributions:
 * chi-square goodness of fit of seeded draws to the binomial pmf, in both regimes (inversion below a
 * mean of 10, BTRS from it on) and through the symmetry p > 0.5; mean and variance; the multinomial's
 * sum, marginals and correlations. Seeded, so deterministic; every threshold sits at p < 1e-6 of its
 * statistic, far from the values these seeds give (printed with the failure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomial, INVERSION_MEAN, logPmfRatio, multinomial, stirlingTail } from '../../src/stats/binomial.js';
import { createRng, type Rng } from '../../src/stats/prng.js';

/** log k! by its definition, a sum of logarithms. */
const logFactorial = (() => {
  const table = [0];
  return (k: number): number => {
    for (let j = table.length; j <= k; j++) table[j] = table[j - 1] + Math.log(j);
    return table[k];
  };
})();

function binomialPmf(n: number, p: number): number[] {
  return Array.from({ length: n + 1 }, (_, k) =>
    Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + (k === 0 ? 0 : k * Math.log(p)) + (k === n ? 0 : (n - k) * Math.log1p(-p))));
}

/** Wilson–Hilferty: the chi-square statistic with `df` degrees of freedom as an approximate standard normal z. */
function chiSquareZ(statistic: number, df: number): number {
  const h = 2 / (9 * df);
  return (Math.cbrt(statistic / df) - (1 - h)) / Math.sqrt(h);
}
/** z of a chi-square at p = 1e-6 in the upper tail (with margin). */
const Z_TAIL = 4.9;

/**
 * Pearson's chi-square of observed counts against a pmf, over bins of expected count ≥ 5 (adjacent
 * values pooled, the tails into their neighbours). Returns z (Wilson–Hilferty) and the bins.
 */
function goodnessOfFit(observed: number[], pmf: number[], draws: number): { z: number; bins: number } {
  const bins: { expected: number; observed: number }[] = [];
  let current = { expected: 0, observed: 0 };
  for (let k = 0; k < pmf.length; k++) {
    current.expected += pmf[k] * draws;
    current.observed += observed[k] ?? 0;
    if (current.expected >= 5) { bins.push(current); current = { expected: 0, observed: 0 }; }
  }
  if (bins.length === 0) return { z: 0, bins: 0 };
  bins[bins.length - 1].expected += current.expected;
  bins[bins.length - 1].observed += current.observed;
  const statistic = bins.reduce((s, b) => s + (b.observed - b.expected) ** 2 / b.expected, 0);
  return { z: bins.length > 1 ? chiSquareZ(statistic, bins.length - 1) : 0, bins: bins.length };
}

function draw(rng: Rng, n: number, p: number, draws: number): number[] {
  const observed = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < draws; i++) {
    const x = binomial(rng, n, p);
    assert.ok(Number.isInteger(x) && x >= 0 && x <= n, `Bin(${n}, ${p}) drew ${x}`);
    observed[x]++;
  }
  return observed;
}

// (n, p) in both regimes: n·min(p, 1 − p) below 10 (inversion), at 10 and above (BTRS), through the symmetry.
const CASES: [number, number][] = [
  [1, 0.3], [2, 0.5], [7, 0.5], [20, 0.02], [100, 0.05], [5000, 0.0004], [5000, 0.001], [200, 0.97], [5000, 0.9995],
  [20, 0.5], [25, 0.4], [30, 0.5], [100, 0.1], [60, 0.75], [1000, 0.3], [1000, 0.45], [1000, 0.55], [5000, 0.002], [5000, 0.5], [5000, 0.9], [5000, 0.998],
];

test('binomial draws fit the exact pmf (chi-square), with its mean and variance, in both regimes and both halves of p', () => {
  const draws = 200_000;
  for (const [n, p] of CASES) {
    const what = `Bin(${n}, ${p}), ${n * Math.min(p, 1 - p) < INVERSION_MEAN ? 'inversion' : 'BTRS'}`;
    const observed = draw(createRng(n * 1009 + Math.round(p * 1e6)), n, p, draws);
    const fit = goodnessOfFit(observed, binomialPmf(n, p), draws);
    assert.ok(fit.z < Z_TAIL, `${what}: chi-square z = ${fit.z.toFixed(2)} over ${fit.bins} bins`);
    const mean = observed.reduce((s, c, k) => s + c * k, 0) / draws;
    const variance = observed.reduce((s, c, k) => s + c * (k - mean) ** 2, 0) / (draws - 1);
    const sd = Math.sqrt(n * p * (1 - p));
    // Standard errors of the mean and (normal approximation, ample here) of the variance: 5.5 of them.
    assert.ok(Math.abs(mean - n * p) <= 5.5 * sd / Math.sqrt(draws), `${what}: mean ${mean} against ${n * p}`);
    assert.ok(Math.abs(variance - sd * sd) <= 5.5 * sd * sd * Math.sqrt(2 / draws) + 1e-12, `${what}: variance ${variance} against ${sd * sd}`);
  }
});

test('BTRS fits the pmf closely where its exact test decides most (small means, 2 million draws)', () => {
  // At means 10–15 a quarter of the proposals fall outside the squeeze: a wrong Stirling term or
  // bound shifts the accepted mass there by about a percent, which this many draws resolve.
  const draws = 2_000_000;
  for (const [n, p] of [[25, 0.4], [40, 0.3], [10_000, 0.0013]] as [number, number][]) {
    const fit = goodnessOfFit(draw(createRng(n + 17), n, p, draws), binomialPmf(n, p), draws);
    assert.ok(fit.z < Z_TAIL, `Bin(${n}, ${p}): chi-square z = ${fit.z.toFixed(2)} over ${fit.bins} bins`);
  }
});

test('stirlingTail is log k! minus Stirling\'s formula at k + 1, to 1e-10', () => {
  for (let k = 0; k <= 60; k++) {
    const exact = logFactorial(k) - (0.5 * Math.log(2 * Math.PI) + (k + 0.5) * Math.log(k + 1) - (k + 1));
    assert.ok(Math.abs(stirlingTail(k) - exact) < 1e-10, `k = ${k}: ${stirlingTail(k)} against ${exact}`);
  }
});

test('logPmfRatio, BTRS\'s acceptance test, is log(pmf(k) / pmf(m)) by the definition, to 1e-9', () => {
  // Its errors hardly move the draws (a constant error only rescales the exact test, which the hat's
  // slack absorbs): checked here directly, over the whole support, small k included.
  for (const [n, p] of [[20, 0.5], [25, 0.4], [10_000, 0.001], [5000, 0.3]] as [number, number][]) {
    const logOdds = Math.log(p / (1 - p));
    const m = Math.floor((n + 1) * p);
    const logPmf = (k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
    for (let k = 0; k <= Math.min(n, 4 * m); k++) {
      const exact = logPmf(k) - logPmf(m);
      assert.ok(Math.abs(logPmfRatio(n, k, m, logOdds) - exact) < 1e-9 * Math.max(1, Math.abs(exact)), `Bin(${n}, ${p}), k = ${k}: ${logPmfRatio(n, k, m, logOdds)} against ${exact}`);
    }
  }
});

test('binomial: n = 0, p = 0 and p = 1 are certain and draw nothing; bad arguments are refused', () => {
  const rng = createRng(3);
  const twin = createRng(3);
  assert.equal(binomial(rng, 0, 0.4), 0);
  assert.equal(binomial(rng, 12, 0), 0);
  assert.equal(binomial(rng, 12, 1), 12);
  assert.equal(rng.next(), twin.next(), 'no uniform spent');
  for (const [n, p] of [[-1, 0.5], [2.5, 0.5], [Number.NaN, 0.5], [3, -0.1], [3, 1.5], [3, Number.NaN]]) {
    assert.throws(() => binomial(rng, n, p), RangeError, `n = ${n}, p = ${p}`);
  }
});

test('multinomial: counts sum to the trials, zero weights get none, each marginal is Binomial(n, w_k / Σw), correlations −√(p_i p_j / (1 − p_i)(1 − p_j))', () => {
  for (const weights of [[1, 2, 3], [5, 0, 1, 300, 2000, 2694], [0, 4990, 10]]) {
    const w = Int32Array.from(weights);
    const n = weights.reduce((s, x) => s + x, 0);
    const ps = weights.map((x) => x / n);
    const rng = createRng(n);
    const draws = 40_000;
    const samples = weights.map(() => new Float64Array(draws));
    const observed = weights.map(() => new Array<number>(n + 1).fill(0));
    const out = new Int32Array(weights.length);
    for (let r = 0; r < draws; r++) {
      multinomial(rng, n, w, out);
      assert.equal(out.reduce((s, x) => s + x, 0), n, `${weights}: draw ${r} sums to n`);
      out.forEach((x, k) => { samples[k][r] = x; observed[k][x]++; });
    }
    weights.forEach((x, k) => {
      if (x === 0) { assert.equal(observed[k][0], draws, `${weights}: a zero weight never drawn`); return; }
      const fit = goodnessOfFit(observed[k], binomialPmf(n, ps[k]), draws);
      assert.ok(fit.z < Z_TAIL, `${weights}: cell ${k}, chi-square z = ${fit.z.toFixed(2)}`);
    });
    const mean = samples.map((s) => s.reduce((a, b) => a + b, 0) / draws);
    for (let i = 0; i < weights.length; i++) {
      for (let j = i + 1; j < weights.length; j++) {
        if (ps[i] === 0 || ps[j] === 0 || ps[i] === 1 || ps[j] === 1) continue;
        let sxy = 0; let sxx = 0; let syy = 0;
        for (let r = 0; r < draws; r++) {
          const dx = samples[i][r] - mean[i];
          const dy = samples[j][r] - mean[j];
          sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        const rho = -Math.sqrt((ps[i] * ps[j]) / ((1 - ps[i]) * (1 - ps[j])));
        const observedRho = sxy / Math.sqrt(sxx * syy);
        // Standard error of a sample correlation ≈ (1 − ρ²)/√draws; 5.5 of them.
        assert.ok(Math.abs(observedRho - rho) <= 5.5 * (1 - rho * rho) / Math.sqrt(draws) + 1e-9, `${weights}: corr(${i}, ${j}) = ${observedRho} against ${rho}`);
      }
    }
  }
});

test('multinomial refuses trials over no weight, and draws nothing for no trials', () => {
  assert.throws(() => multinomial(createRng(1), 3, new Int32Array(2), new Int32Array(2)), { name: 'RangeError', message: 'multinomial: 3 trials over no weight' });
  const out = Int32Array.from([9, 9]);
  const rng = createRng(1);
  multinomial(rng, 0, Int32Array.from([2, 3]), out);
  assert.deepEqual([...out], [0, 0]);
  assert.equal(rng.next(), createRng(1).next());
});
