import { type Value, defined, undefinedBecause } from './value.js';

export function mean(values: ArrayLike<number>): Value {
  if (values.length === 0) return undefinedBecause('no values');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return defined(sum / values.length);
}

/** Quantile with linear interpolation between order statistics (Hyndman–Fan type 7, as R and numpy default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function median(values: ArrayLike<number>): Value {
  if (values.length === 0) return undefinedBecause('no values');
  const sorted = Float64Array.from(values).sort();
  return defined(quantileSorted(sorted, 0.5));
}
