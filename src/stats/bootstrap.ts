import { createRng } from './prng.js';
import { quantileSorted } from './descriptive.js';

/**
 * Percentile bootstrap. One set of resampled index vectors is shared by every statistic of a group,
 * so the intervals of one group are consistent with each other, and the same seed gives the same
 * intervals.
 */
export interface BootstrapOptions {
  /** Items to resample (indices 0 … n−1). */
  readonly n: number;
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

export function bootstrapIntervals<K extends string>(options: BootstrapOptions, keys: readonly K[], statistics: Statistics<K>): Record<K, Interval> {
  const { n, resamples, confidence, seed } = options;
  const out = {} as Record<K, Interval>;
  if (n < 2) {
    for (const key of keys) out[key] = { ci: null, reason: n === 0 ? 'empty group' : 'one item: no interval' };
    return out;
  }
  const samples = new Map<K, number[]>(keys.map((k) => [k, []]));
  const rng = createRng(seed);
  const indices = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    const values = statistics(indices);
    for (const key of keys) {
      const v = values[key];
      if (v !== null && Number.isFinite(v)) samples.get(key)!.push(v);
    }
  }
  for (const key of keys) out[key] = percentileInterval(samples.get(key)!, { resamples, confidence });
  return out;
}

/** The interval from resampled values; undefined when the statistic was undefined in over half the resamples. */
export function percentileInterval(values: number[], options: { resamples: number; confidence: number }): Interval {
  if (values.length === 0 || values.length < options.resamples / 2) {
    return { ci: null, reason: `statistic undefined in ${options.resamples - values.length} of ${options.resamples} resamples` };
  }
  const sorted = Float64Array.from(values).sort();
  const alpha = (1 - options.confidence) / 2;
  return { ci: [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)] };
}
