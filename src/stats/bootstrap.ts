import { studentTQuantile } from './beta.js';
import { quantileSorted } from './descriptive.js';
import { normalCdf } from './normal.js';
import { multinomial } from './binomial.js';
import { createRng, type Rng } from './prng.js';

/**
 * Expanded percentile bootstrap (Hesterberg 2015, "What teachers should know about the bootstrap").
 * One set of resamples is shared by every statistic of a group, so the intervals of one group are
 * consistent with each other, and the same seed gives the same intervals. A resample is n items
 * drawn with replacement (or C clusters and all their items), as an index vector; for statistics of
 * a confusion matrix without clusters it is drawn as its counts per cell instead, which are exactly
 * Multinomial(n; c_k / n) for c_k items in cell k (`cellCounter`): the same distribution, O(cells)
 * per resample, where that is cheaper than n draws. Positions are those of items sorted by a stable key (aggregate sorts them) and cells
 * are taken in index order, so the resamples depend on the records' content and the seed, never on
 * their order.
 */
export interface BootstrapOptions {
  /** Items to resample (indices 0 … n−1). */
  readonly n: number;
  /**
   * Cluster index (0 … C−1) per item, or null. With clusters, a resample draws C clusters with
   * replacement and takes every item of each: rows that share an item id (`by` pooling coordinates)
   * are not independent, and resampling them as if they were makes intervals about √k too narrow.
   */
  readonly clusters?: ArrayLike<number> | null;
  readonly resamples: number;
  /** Coverage of the interval, e.g. 0.95. */
  readonly confidence: number;
  readonly seed: number;
}

export type Interval =
  | { readonly ci: readonly [number, number]; readonly reason?: undefined }
  | { readonly ci: null; readonly reason: string };

/** Statistics evaluated on one resample (index vector); null where undefined for that resample. */
export type Statistics<K extends string> = (indices: Int32Array) => Readonly<Record<K, number | null>>;

/**
 * Statistics that depend on a resample only through how many of its items fall in each cell (a
 * confusion matrix): each item's cell, the number of cells, and the statistics of the counts.
 * A resample is then drawn as its counts (`cellCounter`).
 */
export interface CountedStatistics<K extends string> {
  readonly cells: Int32Array;
  readonly cellCount: number;
  readonly ofCounts: (counts: Int32Array) => Readonly<Record<K, number | null>>;
}

/** Dense cluster indices (0 … C−1, numbered by first appearance) for per-item cluster labels (item ids). */
export function clusterIndex(labels: readonly string[]): { readonly index: Int32Array; readonly count: number } {
  const seen = new Map<string, number>();
  const index = new Int32Array(labels.length);
  labels.forEach((label, i) => {
    let c = seen.get(label);
    if (c === undefined) seen.set(label, (c = seen.size));
    index[i] = c;
  });
  return { index, count: seen.size };
}

/** Units a resample draws: items, or clusters when given. */
export function resampleUnits(n: number, clusters: ArrayLike<number> | null | undefined): number {
  if (!clusters) return n;
  return new Set(Array.from({ length: clusters.length }, (_, i) => clusters[i])).size;
}

/**
 * A resample generator over positions 0 … n−1: n positions drawn with replacement, or (with
 * clusters, any labels) C clusters drawn with replacement and all their positions, so a resample's
 * length varies. The returned vector is reused by the next call.
 */
export function resampler(n: number, clusters: ArrayLike<number> | null | undefined, rng: Rng): () => Int32Array {
  if (!clusters) {
    const out = new Int32Array(n);
    return () => {
      rng.fillInts(out, n);
      return out;
    };
  }
  const byCluster = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const members = byCluster.get(clusters[i]);
    if (members) members.push(i);
    else byCluster.set(clusters[i], [i]);
  }
  const members = [...byCluster.values()];
  const count = members.length;
  const buffer = new Int32Array(n * Math.max(1, ...members.map((m) => m.length)));
  return () => {
    let length = 0;
    for (let c = 0; c < count; c++) {
      for (const i of members[rng.int(count)]) buffer[length++] = i;
    }
    return buffer.subarray(0, length);
  };
}

/**
 * The occupied cells of a cell list and how many items each holds, in cell order: what a resample
 * without clusters depends on (a resample's counts per cell are Multinomial(n; c_k / n) over them).
 */
export function occupiedCells(cells: ArrayLike<number>, cellCount: number): { readonly cell: Int32Array; readonly size: Int32Array } {
  const sizes = new Int32Array(cellCount);
  for (let i = 0; i < cells.length; i++) sizes[cells[i]]++;
  let occupied = 0;
  for (let c = 0; c < cellCount; c++) if (sizes[c] > 0) occupied++;
  const cell = new Int32Array(occupied);
  const size = new Int32Array(occupied);
  for (let c = 0, j = 0; c < cellCount; c++) {
    if (sizes[c] > 0) { cell[j] = c; size[j++] = sizes[c]; }
  }
  return { cell, size };
}

/**
 * Fewest items per occupied cell at which a resample is drawn as multinomial counts rather than item
 * by item. One binomial (BTRS at means of 10–30, inversion's set-up below) costs about as much as 20
 * uniform draws counted in the inlined loop of `Rng.countInts`: over n = 5,000 items the multinomial
 * took 1.3–1.4× the time at 16 items per cell, 0.8× at 24, 0.65× at 32, 0.15–0.3× at 64 (node 20,
 * load 5). With fewer items per cell, drawing n items and counting them is the cheaper of two exact
 * ways to the same distribution (a small group; a paired comparison whose joint cells are many).
 */
export const MULTINOMIAL_MIN_ITEMS_PER_CELL = 24;

/** Whether n items over `occupied` cells are resampled as multinomial counts (else item by item). */
export function multinomialPays(n: number, occupied: number): boolean {
  return n >= MULTINOMIAL_MIN_ITEMS_PER_CELL * occupied;
}

/**
 * A generator of resamples counted by cell: each call returns how many of a resample's items fall in
 * each cell (a buffer reused by the next call). Without clusters the counts are drawn directly as the
 * multinomial they are, over the occupied cells (O(cells) per resample, not O(n)), when there are
 * enough items per cell (`multinomialPays`), else as n positions counted as they are drawn
 * (`Rng.countInts`); with clusters the resample is drawn by `resampler` and counted.
 */
export function cellCounter(cells: Int32Array, cellCount: number, clusters: ArrayLike<number> | null | undefined, rng: Rng): () => Int32Array {
  const counts = new Int32Array(cellCount);
  if (!clusters) {
    const { cell, size } = occupiedCells(cells, cellCount);
    if (!multinomialPays(cells.length, cell.length)) {
      return () => {
        counts.fill(0);
        rng.countInts(cells, cells.length, counts);
        return counts;
      };
    }
    const drawn = new Int32Array(cell.length);
    return () => {
      multinomial(rng, cells.length, size, drawn);
      for (let j = 0; j < cell.length; j++) counts[cell[j]] = drawn[j];
      return counts;
    };
  }
  const draw = resampler(cells.length, clusters, rng);
  return () => {
    counts.fill(0);
    const positions = draw();
    for (let j = 0; j < positions.length; j++) counts[cells[positions[j]]]++;
    return counts;
  };
}

/**
 * `cellCounter` for pairs: one resample of pairs, counted by each side's cells (two reused buffers).
 * Without clusters, a multinomial over the occupied joint cells (cell A, cell B), each joint count
 * then added to both sides, or (too few pairs per joint cell) pair positions counted on both sides
 * as they are drawn (`Rng.countPairs`).
 */
export function pairCellCounter(cellsA: Int32Array, countA: number, cellsB: Int32Array, countB: number, clusters: ArrayLike<number> | null | undefined, rng: Rng): () => [Int32Array, Int32Array] {
  if (cellsA.length !== cellsB.length) throw new RangeError(`${cellsA.length} and ${cellsB.length} cells: not pairs`);
  const counts: [Int32Array, Int32Array] = [new Int32Array(countA), new Int32Array(countB)];
  if (!clusters) {
    // Joint cell a·countB + b, in that order (a resample's numbers do not depend on the items' order).
    const keys = Float64Array.from(cellsA, (a, i) => a * countB + cellsB[i]).sort();
    const joint: number[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      if (i > 0 && keys[i] === keys[i - 1]) sizes[sizes.length - 1]++;
      else { joint.push(keys[i]); sizes.push(1); }
    }
    if (!multinomialPays(cellsA.length, joint.length)) {
      return () => {
        counts[0].fill(0);
        counts[1].fill(0);
        rng.countPairs(cellsA, cellsB, cellsA.length, counts[0], counts[1]);
        return counts;
      };
    }
    const size = Int32Array.from(sizes);
    const sideA = Int32Array.from(joint, (key) => Math.floor(key / countB));
    const sideB = Int32Array.from(joint, (key) => key % countB);
    const drawn = new Int32Array(joint.length);
    return () => {
      counts[0].fill(0);
      counts[1].fill(0);
      multinomial(rng, cellsA.length, size, drawn);
      for (let j = 0; j < joint.length; j++) {
        counts[0][sideA[j]] += drawn[j];
        counts[1][sideB[j]] += drawn[j];
      }
      return counts;
    };
  }
  const draw = resampler(cellsA.length, clusters, rng);
  return () => {
    counts[0].fill(0);
    counts[1].fill(0);
    const positions = draw();
    for (let j = 0; j < positions.length; j++) {
      counts[0][cellsA[positions[j]]]++;
      counts[1][cellsB[positions[j]]]++;
    }
    return counts;
  };
}

export function bootstrapIntervals<K extends string>(options: BootstrapOptions, keys: readonly K[], statistics: Statistics<K> | CountedStatistics<K>): Record<K, Interval> {
  const { n, resamples, confidence, seed } = options;
  const out = {} as Record<K, Interval>;
  const units = resampleUnits(n, options.clusters);
  if (units < 2) {
    for (const key of keys) out[key] = { ci: null, reason: n === 0 ? 'empty group' : 'one item: no interval' };
    return out;
  }
  const samples = new Map<K, number[]>(keys.map((k) => [k, []]));
  const rng = createRng(seed);
  let evaluate: () => Readonly<Record<K, number | null>>;
  if (typeof statistics === 'function') {
    const draw = resampler(n, options.clusters, rng);
    evaluate = () => statistics(draw());
  } else {
    if (statistics.cells.length !== n) throw new RangeError(`${statistics.cells.length} cells for ${n} items`);
    const count = cellCounter(statistics.cells, statistics.cellCount, options.clusters, rng);
    evaluate = () => statistics.ofCounts(count());
  }
  for (let r = 0; r < resamples; r++) {
    const values = evaluate();
    for (const key of keys) {
      const v = values[key];
      if (v !== null && Number.isFinite(v)) samples.get(key)!.push(v);
    }
  }
  for (const key of keys) out[key] = percentileInterval(samples.get(key)!, { resamples, confidence, units });
  return out;
}

/**
 * The tail probability each end of the interval cuts off. The plain percentile bootstrap is too
 * narrow at small n (it behaves like z·σ̂/√n with the 1/n variance); the expanded percentile uses
 * α′/2 = Φ(−√(n/(n−1)) · t(1 − α/2, n − 1)) instead of α/2, n being the units resampled (items or
 * clusters). At n = 20 and 95% that is 1.59% instead of 2.5%; it tends to α/2 as n grows.
 */
export function expandedTail(confidence: number, units: number): number {
  const alpha = 1 - confidence;
  // Past a million units the expansion is below one part in a million.
  if (units < 2 || units > 1e6) return alpha / 2;
  return normalCdf(-Math.sqrt(units / (units - 1)) * studentTQuantile(1 - alpha / 2, units - 1));
}

/** The interval from resampled values; undefined when the statistic was undefined in over half the resamples. */
export function percentileInterval(values: number[], options: { resamples: number; confidence: number; units: number }): Interval {
  if (values.length === 0 || values.length < options.resamples / 2) {
    return { ci: null, reason: `statistic undefined in ${options.resamples - values.length} of ${options.resamples} resamples` };
  }
  const sorted = Float64Array.from(values).sort();
  const tail = expandedTail(options.confidence, options.units);
  return { ci: [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)] };
}
