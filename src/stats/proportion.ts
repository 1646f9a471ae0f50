import { betaQuantile } from './beta.js';

/**
 * Intervals for proportions (accuracy, invalid rate, per-class accuracy, exact match, missing rate).
 * A percentile bootstrap of a proportion collapses to [p, p] at 0 and 1 (5/5 right gives [1, 1]) and
 * undercovers at small n; Clopper–Pearson inverts two one-sided binomial tests, so its coverage is at
 * least the nominal level for every true p and n.
 */
export type ProportionInterval =
  | { readonly ci: readonly [number, number]; readonly effectiveN: number; readonly reason?: undefined }
  | { readonly ci: null; readonly effectiveN?: undefined; readonly reason: string };

/** Clopper–Pearson interval for x successes in n trials; x and n may be effective (non-integer) counts. */
export function clopperPearson(x: number, n: number, confidence: number): [number, number] {
  const alpha = 1 - confidence;
  const lower = x <= 0 ? 0 : betaQuantile(alpha / 2, x, n - x + 1);
  const upper = x >= n ? 1 : betaQuantile(1 - alpha / 2, x + 1, n - x);
  return [lower, upper];
}

export interface ProportionData {
  /** One 0/1 outcome per row. */
  readonly outcomes: ArrayLike<boolean>;
  /** Cluster index per row (rows of one item id when `by` pools coordinates); null when every row is its own item. */
  readonly clusters: ArrayLike<number> | null;
}

/**
 * Clopper–Pearson on the rows; with clusters, at the effective sample size of Korn & Graubard (1998):
 * n* = p̂(1 − p̂) / v̂, v̂ the cluster-robust (ratio-estimator) variance of p̂, bounded to
 * [clusters, rows]. At p̂ = 0 or 1 there is no variance to estimate the within-item correlation
 * from, so n* = clusters: as if the rows of each item always agreed (conservative).
 */
export function proportionInterval(data: ProportionData, confidence: number): ProportionInterval {
  const n = data.outcomes.length;
  if (n === 0) return { ci: null, reason: 'empty group: no items' };
  let x = 0;
  for (let i = 0; i < n; i++) if (data.outcomes[i]) x++;
  if (!data.clusters) return { ci: clopperPearson(x, n, confidence), effectiveN: n };
  const size = new Map<number, number>();
  const hits = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = data.clusters[i];
    size.set(c, (size.get(c) ?? 0) + 1);
    if (data.outcomes[i]) hits.set(c, (hits.get(c) ?? 0) + 1);
  }
  const clusters = size.size;
  if (clusters === n) return { ci: clopperPearson(x, n, confidence), effectiveN: n };
  const p = x / n;
  let effectiveN = clusters;
  if (p > 0 && p < 1 && clusters >= 2) {
    let sum = 0;
    for (const [c, m] of size) sum += ((hits.get(c) ?? 0) - p * m) ** 2;
    const variance = (clusters / (clusters - 1)) * (sum / (n * n));
    effectiveN = variance > 0 ? Math.min(n, Math.max(clusters, (p * (1 - p)) / variance)) : n;
  }
  return { ci: clopperPearson(p * effectiveN, effectiveN, confidence), effectiveN };
}
