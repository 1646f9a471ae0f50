import type { pairedDifferenceInterval } from './proportion-difference.js';
import { flatMargins, type Margins } from './single-label.js';

/**
 * A floor under the paired bootstrap interval of Δ macro-F1, weighted-F1 and κ (B − A) for when the
 * two sides rarely disagree. With few discordant pairs every resample of pairs sees the same few
 * disagreements (none: [0, 0]), so the bootstrap interval collapses as the Δ accuracy one did before
 * Tango's interval replaced it (50% coverage at 20 pairs when B gives A's answer 9 times in 10).
 * The floor is that Tango interval of the discordance in correctness, carried into the metric's
 * units: its half-widths count pairs whose correctness could have been discordant (× n), and
 * each such pair moves the metric by about the RMS of one pair's influence, so the floor is
 * Δ̂ − s·(d̂ − L), Δ̂ + s·(U − d̂) with [L, U] Tango's interval of Δ accuracy around d̂ and
 * s = n · RMS influence (`switchScale`). The interval reported is the hull of the bootstrap interval
 * and the floor (`hull`): the floor only widens it where the bootstrap is too narrow.
 */

/** The metrics of a classification side, as numbers (null: undefined), from its confusion-matrix margins. */
export type SideMetrics = (m: Margins) => Readonly<Record<string, number | null>>;

/** One side of the pairs: each pair's confusion-matrix cell (truth·(K+1) + answer, K = invalid) and K. */
export interface SideCells {
  readonly cells: ArrayLike<number>;
  readonly k: number;
}

/**
 * Σ over one side's items of the squared change in each metric when that item's correctness is
 * switched (a right answer made wrong: the mean square over the K − 1 other classes, or the invalid
 * answer when K = 1; a wrong or invalid answer made right), with the other items unchanged. Items of
 * one cell switch alike, so the cost is a few evaluations per occupied cell, not per item.
 */
function squaredInfluence(side: SideCells, metrics: readonly string[], evaluate: SideMetrics): Map<string, number> {
  const { k } = side;
  const width = k + 1;
  const counts = new Int32Array(k * width);
  for (let i = 0; i < side.cells.length; i++) counts[side.cells[i]]++;
  const base = evaluate(flatMargins(counts, k));
  const sums = new Map<string, number>(metrics.map((m) => [m, 0]));
  for (let cell = 0; cell < counts.length; cell++) {
    const size = counts[cell];
    if (size === 0) continue;
    const truth = Math.floor(cell / width);
    const answer = cell % width;
    const targets: number[] = [];
    if (answer !== truth) targets.push(truth);
    else if (k === 1) targets.push(k);
    else for (let p = 0; p < k; p++) if (p !== truth) targets.push(p);
    const squares = new Map<string, { sum: number; count: number }>(metrics.map((m) => [m, { sum: 0, count: 0 }]));
    for (const target of targets) {
      const moved = truth * width + target;
      counts[cell]--;
      counts[moved]++;
      const switched = evaluate(flatMargins(counts, k));
      counts[moved]--;
      counts[cell]++;
      for (const m of metrics) {
        const before = base[m];
        const after = switched[m];
        if (before === null || before === undefined || after === null || after === undefined) continue;
        const s = squares.get(m)!;
        s.sum += (after - before) ** 2;
        s.count++;
      }
    }
    for (const m of metrics) {
      const s = squares.get(m)!;
      if (s.count > 0) sums.set(m, sums.get(m)! + (size * s.sum) / s.count);
    }
  }
  return sums;
}

/**
 * s = n · RMS over the n pairs (and both sides) of one pair's influence on Δ = metric(B) − metric(A):
 * the change in Δ when one side's answer on the pair switches between right and wrong, which turns a
 * pair concordant in correctness into a discordant one or back. Both sides count alike, so the
 * scale does not depend on which group is A. 0 when no switch leaves the metric defined.
 */
export function switchScale(a: SideCells, b: SideCells, metrics: readonly string[], evaluate: SideMetrics): Record<string, number> {
  const n = a.cells.length;
  if (b.cells.length !== n) throw new RangeError(`${n} and ${b.cells.length} cells: not pairs`);
  const sumA = squaredInfluence(a, metrics, evaluate);
  const sumB = squaredInfluence(b, metrics, evaluate);
  const out: Record<string, number> = {};
  // n · √((ΣA + ΣB) / 2n)
  for (const m of metrics) out[m] = n === 0 ? 0 : Math.sqrt((n * (sumA.get(m)! + sumB.get(m)!)) / 2);
  return out;
}

/**
 * Where a metric's delta can lie: F1 scores are in [0, 1], so their differences in [−1, 1]. A floor
 * is cut there (one pair can move macro-F1 by half when it brings a class no other item has, and a
 * few pairs then scale Tango's interval past ±1). κ has no fixed lower bound.
 */
export const DELTA_BOUNDS: Readonly<Record<string, readonly [number, number]>> = { macro_f1: [-1, 1], weighted_f1: [-1, 1] };

/**
 * The paired Δ accuracy of 0/1 outcomes and Tango's interval of it (`pairedDifferenceInterval`: at the
 * clustered effective number of pairs when pairs share item ids, as the Δ accuracy delta itself).
 */
export type Discordance = Pick<ReturnType<typeof pairedDifferenceInterval>, 'difference' | 'ci'>;

/** The discordance's interval, its half-widths scaled by `scale` around `value`, within `bounds`. */
export function discordanceFloor(value: number, scale: number, d: Discordance, bounds: readonly [number, number] = [-Infinity, Infinity]): [number, number] {
  return [Math.max(bounds[0], value - scale * (d.difference - d.ci[0])), Math.min(bounds[1], value + scale * (d.ci[1] - d.difference))];
}

/** The smallest interval containing both. */
export function hull(x: readonly [number, number], y: readonly [number, number]): [number, number] {
  return [Math.min(x[0], y[0]), Math.max(x[1], y[1])];
}
