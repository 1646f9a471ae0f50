import { twoSidedP } from './normal.js';
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
  /** Why the test carries no information (p = 1 by construction), e.g. no discordant pair. */
  readonly degenerate?: string;
}

function counts(a: ArrayLike<boolean | number>, bOutcomes: ArrayLike<boolean | number>): { b: number; c: number } {
  if (a.length !== bOutcomes.length) throw new RangeError(`paired outcomes differ in length: ${a.length} vs ${bOutcomes.length}`);
  let b = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && !bOutcomes[i]) b++;
    else if (!a[i] && bOutcomes[i]) c++;
  }
  return { b, c };
}

function result(b: number, c: number, n: number, p: number, degenerate: string | undefined): McNemarResult {
  return {
    b,
    c,
    n,
    p,
    difference: ratio(b - c, n, 'no paired items'),
    oddsRatio: ratio(b, c, 'odds ratio undefined: B is never right where A is wrong (c = 0)'),
    ...(degenerate ? { degenerate } : {}),
  };
}

const NO_DISCORDANT = 'no discordant pair: both sides right on the same items';

export function mcnemarExact(a: ArrayLike<boolean | number>, bOutcomes: ArrayLike<boolean | number>): McNemarResult {
  const { b, c } = counts(a, bOutcomes);
  return result(b, c, a.length, mcnemarExactP(b, c), b + c === 0 ? NO_DISCORDANT : undefined);
}

/**
 * McNemar's test for clustered matched pairs (Durkalski et al. 2003): pairs sharing a cluster (an
 * item id whose rows `by` pooled) are not independent. With d_k = b_k − c_k per cluster,
 * X² = (Σ d_k)² / Σ d_k², referred to χ²(1); with one pair per cluster it is McNemar's
 * (b − c)² / (b + c). Degenerate (p = 1) when every cluster is balanced.
 */
export function mcnemarClustered(a: ArrayLike<boolean | number>, bOutcomes: ArrayLike<boolean | number>, clusters: ArrayLike<number>): McNemarResult {
  const { b, c } = counts(a, bOutcomes);
  if (clusters.length !== a.length) throw new RangeError(`clusters and outcomes differ in length: ${clusters.length} vs ${a.length}`);
  const perCluster = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const d = a[i] && !bOutcomes[i] ? 1 : !a[i] && bOutcomes[i] ? -1 : 0;
    perCluster.set(clusters[i], (perCluster.get(clusters[i]) ?? 0) + d);
  }
  let sum = 0;
  let squares = 0;
  for (const d of perCluster.values()) { sum += d; squares += d * d; }
  if (squares === 0) return result(b, c, a.length, 1, b + c === 0 ? NO_DISCORDANT : 'every item id has as many pairs favouring A as favouring B');
  return result(b, c, a.length, twoSidedP(sum / Math.sqrt(squares)), undefined);
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
