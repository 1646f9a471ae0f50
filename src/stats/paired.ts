import { cellCounter, clusterIndex, pairCellCounter, percentileInterval, resampler, resampleUnits } from './bootstrap.js';
import { type GroupItems, type SimilarityItems, correctness, itemClusters, subsetItems } from './group-data.js';
import { classificationCells, classificationResampled, headlineValues, proportionOutcomes } from './group-metrics.js';
import { mcnemarClustered, mcnemarExact } from './mcnemar.js';
import { DELTA_BOUNDS, discordanceFloor, hull, switchScale } from './discordance-floor.js';
import { createRng, type Rng } from './prng.js';
import { flatMargins } from './single-label.js';
import { independentDifferenceInterval, pairedDifferenceInterval } from './proportion-difference.js';
import { wilcoxonSignedRank } from './wilcoxon.js';
import type { Estimate, IntervalMethod, Value } from './value.js';

/**
 * Compares two groups of items (two variants in one run, or one group in two runs). Items pair by
 * key. Every headline metric gets a delta B − A with an interval: for proportions (accuracy, invalid
 * rate, …) Tango's score interval on the pairs, or Newcombe's square-and-add without pairs; for the
 * rest a bootstrap resampling pairs when the items match, each side on its own otherwise; item ids
 * rather than rows when the groups pool coordinates. Paired Δ macro-F1 / weighted-F1 / κ are widened
 * where needed to a floor from Tango's interval of the discordance (src/stats/discordance-floor.ts). The paired test: McNemar on correctness for classification, Wilcoxon signed-rank on
 * similarity — raw cosines within one embedder, calibrated z across embedders (raw scales of
 * different embedders are not comparable). Effect sizes are oriented B − A.
 */
export interface PairedTest {
  readonly name: 'mcnemar-exact' | 'mcnemar-clustered' | 'wilcoxon-signed-rank';
  /** Pairs the test used (Wilcoxon: non-zero differences, of item ids when clustered). */
  readonly n: number;
  readonly p: number;
  /** Test details: McNemar { bBetter, aBetter }, Wilcoxon { wPlus, wMinus, method, scale, unit }. */
  readonly detail: Readonly<Record<string, number | string>>;
  readonly effect: { readonly name: string; readonly value: number | null; readonly reason?: string };
  /** Secondary effect: McNemar's discordance odds ratio (B right, A wrong) / (A right, B wrong). */
  readonly oddsRatio?: { readonly value: number | null; readonly reason?: string };
  /** Why the test carries no information (p = 1 by construction): reported, but kept out of the Holm family. */
  readonly degenerate?: string;
}

export interface ItemComparison {
  /** Items present in both (by key). */
  readonly paired: number;
  readonly onlyA: number;
  readonly onlyB: number;
  /** Item ids among the paired items when the groups pool coordinates (the units resampled and tested). */
  readonly pairedClusters?: number;
  readonly deltas: Record<string, Estimate>;
  /** The metrics of each side on the items the deltas use (the paired items when there are ≥ 2, else all). */
  readonly valuesA: Record<string, number | null>;
  readonly valuesB: Record<string, number | null>;
  /** Null when fewer than one pair exists, or the kind has no paired test (va). */
  readonly test: PairedTest | null;
  readonly testReason?: string;
}

export interface CompareOptions {
  readonly resamples: number;
  readonly confidence: number;
  readonly seed: number;
}

/** Similarity metrics on the raw cosine scale: their deltas across embedders mean nothing. */
const RAW_SCALE_METRICS = new Set(['raw_mean', 'raw_median', 'shuffled_mean']);

/** Raw cosines of two groups are comparable when both hold the scores of one and the same embedder (or neither names one). */
export function sameRawScale(a: SimilarityItems, b: SimilarityItems): boolean {
  return a.embedders.length <= 1 && a.embedders.length === b.embedders.length && a.embedders.every((e, i) => e === b.embedders[i]);
}

function pairIndices(a: GroupItems, b: GroupItems): { ia: number[]; ib: number[] } {
  const inA = new Map<string, number>();
  a.keys.forEach((k, i) => { if (!inA.has(k)) inA.set(k, i); });
  const ia: number[] = [];
  const ib: number[] = [];
  const seen = new Set<string>();
  b.keys.forEach((k, j) => {
    const i = inA.get(k);
    if (i !== undefined && !seen.has(k)) { seen.add(k); ia.push(i); ib.push(j); }
  });
  return { ia, ib };
}

/** Cluster index per pair (the item id of its key), or null when every pair has its own id. */
function pairClusters(a: GroupItems, ia: readonly number[]): Int32Array | null {
  if (!a.ids) return null;
  const { index, count } = clusterIndex(ia.map((i) => a.ids![i]));
  return count === ia.length ? null : index;
}

function delta(a: Value | undefined, b: Value | undefined): Value {
  if (!a || a.value === null) return { value: null, reason: `A: ${a?.reason ?? 'metric missing'}` };
  if (!b || b.value === null) return { value: null, reason: `B: ${b?.reason ?? 'metric missing'}` };
  return { value: b.value - a.value };
}

export function compareItems(a: GroupItems, b: GroupItems, options: CompareOptions): ItemComparison {
  if (a.kind !== b.kind) throw new RangeError(`cannot compare a ${a.kind} group with a ${b.kind} group`);
  const { ia, ib } = pairIndices(a, b);
  const paired = ia.length;
  const pairedMode = paired >= 2;
  const clustersOfPairs = pairClusters(a, ia);
  const clustersA = itemClusters(a);
  const clustersB = itemClusters(b);
  // Point deltas on the paired items when items match, else on everything each side has.
  const pointA = headlineValues(a, pairedMode ? ia : undefined);
  const pointB = headlineValues(b, pairedMode ? ib : undefined);
  const crossScale = a.kind === 'similarity' && b.kind === 'similarity' && !sameRawScale(a, b);
  const metrics = Object.keys(pointA).filter((k) => k in pointB);
  const outcomesA = proportionOutcomes(a);
  const outcomesB = proportionOutcomes(b);
  const isProportion = (m: string) => m in outcomesA && m in outcomesB;
  const resampled = metrics.filter((m) => !(crossScale && RAW_SCALE_METRICS.has(m)) && !isProportion(m));
  const samples = new Map<string, number[]>(resampled.map((m) => [m, []]));
  const rng = createRng(options.seed);
  const unitsA = pairedMode ? resampleUnits(paired, clustersOfPairs) : resampleUnits(a.keys.length, clustersA);
  const unitsB = pairedMode ? unitsA : resampleUnits(b.keys.length, clustersB);
  // Paired: each side's paired items in pair order, so a resample's positions index them directly.
  const sideA = pairedMode ? subsetItems(a, ia) : a;
  const sideB = pairedMode ? subsetItems(b, ib) : b;
  if (unitsA >= 2 && unitsB >= 2) {
    const resample = sideResampler(sideA, sideB, { pairedMode, clustersOfPairs, clustersA, clustersB, rng });
    for (let r = 0; r < options.resamples; r++) {
      const [va, vb] = resample();
      for (const m of resampled) {
        const x = va[m];
        const y = vb[m];
        if (x !== null && x !== undefined && y !== null && y !== undefined) samples.get(m)!.push(y - x);
      }
    }
  }
  const clustered = pairedMode ? clustersOfPairs !== null : clustersA !== null || clustersB !== null;
  const method: IntervalMethod = clustered ? 'cluster-bootstrap' : 'percentile-bootstrap';
  const floor = pairedMode ? discordanceFloors(sideA, sideB, resampled, clustersOfPairs, options.confidence) : null;
  const deltas: Record<string, Estimate> = {};
  for (const m of metrics) {
    if (crossScale && RAW_SCALE_METRICS.has(m)) {
      deltas[m] = { value: null, reason: 'raw cosines of different embedders are on different scales; compare the calibrated z or percentile', ci: null };
      continue;
    }
    const d = delta(pointA[m], pointB[m]);
    if (d.value === null) { deltas[m] = { value: null, reason: d.reason, ci: null }; continue; }
    if (isProportion(m)) {
      deltas[m] = proportionDelta(d.value, outcomesA[m], outcomesB[m], { ia, ib, pairedMode, clustersOfPairs, clustersA, clustersB, confidence: options.confidence });
      continue;
    }
    // Two independent sides: the smaller one sets the small-sample expansion.
    const interval = unitsA >= 2 && unitsB >= 2 ? percentileInterval(samples.get(m)!, { ...options, units: Math.min(unitsA, unitsB) }) : { ci: null, reason: 'fewer than 2 items' };
    if (!interval.ci) { deltas[m] = { value: d.value, ci: null, ciReason: interval.reason }; continue; }
    deltas[m] = floor && m in floor.scale
      ? { value: d.value, ci: hull(interval.ci, floor.interval(m, d.value)), method: clustered ? 'cluster-bootstrap-tango' : 'percentile-bootstrap-tango' }
      : { value: d.value, ci: interval.ci, method };
  }
  const tested = pairedTest(a, b, { ia, ib, clusters: clustersOfPairs, crossScale });
  const valuesOf = (v: Record<string, Value>) => Object.fromEntries(metrics.map((m) => [m, v[m].value]));
  return {
    paired,
    onlyA: a.keys.length - paired,
    onlyB: b.keys.length - paired,
    ...(clustersOfPairs ? { pairedClusters: new Set(clustersOfPairs).size } : {}),
    deltas,
    valuesA: valuesOf(pointA),
    valuesB: valuesOf(pointB),
    ...tested,
  };
}

/**
 * For paired classification sides: the scale of each resampled metric's discordance floor
 * (docs/statistics.md, "Paired comparisons"; src/stats/discordance-floor.ts) and the floor around a
 * delta. Null for other kinds.
 */
function discordanceFloors(
  sideA: GroupItems,
  sideB: GroupItems,
  metrics: readonly string[],
  clusters: Int32Array | null,
  confidence: number,
): { scale: Record<string, number>; interval: (metric: string, value: number) => [number, number] } | null {
  if (sideA.kind !== 'classification' || sideB.kind !== 'classification') return null;
  const scale = switchScale(
    { cells: classificationCells(sideA).cells, k: sideA.labels.length },
    { cells: classificationCells(sideB).cells, k: sideB.labels.length },
    metrics,
    classificationResampled,
  );
  const tango = pairedDifferenceInterval({ a: correctness(sideA)!, b: correctness(sideB)!, clusters }, confidence);
  return { scale, interval: (metric, value) => discordanceFloor(value, scale[metric], tango, DELTA_BOUNDS[metric]) };
}

/**
 * Draws one resample per call (of pairs, or of each side on its own) and returns both sides' headline
 * values on it. Classification sides are drawn as counts per confusion cell (`cellCounter`, and
 * `pairCellCounter` for pairs: one resample of joint cells counts both sides).
 */
function sideResampler(
  sideA: GroupItems,
  sideB: GroupItems,
  o: { pairedMode: boolean; clustersOfPairs: Int32Array | null; clustersA: Int32Array | null; clustersB: Int32Array | null; rng: Rng },
): () => [Record<string, number | null>, Record<string, number | null>] {
  if (sideA.kind === 'classification' && sideB.kind === 'classification') {
    const kA = sideA.labels.length;
    const kB = sideB.labels.length;
    const sizeA = kA * (kA + 1);
    const sizeB = kB * (kB + 1);
    const cellsA = classificationCells(sideA).cells;
    const cellsB = classificationCells(sideB).cells;
    const values = (countsA: Int32Array, countsB: Int32Array): [Record<string, number | null>, Record<string, number | null>] =>
      [classificationResampled(flatMargins(countsA, kA)), classificationResampled(flatMargins(countsB, kB))];
    if (!o.pairedMode) {
      const countA = cellCounter(cellsA, sizeA, o.clustersA, o.rng);
      const countB = cellCounter(cellsB, sizeB, o.clustersB, o.rng);
      return () => values(countA(), countB());
    }
    const countPairs = pairCellCounter(cellsA, sizeA, cellsB, sizeB, o.clustersOfPairs, o.rng);
    return () => {
      const [countsA, countsB] = countPairs();
      return values(countsA, countsB);
    };
  }
  if (o.pairedMode) {
    const drawPairs = resampler(sideA.keys.length, o.clustersOfPairs, o.rng);
    return () => {
      const pick = drawPairs();
      return [numbers(headlineValues(sideA, pick)), numbers(headlineValues(sideB, pick))];
    };
  }
  const drawA = resampler(sideA.keys.length, o.clustersA, o.rng);
  const drawB = resampler(sideB.keys.length, o.clustersB, o.rng);
  return () => [numbers(headlineValues(sideA, drawA())), numbers(headlineValues(sideB, drawB()))];
}

function numbers(values: Record<string, Value>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k in values) out[k] = values[k].value;
  return out;
}

/** The delta of a proportion with a score interval: Tango's on the pairs, Newcombe's square-and-add without them. */
function proportionDelta(
  value: number,
  outcomeA: readonly boolean[],
  outcomeB: readonly boolean[],
  o: { ia: readonly number[]; ib: readonly number[]; pairedMode: boolean; clustersOfPairs: Int32Array | null; clustersA: Int32Array | null; clustersB: Int32Array | null; confidence: number },
): Estimate {
  if (o.pairedMode) {
    const { ci, effectiveN } = pairedDifferenceInterval({ a: o.ia.map((i) => outcomeA[i]), b: o.ib.map((j) => outcomeB[j]), clusters: o.clustersOfPairs }, o.confidence);
    return o.clustersOfPairs ? { value, ci, method: 'tango-score-clustered', effectiveN } : { value, ci, method: 'tango-score' };
  }
  const ci = independentDifferenceInterval({ outcomes: outcomeA, clusters: o.clustersA }, { outcomes: outcomeB, clusters: o.clustersB }, o.confidence);
  return ci ? { value, ci, method: 'newcombe-clopper-pearson' } : { value, ci: null, ciReason: 'an empty side' };
}

interface Pairs {
  readonly ia: readonly number[];
  readonly ib: readonly number[];
  /** Cluster index per pair, or null. */
  readonly clusters: Int32Array | null;
  /** Similarity groups of different embedders: test the calibrated scores. */
  readonly crossScale: boolean;
}

function pairedTest(a: GroupItems, b: GroupItems, pairs: Pairs): { test: PairedTest | null; testReason?: string } {
  if (pairs.ia.length === 0) return { test: null, testReason: 'no items in common' };
  const okA = correctness(a);
  const okB = correctness(b);
  if (okA && okB) return { test: mcnemarTest(pairs.ia.map((i) => okA[i]), pairs.ib.map((j) => okB[j]), pairs.clusters) };
  if (a.kind === 'similarity' && b.kind === 'similarity') {
    const scale = pairs.crossScale ? 'calibrated z' : 'raw cosine';
    const valuesA = pairs.crossScale ? a.z : a.raw;
    const valuesB = pairs.crossScale ? b.z : b.raw;
    // Per unit (a pair, or an item id's pairs averaged when clustered): B − A where both are defined.
    const sums = new Map<number, { sum: number; count: number }>();
    pairs.ia.forEach((i, t) => {
      const x = valuesA[i];
      const y = valuesB[pairs.ib[t]];
      if (x === null || y === null) return;
      const unit = pairs.clusters ? pairs.clusters[t] : t;
      const s = sums.get(unit) ?? { sum: 0, count: 0 };
      s.sum += y - x;
      s.count++;
      sums.set(unit, s);
    });
    if (sums.size === 0) return { test: null, testReason: `no pair with both ${scale} similarities defined` };
    const differences = [...sums.values()].map((s) => s.sum / s.count);
    const r = wilcoxonSignedRank(differences, differences.map(() => 0));
    return {
      test: {
        name: 'wilcoxon-signed-rank',
        n: r.n,
        p: r.p,
        detail: { wPlus: r.wPlus, wMinus: r.wMinus, method: r.method, scale, unit: pairs.clusters ? 'item id (mean difference over its pooled rows)' : 'pair' },
        effect: { name: 'rank-biserial correlation (B − A)', value: r.rankBiserial.value, reason: r.rankBiserial.reason },
        ...(r.n === 0 ? { degenerate: 'every difference is zero' } : {}),
      },
    };
  }
  return { test: null, testReason: `no paired test for ${a.kind} groups` };
}

/** McNemar's exact test on independent pairs; the clustered (Durkalski) statistic when several pairs share an item id. */
function mcnemarTest(okA: readonly boolean[], okB: readonly boolean[], clusters: Int32Array | null): PairedTest {
  // Oriented so that "b" counts pairs where B is right and A wrong.
  const r = clusters ? mcnemarClustered(okB, okA, clusters) : mcnemarExact(okB, okA);
  return {
    name: clusters ? 'mcnemar-clustered' : 'mcnemar-exact',
    n: r.n,
    p: r.p,
    detail: { bBetter: r.b, aBetter: r.c },
    effect: { name: 'accuracy difference (B − A)', value: r.difference.value, reason: r.difference.reason },
    oddsRatio: { value: r.oddsRatio.value, reason: r.oddsRatio.reason },
    ...(r.degenerate ? { degenerate: r.degenerate } : {}),
  };
}
