/**
 * Seeded pseudo-random numbers (mulberry32): fast, 32-bit state, good enough for resampling.
 * The same seed gives the same sequence on every platform, so bootstrap intervals are reproducible.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** Fills `out` with integers in [0, n): the same numbers as `out.length` calls of `int(n)`, faster (bootstrap resamples). */
  fillInts(out: Int32Array, n: number): void;
  /**
   * Draws `cells.length` integers i in [0, n), the same numbers as `fillInts` into an array of that
   * length, and counts each as `counts[cells[i]]++` instead of storing it: a resample counted by
   * confusion cell in one pass, with no positions written (counts are not zeroed here).
   */
  countInts(cells: Int32Array, n: number, counts: Int32Array): void;
  /** `countInts` for pairs: each drawn i counted on both sides, `countsA[cellsA[i]]++` and `countsB[cellsB[i]]++` (equal lengths). */
  countPairs(cellsA: Int32Array, cellsB: Int32Array, n: number, countsA: Int32Array, countsB: Int32Array): void;
}

export function createRng(seed: number): Rng {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // The three loops below inline next() by hand, its state in a local: a resample draws millions of
  // numbers, and a shared step function measured 1.7–2.7× slower here (V8 did not inline it into the
  // loops, node 20), so the same four lines stand three times on purpose.
  const fillInts = (out: Int32Array, n: number): void => {
    let s = state;
    for (let i = 0; i < out.length; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    }
    state = s;
  };
  const countInts = (cells: Int32Array, n: number, counts: Int32Array): void => {
    let s = state;
    for (let i = 0; i < cells.length; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      counts[cells[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)]]++;
    }
    state = s;
  };
  const countPairs = (cellsA: Int32Array, cellsB: Int32Array, n: number, countsA: Int32Array, countsB: Int32Array): void => {
    let s = state;
    for (let i = 0; i < cellsA.length; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const drawn = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
      countsA[cellsA[drawn]]++;
      countsB[cellsB[drawn]]++;
    }
    state = s;
  };
  return { next, int: (n) => Math.floor(next() * n), fillInts, countInts, countPairs };
}

/** A 32-bit seed derived from a run seed and a name (FNV-1a), so each group's stream is independent of group order. */
export function deriveSeed(seed: number, name: string): number {
  let hash = (0x811c9dc5 ^ (Math.trunc(seed) >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
