import { bootstrapIntervals } from './bootstrap.js';
import { concordance, pearson, rmse } from './correlation.js';
import { mean } from './descriptive.js';
import { type GroupItems, type SimilarityItems, type SingleLabelItems, type VaItems, correctness, itemClusters } from './group-data.js';
import { multiLabelMetrics } from './multi-label.js';
import { proportionInterval } from './proportion.js';
import { accuracyOf, cellMargins, cohenKappaNumber, cohenKappaOf, confusionCells, confusionMatrix, flatMargins, INVALID, invalidRateOf, macroF1Number, macroF1Of, type Margins, perClass, weightedF1Number, weightedF1Of } from './single-label.js';
import { SortedSample } from './sorted-sample.js';
import { type Estimate, type IntervalMethod, type Value, undefinedBecause } from './value.js';

/** Headline metrics by group kind; each gets an interval (docs/statistics.md). */
export const HEADLINE_METRICS = {
  classification: ['accuracy', 'macro_f1', 'weighted_f1', 'kappa', 'invalid_rate'],
  multilabel: ['exact_match', 'jaccard', 'hamming', 'micro_f1', 'macro_f1', 'invalid_rate'],
  similarity: ['raw_mean', 'shuffled_mean', 'raw_median', 'z_mean', 'z_median', 'percentile_mean', 'missing_rate', 'spearman_human'],
  va: ['valence_pearson', 'valence_ccc', 'valence_rmse', 'arousal_pearson', 'arousal_ccc', 'arousal_rmse'],
} as const;

/** Per classification group, made once: each item's confusion-matrix cell (K·(K+1) cells), and a buffer to count them in. */
const classCells = new WeakMap<SingleLabelItems, { readonly cells: Int32Array; readonly counts: Int32Array }>();

export function classificationCells(items: SingleLabelItems): { readonly cells: Int32Array; readonly counts: Int32Array } {
  let prepared = classCells.get(items);
  if (!prepared) {
    const k = items.labels.length;
    prepared = { cells: confusionCells({ truth: items.truth, pred: items.pred, classCount: k }), counts: new Int32Array(k * (k + 1)) };
    classCells.set(items, prepared);
  }
  return prepared;
}

function classificationValues(items: SingleLabelItems, indices: ArrayLike<number> | undefined): Record<string, Value> {
  const prepared = classificationCells(items);
  return classificationValuesOf(cellMargins(prepared.cells, items.labels.length, prepared.counts, indices));
}

/** The headline metrics of a classification group from its confusion-matrix margins (one resample's counts, or all items'). */
export function classificationValuesOf(m: Margins): Record<string, Value> {
  return { accuracy: accuracyOf(m), macro_f1: macroF1Of(m), weighted_f1: weightedF1Of(m), kappa: cohenKappaOf(m), invalid_rate: invalidRateOf(m) };
}

/**
 * The classification metrics a bootstrap resamples (those that are not proportions), as numbers
 * (null: undefined): the same values as `classificationValuesOf`, without the reasons.
 */
export function classificationResampled(m: Margins): Record<string, number | null> {
  return { macro_f1: macroF1Number(m), weighted_f1: weightedF1Number(m), kappa: cohenKappaNumber(m) };
}

/** Every headline metric of a group, as values (with reasons) on the items picked by `indices` (all when omitted). */
export function headlineValues(items: GroupItems, indices?: ArrayLike<number>): Record<string, Value> {
  if (items.kind === 'classification') return classificationValues(items, indices);
  const pick = indices ?? Array.from({ length: items.keys.length }, (_, i) => i);
  switch (items.kind) {
    case 'multilabel': {
      const m = multiLabelMetrics(items, pick);
      return { exact_match: m.exactMatch, jaccard: m.jaccard, hamming: m.hamming, micro_f1: m.microF1, macro_f1: m.macroF1, invalid_rate: m.invalidRate };
    }
    case 'similarity':
      return similarityValues(items, pick);
    case 'va':
      return vaValues(items, pick);
  }
}

function present(values: readonly (number | null)[], pick: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let j = 0; j < pick.length; j++) {
    const v = values[pick[j]];
    if (v !== null) out.push(v);
  }
  return out;
}

/** Per similarity group, computed once: the present values in sorted form, for fast resampled medians and ranks. */
interface SimilarityPrepared {
  /** Item index → position among the present raw / z values, or −1. */
  readonly rawAt: Int32Array;
  readonly zAt: Int32Array;
  readonly raw: SortedSample;
  readonly z: SortedSample;
  /** Item index → position among items with both a raw similarity and a rating, or −1. */
  readonly pairAt: Int32Array;
  readonly pairRaw: SortedSample;
  readonly pairRating: SortedSample;
}

const prepared = new WeakMap<SimilarityItems, SimilarityPrepared>();

function presentIndex(values: readonly (number | null)[]): { at: Int32Array; sample: SortedSample } {
  const at = new Int32Array(values.length).fill(-1);
  const kept: number[] = [];
  values.forEach((v, i) => { if (v !== null) { at[i] = kept.length; kept.push(v); } });
  return { at, sample: new SortedSample(kept) };
}

function prepare(items: SimilarityItems): SimilarityPrepared {
  let p = prepared.get(items);
  if (!p) {
    const raw = presentIndex(items.raw);
    const z = presentIndex(items.z);
    const rating = items.rating;
    const both = items.raw.map((r, i) => (r !== null && rating && rating[i] !== null ? i : -1)).filter((i) => i >= 0);
    const pairAt = new Int32Array(items.raw.length).fill(-1);
    both.forEach((i, j) => { pairAt[i] = j; });
    p = {
      rawAt: raw.at, zAt: z.at, raw: raw.sample, z: z.sample, pairAt,
      pairRaw: new SortedSample(both.map((i) => items.raw[i]!)),
      pairRating: new SortedSample(both.map((i) => rating![i]!)),
    };
    prepared.set(items, p);
  }
  return p;
}

function subPick(at: Int32Array, pick: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let j = 0; j < pick.length; j++) { const k = at[pick[j]]; if (k >= 0) out.push(k); }
  return out;
}

function medianValue(sample: SortedSample, pick: number[]): Value {
  const m = sample.median(pick);
  return m === null ? undefinedBecause('no values') : { value: m };
}

function similarityValues(items: SimilarityItems, pick: ArrayLike<number>): Record<string, Value> {
  const p = prepare(items);
  const raw = present(items.raw, pick);
  const z = present(items.z, pick);
  const values: Record<string, Value> = {
    raw_mean: mean(raw),
    // The same descriptions against other items' references, under the same embedder: what chance gives.
    shuffled_mean: mean(present(items.nullMean, pick)),
    raw_median: medianValue(p.raw, subPick(p.rawAt, pick)),
    z_mean: mean(z),
    z_median: medianValue(p.z, subPick(p.zAt, pick)),
    percentile_mean: mean(present(items.percentile, pick)),
    missing_rate: pick.length === 0 ? undefinedBecause('empty group: no items') : { value: (pick.length - raw.length) / pick.length },
  };
  if (items.rating) {
    const pairs = subPick(p.pairAt, pick);
    values.spearman_human = pairs.length < 2
      ? undefinedBecause(`needs at least 2 items with a similarity and a rating, got ${pairs.length}`)
      : pearson(p.pairRaw.averageRanks(pairs), p.pairRating.averageRanks(pairs));
  }
  return values;
}

function vaValues(items: VaItems, pick: ArrayLike<number>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const axis of ['valence', 'arousal'] as const) {
    const annotated = axis === 'valence' ? items.annotatedValence : items.annotatedArousal;
    const x: number[] = [];
    const y: number[] = [];
    for (let j = 0; j < pick.length; j++) {
      const a = annotated[pick[j]];
      if (a !== null) { x.push(items[axis][pick[j]]); y.push(a); }
    }
    out[`${axis}_pearson`] = pearson(x, y);
    out[`${axis}_ccc`] = concordance(x, y);
    out[`${axis}_rmse`] = rmse(x, y);
  }
  return out;
}

export interface BootstrapSettings {
  readonly resamples: number;
  readonly confidence: number;
  readonly seed: number;
}

export interface ClassRow {
  readonly label: string;
  readonly support: number;
  readonly predicted: number;
  readonly precision: Value;
  /** Per-class accuracy, with a Clopper–Pearson interval. */
  readonly recall: Estimate;
  readonly f1: Value;
}

export interface Confusion {
  /** Row labels (truth). */
  readonly labels: string[];
  /** Column labels: the classes, then "(invalid)". */
  readonly columns: string[];
  readonly counts: number[][];
}

export interface GroupMetrics {
  readonly n: number;
  /** Distinct item ids when the group pools coordinates (several rows per id): the units resampled and tested. */
  readonly clusters?: number;
  readonly headline: Record<string, Estimate>;
  readonly classes?: ClassRow[];
  readonly confusion?: Confusion;
}

export const INVALID_COLUMN = '(invalid)';

function toNumber(v: Value): number | null {
  return v.value;
}

type IntervalResult = { readonly ci: readonly [number, number] | null; readonly reason?: string; readonly effectiveN?: number };

function estimate(point: Value, interval: IntervalResult | undefined, method: IntervalMethod): Estimate {
  if (point.value === null) return { value: null, reason: point.reason, ci: null };
  if (!interval || interval.ci === null) return { value: point.value, ci: null, ciReason: interval?.reason ?? 'no interval' };
  return { value: point.value, ci: interval.ci, method, ...(interval.effectiveN !== undefined ? { effectiveN: interval.effectiveN } : {}) };
}

/**
 * The headline metrics that are proportions of items, with each item's 0/1 outcome: their intervals
 * are Clopper–Pearson, never a bootstrap (which collapses to [p, p] at 0 and 1).
 */
export function proportionOutcomes(items: GroupItems): Record<string, boolean[]> {
  switch (items.kind) {
    case 'classification':
      return { accuracy: correctness(items)!, invalid_rate: items.pred.map((p) => p === INVALID) };
    case 'multilabel':
      return { exact_match: correctness(items)!, invalid_rate: items.pred.map((p) => p === null) };
    case 'similarity':
      return { missing_rate: items.raw.map((r) => r === null) };
    case 'va':
      return {};
  }
}

function subset<T>(values: ArrayLike<T>, rows: readonly number[]): T[] {
  return rows.map((i) => values[i]);
}

/**
 * Point estimates and intervals of every headline metric (plus per-class rows and the confusion
 * matrix for classification): Clopper–Pearson for proportions, an expanded percentile bootstrap for the rest;
 * both by cluster (item id) when the group pools coordinates.
 */
export function computeGroupMetrics(items: GroupItems, settings: BootstrapSettings): GroupMetrics {
  const n = items.keys.length;
  const clusters = itemClusters(items);
  const points = headlineValues(items);
  const keys = Object.keys(points);
  const outcomes = proportionOutcomes(items);
  const bootstrapped = keys.filter((k) => !(k in outcomes));
  const numbers = (values: Record<string, Value>) => {
    const out: Record<string, number | null> = {};
    for (const k of bootstrapped) out[k] = toNumber(values[k]);
    return out;
  };
  // Classification metrics depend on a resample only through its confusion counts: counted as drawn.
  const intervals = items.kind === 'classification'
    ? bootstrapIntervals({ n, clusters, ...settings }, bootstrapped, {
      cells: classificationCells(items).cells,
      cellCount: items.labels.length * (items.labels.length + 1),
      ofCounts: (counts) => classificationResampled(flatMargins(counts, items.labels.length)),
    })
    : bootstrapIntervals({ n, clusters, ...settings }, bootstrapped, (idx) => numbers(headlineValues(items, idx)));
  const proportion = (rows: readonly number[] | null, outcome: boolean[]): IntervalResult =>
    proportionInterval({ outcomes: rows ? subset(outcome, rows) : outcome, clusters: clusters && rows ? subset(clusters, rows) : clusters }, settings.confidence);
  const proportionMethod: IntervalMethod = clusters ? 'clopper-pearson-clustered' : 'clopper-pearson';
  const headline: Record<string, Estimate> = {};
  for (const k of keys) {
    headline[k] = k in outcomes
      ? estimate(points[k], proportion(null, outcomes[k]), proportionMethod)
      : estimate(points[k], intervals[k as (typeof bootstrapped)[number]], clusters ? 'cluster-bootstrap' : 'percentile-bootstrap');
  }
  if (items.kind !== 'classification') return { n, ...(clusters ? { clusters: new Set(clusters).size } : {}), headline };
  const cm = confusionMatrix({ truth: items.truth, pred: items.pred, classCount: items.labels.length });
  const correct = correctness(items)!;
  const rowsOf: number[][] = items.labels.map(() => []);
  items.truth.forEach((t, i) => rowsOf[t].push(i));
  const classes = perClass(cm).map((c, label) => {
    const rows = rowsOf[label];
    return {
      label: items.labels[label],
      support: c.support,
      predicted: c.predicted,
      precision: c.precision,
      recall: estimate(c.recall, proportion(rows, correct), proportionMethod),
      f1: c.f1,
    };
  });
  return {
    n,
    ...(clusters ? { clusters: new Set(clusters).size } : {}),
    headline,
    classes,
    confusion: { labels: [...items.labels], columns: [...items.labels, INVALID_COLUMN], counts: cm },
  };
}
