import { averageRanks } from './correlation.js';
import { twoSidedP } from './normal.js';
import { type Value, ratio } from './value.js';

/**
 * Wilcoxon signed-rank test on paired differences a − b. Zero differences are dropped (Wilcoxon's
 * method); |d| are ranked with average ranks for ties. The p-value is exact (enumerated null
 * distribution) for up to 50 non-zero pairs without ties, otherwise the normal approximation with
 * tie correction and continuity correction (as scipy's `wilcoxon` does). A tie is any repeated |d|:
 * a tie of odd size shares an integer rank, so ties are found on the values, not on the ranks.
 */
export interface WilcoxonResult {
  /** Non-zero differences used. */
  readonly n: number;
  readonly wPlus: number;
  readonly wMinus: number;
  readonly p: number;
  readonly method: 'exact' | 'normal';
  /** Matched-pairs rank-biserial correlation (W+ − W−) / (W+ + W−), in [−1, 1]. */
  readonly rankBiserial: Value;
}

const EXACT_MAX_N = 50;

export function wilcoxonSignedRank(a: ArrayLike<number>, b: ArrayLike<number>): WilcoxonResult {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} vs ${b.length}`);
  const d: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d.push(a[i] - b[i]);
  const n = d.length;
  if (n === 0) return { n, wPlus: 0, wMinus: 0, p: 1, method: 'exact', rankBiserial: ratio(0, 0, 'all differences are zero') };
  const magnitudes = d.map(Math.abs);
  const ranks = averageRanks(magnitudes);
  let wPlus = 0;
  let wMinus = 0;
  d.forEach((x, i) => { if (x > 0) wPlus += ranks[i]; else wMinus += ranks[i]; });
  const tied = new Set(magnitudes).size < n;
  const rankBiserial = ratio(wPlus - wMinus, wPlus + wMinus, 'no non-zero differences');
  if (n <= EXACT_MAX_N && !tied) {
    return { n, wPlus, wMinus, p: exactP(n, Math.min(wPlus, wMinus)), method: 'exact', rankBiserial };
  }
  const meanW = (n * (n + 1)) / 4;
  const tieGroups = new Map<number, number>();
  for (const m of magnitudes) tieGroups.set(m, (tieGroups.get(m) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of tieGroups.values()) tieTerm += t ** 3 - t;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const diff = Math.abs(wPlus - meanW);
  const z = variance > 0 ? Math.max(0, diff - 0.5) / Math.sqrt(variance) : 0;
  return { n, wPlus, wMinus, p: twoSidedP(z), method: 'normal', rankBiserial };
}

/** 2 · P(W ≤ w) under H0, counting the subsets of ranks {1 … n} by their sum. */
function exactP(n: number, w: number): number {
  const max = (n * (n + 1)) / 2;
  let counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) {
    const next = Float64Array.from(counts);
    for (let s = r; s <= max; s++) next[s] += counts[s - r];
    counts = next;
  }
  let tail = 0;
  for (let s = 0; s <= Math.floor(w); s++) tail += counts[s];
  return Math.min(1, (2 * tail) / 2 ** n);
}
