import { type Value, defined, undefinedBecause } from './value.js';

/** Agreement and association between two paired samples (extracted vs annotated VA; similarity vs human rating). */

interface Moments {
  readonly n: number;
  readonly meanX: number;
  readonly meanY: number;
  /** Population (1/n) variances and covariance, as Lin's concordance uses. */
  readonly varX: number;
  readonly varY: number;
  readonly cov: number;
}

function moments(x: ArrayLike<number>, y: ArrayLike<number>): Moments {
  const n = x.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]; sy += y[i]; }
  const meanX = sx / n;
  const meanY = sy / n;
  let vx = 0;
  let vy = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    vx += dx * dx;
    vy += dy * dy;
    c += dx * dy;
  }
  return { n, meanX, meanY, varX: vx / n, varY: vy / n, cov: c / n };
}

function checkPaired(x: ArrayLike<number>, y: ArrayLike<number>, min: number): string | undefined {
  if (x.length !== y.length) throw new RangeError(`paired samples differ in length: ${x.length} vs ${y.length}`);
  if (x.length < min) return `needs at least ${min} pairs, got ${x.length}`;
  return undefined;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): Value {
  const short = checkPaired(x, y, 2);
  if (short) return undefinedBecause(short);
  const m = moments(x, y);
  if (m.varX === 0 || m.varY === 0) return undefinedBecause('correlation undefined: one variable is constant');
  return defined(m.cov / Math.sqrt(m.varX * m.varY));
}

/** Lin's concordance correlation coefficient: agreement on the identity line, penalising bias and scale. */
export function concordance(x: ArrayLike<number>, y: ArrayLike<number>): Value {
  const short = checkPaired(x, y, 2);
  if (short) return undefinedBecause(short);
  const m = moments(x, y);
  const den = m.varX + m.varY + (m.meanX - m.meanY) ** 2;
  if (den === 0) return undefinedBecause('concordance undefined: both variables constant and equal');
  return defined((2 * m.cov) / den);
}

export function rmse(x: ArrayLike<number>, y: ArrayLike<number>): Value {
  const short = checkPaired(x, y, 1);
  if (short) return undefinedBecause(short);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
  return defined(Math.sqrt(s / x.length));
}

/**
 * Ranks 1 … n, ties sharing their average rank. A native numeric sort plus two binary searches per
 * value: no comparator closure, which matters inside bootstrap loops.
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const first = lowerBound(sorted, values[i]);
    const last = lowerBound(sorted, values[i], true) - 1;
    ranks[i] = (first + last) / 2 + 1;
  }
  return ranks;
}

/** First index whose value is ≥ x (or > x with `strict`). */
function lowerBound(sorted: Float64Array, x: number, strict = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x || (strict && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Spearman's rho: Pearson's r on average ranks (correct with ties). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): Value {
  const short = checkPaired(x, y, 2);
  if (short) return undefinedBecause(short);
  return pearson(averageRanks(x), averageRanks(y));
}
