import { type Value, ratio } from './value.js';

/**
 * McNemar's exact test on paired binary outcomes (A correct?, B correct?). Only discordant pairs
 * count: b = A right and B wrong, c = A wrong and B right. Under H0 b ~ Binomial(b + c, 1/2);
 * the two-sided p is 2 · P(X ≤ min(b, c)), capped at 1.
 */
export interface McNemarResult {
  readonly b: number;
  readonly c: number;
  /** Pairs compared (concordant and discordant). */
  readonly n: number;
  readonly p: number;
  /** Accuracy of A minus accuracy of B on the paired items, (b − c) / n. */
  readonly difference: Value;
  /** Odds ratio of discordance b / c; undefined when c = 0. */
  readonly oddsRatio: Value;
}

export function mcnemarExact(a: ArrayLike<boolean | number>, bOutcomes: ArrayLike<boolean | number>): McNemarResult {
  if (a.length !== bOutcomes.length) throw new RangeError(`paired outcomes differ in length: ${a.length} vs ${bOutcomes.length}`);
  let b = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && !bOutcomes[i]) b++;
    else if (!a[i] && bOutcomes[i]) c++;
  }
  return {
    b,
    c,
    n: a.length,
    p: mcnemarExactP(b, c),
    difference: ratio(b - c, a.length, 'no paired items'),
    oddsRatio: ratio(b, c, 'odds ratio undefined: B is never right where A is wrong (c = 0)'),
  };
}

/** 2 · Σ_{k ≤ min(b,c)} C(b+c, k) / 2^(b+c), in log space so large counts do not underflow. */
export function mcnemarExactP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const m = Math.min(b, c);
  let logC = 0;
  let tail = 0;
  const log2n = n * Math.LN2;
  for (let k = 0; k <= m; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    tail += Math.exp(logC - log2n);
  }
  return Math.min(1, 2 * tail);
}
