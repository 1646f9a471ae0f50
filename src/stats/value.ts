/**
 * A statistic that may be undefined (precision of a never-predicted class, kappa with one class, an
 * empty group). Undefined values carry a reason instead of NaN, so nothing downstream prints NaN.
 */
export type Value =
  | { readonly value: number; readonly reason?: undefined }
  | { readonly value: null; readonly reason: string };

export function defined(value: number): Value {
  return Number.isFinite(value) ? { value } : { value: null, reason: 'not a finite number' };
}

export function undefinedBecause(reason: string): Value {
  return { value: null, reason };
}

/** num / den, or undefined with `reason` when den is 0. */
export function ratio(num: number, den: number, reason: string): Value {
  return den === 0 ? { value: null, reason } : defined(num / den);
}

/**
 * How an interval was made (docs/statistics.md): Clopper–Pearson for proportions, at an effective
 * sample size when items are clustered; the (expanded) percentile bootstrap over items, or over
 * clusters (item ids) when `by` pools coordinates so that several rows share an item; score
 * intervals for differences of proportions.
 */
export type IntervalMethod =
  | 'clopper-pearson'
  | 'clopper-pearson-clustered'
  | 'percentile-bootstrap'
  | 'cluster-bootstrap'
  // Δ macro-F1 / weighted-F1 / κ on paired items: the hull of the paired bootstrap interval and
  // Tango's interval of the discordance in the metric's units (src/stats/discordance-floor.ts).
  | 'percentile-bootstrap-tango'
  | 'cluster-bootstrap-tango'
  // Differences of proportions (paired deltas): Tango's score interval; Newcombe's square-and-add without pairs.
  | 'tango-score'
  | 'tango-score-clustered'
  | 'newcombe-clopper-pearson';

/** A point estimate with its confidence interval; `ci` is null (with `ciReason`) when no interval exists. */
export interface Estimate {
  readonly value: number | null;
  readonly reason?: string;
  readonly ci: readonly [number, number] | null;
  readonly ciReason?: string;
  /** Set whenever `ci` is. */
  readonly method?: IntervalMethod;
  /** Clustered proportions: the effective sample size the interval used. */
  readonly effectiveN?: number;
}

/** Formats a number for tables: fixed digits, and the word "n/a" for undefined values (never NaN). */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toFixed(digits);
}

export function formatEstimate(estimate: Estimate | undefined, digits = 3): string {
  if (!estimate || estimate.value === null) return 'n/a';
  const point = formatNumber(estimate.value, digits);
  return estimate.ci ? `${point} [${formatNumber(estimate.ci[0], digits)}, ${formatNumber(estimate.ci[1], digits)}]` : point;
}
