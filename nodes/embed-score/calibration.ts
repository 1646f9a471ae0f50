import { createRng, deriveSeed } from '../../src/stats/prng.js';
/**
 * The calibrated score: is a description nearer its own reference than to the references of other
 * items? Under sentence embeddings almost any two sentences score high (0.7 and up), so a raw
 * cosine means little alone; the null distribution of "this text vs. somebody else's reference"
 * (shuffled pairs) says what chance looks like for this text under this embedder.
 */
export interface Calibrated {
  readonly raw: number | null;
  readonly nullMean: number | null;
  /** Sample standard deviation (n − 1) of the null similarities. */
  readonly nullStd: number | null;
  /** (raw − nullMean) / nullStd. */
  readonly z: number | null;
  /** 0–100: share of null similarities below raw (ties count half). */
  readonly percentile: number | null;
  /** How many null similarities there were. */
  readonly nullSize: number;
  /** Why some value is null. */
  readonly reason?: string;
}

export function calibrate(raw: number, nulls: readonly number[]): Calibrated {
  const nullSize = nulls.length;
  if (nullSize === 0) {
    return { raw, nullMean: null, nullStd: null, z: null, percentile: null, nullSize, reason: 'no other item with a reference to compare with (the null needs at least 2 items)' };
  }
  const nullMean = nulls.reduce((sum, v) => sum + v, 0) / nullSize;
  let below = 0;
  let ties = 0;
  for (const v of nulls) {
    if (v < raw) below++;
    else if (v === raw) ties++;
  }
  const percentile = (100 * (below + ties / 2)) / nullSize;
  if (nullSize === 1) return { raw, nullMean, nullStd: null, z: null, percentile, nullSize, reason: 'a null of one value has no spread' };
  const nullStd = Math.sqrt(nulls.reduce((sum, v) => sum + (v - nullMean) ** 2, 0) / (nullSize - 1));
  if (!(nullStd > 1e-12)) return { raw, nullMean, nullStd, z: null, percentile, nullSize, reason: 'the null distribution has no spread' };
  return { raw, nullMean, nullStd, z: (raw - nullMean) / nullStd, percentile, nullSize };
}

/** A record's similarity when it has no score at all (no text, no reference, no known words). */
export function uncalibrated(reason: string): Calibrated {
  return { raw: null, nullMean: null, nullStd: null, z: null, percentile: null, nullSize: 0, reason };
}

/** A seeded uniform [0, 1) stream: the project's one PRNG (src/stats/prng.ts). */
export function seededRandom(seed: number): () => number {
  return createRng(seed).next;
}

/**
 * The per-item seed: the run seed and the item id (FNV-1a). With candidates in a stable order
 * (score.ts sorts items by record key first), an item's null sample depends on the records'
 * content and the seed only, never on the order records arrived in.
 */
export function itemSeed(runSeed: number, id: string): number {
  return deriveSeed(runSeed, id);
}

export interface NullPartnersOptions {
  /** Indices of the records that could serve as partners (those with a usable reference), in a stable order. */
  readonly candidates: readonly number[];
  /** Whether candidate j may not pair with this item (itself, same item id, identical reference text). */
  readonly excluded: (j: number) => boolean;
  readonly max: number;
  readonly random: () => number;
}

/**
 * The partners whose references form an item's null: every admissible candidate when there are at
 * most `max`, else `max` of them drawn without replacement (rejection sampling, with a full
 * enumeration fallback when most candidates are excluded).
 */
export function nullPartners(options: NullPartnersOptions): number[] {
  const { candidates, excluded, max, random } = options;
  const enumerate = () => {
    const admissible = candidates.filter((j) => !excluded(j));
    return admissible.length <= max ? admissible : sampleWithoutReplacement(admissible, max, random);
  };
  // Few candidates: enumerating them is as cheap as sampling.
  if (candidates.length < 4 * max) return enumerate();
  const chosen = new Set<number>();
  for (let attempts = 0; chosen.size < max && attempts < max * 20; attempts++) {
    const j = candidates[Math.floor(random() * candidates.length)];
    if (!excluded(j)) chosen.add(j);
  }
  return chosen.size === max ? [...chosen].sort((a, b) => a - b) : enumerate();
}

function sampleWithoutReplacement(items: readonly number[], count: number, random: () => number): number[] {
  const pool = [...items];
  for (let i = 0; i < count; i++) {
    const pick = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[pick]] = [pool[pick], pool[i]];
  }
  return pool.slice(0, count).sort((a, b) => a - b);
}
