import type { Rng } from './prng.js';

/**
 * Exact binomial and multinomial variates from the seeded generator (`Rng`, mulberry32).
 *
 * Binomial(n, p), with q = min(p, 1 − p) and n − Bin(n, 1 − p) when p > 0.5:
 * - mean n·q < 10: inversion, a sequential search of the cdf from 0 with one uniform (Kachitvichyanukul
 *   and Schmeiser 1988, "Binomial random variate generation", algorithm BINV); its expected cost is
 *   about n·q + 1 steps;
 * - mean ≥ 10: Hörmann's BTRS, transformed rejection with squeeze (W. Hörmann, "The generation of
 *   binomial random variates", J. Statist. Comput. Simul. 46, 1993), whose exact acceptance test uses
 *   the tail of Stirling's series for log k! (`stirlingTail`): O(1) expected uniforms per variate.
 *
 * A multinomial is drawn as conditional binomials (`multinomial`); a bootstrap resample's counts per
 * confusion cell are one (see bootstrap.ts).
 */

/**
 * δ(k) = log k! − [log √(2π) + (k + ½)·log(k + 1) − (k + 1)], the error of Stirling's formula for
 * log k! = log Γ(x) at x = k + 1: exact values for k ≤ 9, the series 1/12x − 1/360x³ + 1/1260x⁵
 * beyond, where its error is below 1e-10.
 */
const STIRLING_TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
  0.0138761288230707, 0.0118967099458917, 0.010411265261972, 0.00925546218271273, 0.00833056343336287,
];

export function stirlingTail(k: number): number {
  if (k < STIRLING_TAIL.length) return STIRLING_TAIL[k];
  const m = k + 1;
  const m2 = m * m;
  return (1 / 12 - (1 / 360 - 1 / 1260 / m2) / m2) / m;
}

/** Below this mean n·min(p, 1 − p), inversion; from it on, BTRS (Hörmann's own threshold). */
export const INVERSION_MEAN = 10;

/** A Binomial(n, p) variate: n a non-negative integer, p in [0, 1]. */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomial: ${n} trials (a non-negative integer expected)`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial: probability ${p} (0 … 1 expected)`);
  return draw(rng, n, p);
}

/** `binomial` on arguments known to be valid (the multinomial's). */
function draw(rng: Rng, n: number, p: number): number {
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - belowHalf(rng, n, 1 - p);
  return belowHalf(rng, n, p);
}

function belowHalf(rng: Rng, n: number, p: number): number {
  return n * p < INVERSION_MEAN ? inversion(rng, n, p) : btrs(rng, n, p);
}

/** BINV: walk the pmf from P(0) = qⁿ by P(x)/P(x − 1) = (n + 1 − x)/x · p/q until the uniform is spent. */
function inversion(rng: Rng, n: number, p: number): number {
  const s = p / (1 - p);
  const a = (n + 1) * s;
  const start = Math.exp(n * Math.log1p(-p));
  // The pmf's computed sum falls short of 1 by ~1e-14, far less than the largest uniform's 2⁻³² below
  // it: the walk ends within the support. Past it (never seen), a fresh uniform.
  for (;;) {
    let u = rng.next();
    let r = start;
    let x = 0;
    while (u > r && x <= n) {
      u -= r;
      x++;
      r *= a / x - s;
    }
    if (x <= n) return x;
  }
}

/** BTRS for p ≤ 0.5 and n·p ≥ 10. */
function btrs(rng: Rng, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  // Needed by the exact test only (a quarter of the draws or fewer): computed then.
  let alpha = 0;
  let logOdds = 0;
  let m = -1;
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    // The squeeze: a region known to lie under the pmf, accepted without the logarithms.
    if (us >= 0.07 && v <= vr) return k;
    if (m < 0) {
      alpha = (2.83 + 5.1 / b) * spq;
      logOdds = Math.log(p / (1 - p));
      m = Math.floor((n + 1) * p); // the mode
    }
    // The exact test: v times the hat against pmf(k)/pmf(m), in logarithms.
    if (Math.log(v * alpha / (a / (us * us) + b)) <= logPmfRatio(n, k, m, logOdds)) return k;
  }
}

/**
 * log(pmf(k) / pmf(m)) of Binomial(n, p), logOdds = log(p / (1 − p)): log m! + log (n − m)! − log k! −
 * log (n − k)! + (k − m)·logOdds, each log j! as Stirling's formula at j + 1 plus its tail δ(j). BTRS's
 * acceptance test; its error is that of the tail (below 1e-10).
 */
export function logPmfRatio(n: number, k: number, m: number, logOdds: number): number {
  return stirlingTail(m) + stirlingTail(n - m) - stirlingTail(k) - stirlingTail(n - k)
    + (m + 0.5) * Math.log((m + 1) / (n - m + 1)) + (n + 1) * Math.log((n - m + 1) / (n - k + 1))
    + (k + 0.5) * Math.log((n - k + 1) / (k + 1)) + (k - m) * logOdds;
}

/**
 * Multinomial(trials; weights / Σ weights) into `out` (same length), by conditional binomials in
 * index order: x_k ~ Binomial(trials left, w_k / weight left), the ratios taken from the integer
 * weights, the last positive weight taking every trial left. Weights are non-negative integers
 * (counts); a zero weight gets zero and costs no draw. O(length) binomials, whatever the trials.
 */
export function multinomial(rng: Rng, trials: number, weights: Int32Array, out: Int32Array): void {
  let left = trials;
  let mass = 0;
  for (let k = 0; k < weights.length; k++) mass += weights[k];
  if (mass === 0 && trials > 0) throw new RangeError(`multinomial: ${trials} trials over no weight`);
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k];
    const x = left === 0 || w === 0 ? 0 : w === mass ? left : draw(rng, left, w / mass);
    out[k] = x;
    left -= x;
    mass -= w;
  }
}
