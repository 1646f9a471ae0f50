/**
 * Every number is a function of the records' content and the seed, never of the order records
 * arrive in (which follows completion order, concurrency, retries and cache hits). Code that does
 * anything positional — resampling, sampling a null, summing floats — first sorts by a stable key
 * with this comparison: code-unit order, the same on every machine and locale (no localeCompare).
 */
export function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
