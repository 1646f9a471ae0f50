import { quantileSorted } from './descriptive.js';

/**
 * A fixed sample with its sort order computed once. A bootstrap resample is a multiset of the
 * sample's indices, so its median and average ranks follow from per-index counts in one O(N) walk
 * over that order, with no sort per resample.
 */
export class SortedSample {
  readonly #values: Float64Array;
  /** Indices of the values, ascending by value. */
  readonly #order: Int32Array;

  constructor(values: ArrayLike<number>) {
    this.#values = Float64Array.from(values);
    const order = Int32Array.from({ length: values.length }, (_, i) => i);
    this.#order = order.sort((a, b) => this.#values[a] - this.#values[b]);
  }

  get size(): number {
    return this.#values.length;
  }

  #counts(pick: ArrayLike<number>): Int32Array {
    const counts = new Int32Array(this.#values.length);
    for (let j = 0; j < pick.length; j++) counts[pick[j]]++;
    return counts;
  }

  /** Median of the resample (type-7 quantile, as `median`); null when empty. */
  median(pick: ArrayLike<number>): number | null {
    const n = pick.length;
    if (n === 0) return null;
    const counts = this.#counts(pick);
    const h = (n - 1) / 2;
    const lo = this.#nth(counts, Math.floor(h));
    const hi = this.#nth(counts, Math.min(Math.floor(h) + 1, n - 1));
    return quantileSorted([lo, hi], h - Math.floor(h));
  }

  /** The k-th smallest value (0-based) of the resample. */
  #nth(counts: Int32Array, k: number): number {
    let seen = 0;
    for (const i of this.#order) {
      seen += counts[i];
      if (seen > k) return this.#values[i];
    }
    return this.#values[this.#order[this.#order.length - 1]];
  }

  /** Average ranks (1 … n, ties averaged) of the resample's values, aligned with `pick`. */
  averageRanks(pick: ArrayLike<number>): Float64Array {
    const counts = this.#counts(pick);
    const rankOf = new Float64Array(this.#values.length);
    const order = this.#order;
    let position = 0;
    for (let i = 0; i < order.length; ) {
      let k = i;
      let c = 0;
      while (k < order.length && this.#values[order[k]] === this.#values[order[i]]) c += counts[order[k++]];
      const rank = position + (c + 1) / 2;
      for (let t = i; t < k; t++) rankOf[order[t]] = rank;
      position += c;
      i = k;
    }
    const out = new Float64Array(pick.length);
    for (let j = 0; j < pick.length; j++) out[j] = rankOf[pick[j]];
    return out;
  }
}
