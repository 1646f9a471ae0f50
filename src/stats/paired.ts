import { createRng } from './prng.js';
import { percentileInterval } from './bootstrap.js';
import { type GroupItems, correctness } from './group-data.js';
import { headlineValues } from './group-metrics.js';
import { mcnemarExact } from './mcnemar.js';
import { wilcoxonSignedRank } from './wilcoxon.js';
import type { Estimate, Value } from './value.js';

/**
 * Compares two groups of items (two variants in one run, or one group in two runs). Items pair by
 * key. Every headline metric gets a delta B − A with a bootstrap interval: resampling pairs when the
 * items match, each side on its own otherwise. The paired test: McNemar's exact test on correctness
 * for classification, Wilcoxon signed-rank on raw similarity; effect sizes oriented B − A.
 */
export interface PairedTest {
  readonly name: 'mcnemar-exact' | 'wilcoxon-signed-rank';
  /** Pairs the test used (Wilcoxon: non-zero differences). */
  readonly n: number;
  readonly p: number;
  /** Test details: McNemar { bBetter, aBetter }, Wilcoxon { wPlus, wMinus, method }. */
  readonly detail: Readonly<Record<string, number | string>>;
  readonly effect: { readonly name: string; readonly value: number | null; readonly reason?: string };
  /** Secondary effect: McNemar's discordance odds ratio (B right, A wrong) / (A right, B wrong). */
  readonly oddsRatio?: { readonly value: number | null; readonly reason?: string };
}

export interface ItemComparison {
  /** Items present in both (by key). */
  readonly paired: number;
  readonly onlyA: number;
  readonly onlyB: number;
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
  // Point deltas on the paired items when items match, else on everything each side has.
  const pointA = headlineValues(a, pairedMode ? ia : undefined);
  const pointB = headlineValues(b, pairedMode ? ib : undefined);
  const metrics = Object.keys(pointA).filter((k) => k in pointB);
  const samples = new Map<string, number[]>(metrics.map((m) => [m, []]));
  const rng = createRng(options.seed);
  const nA = pairedMode ? paired : a.keys.length;
  const nB = pairedMode ? paired : b.keys.length;
  if (nA >= 2 && nB >= 2) {
    const pickA = new Int32Array(nA);
    const pickB = new Int32Array(nB);
    for (let r = 0; r < options.resamples; r++) {
      if (pairedMode) {
        for (let j = 0; j < paired; j++) { const t = rng.int(paired); pickA[j] = ia[t]; pickB[j] = ib[t]; }
      } else {
        for (let j = 0; j < nA; j++) pickA[j] = rng.int(nA);
        for (let j = 0; j < nB; j++) pickB[j] = rng.int(nB);
      }
      const va = headlineValues(a, pickA);
      const vb = headlineValues(b, pickB);
      for (const m of metrics) {
        const d = delta(va[m], vb[m]);
        if (d.value !== null) samples.get(m)!.push(d.value);
      }
    }
  }
  const deltas: Record<string, Estimate> = {};
  for (const m of metrics) {
    const d = delta(pointA[m], pointB[m]);
    if (d.value === null) { deltas[m] = { value: null, reason: d.reason, ci: null }; continue; }
    const interval = nA >= 2 && nB >= 2 ? percentileInterval(samples.get(m)!, options) : { ci: null, reason: 'fewer than 2 items' };
    deltas[m] = interval.ci ? { value: d.value, ci: interval.ci } : { value: d.value, ci: null, ciReason: interval.reason };
  }
  const tested = pairedTest(a, b, { ia, ib });
  const valuesOf = (v: Record<string, Value>) => Object.fromEntries(metrics.map((m) => [m, v[m].value]));
  return { paired, onlyA: a.keys.length - paired, onlyB: b.keys.length - paired, deltas, valuesA: valuesOf(pointA), valuesB: valuesOf(pointB), ...tested };
}

function pairedTest(a: GroupItems, b: GroupItems, pairs: { ia: number[]; ib: number[] }): { test: PairedTest | null; testReason?: string } {
  if (pairs.ia.length === 0) return { test: null, testReason: 'no items in common' };
  const okA = correctness(a);
  const okB = correctness(b);
  if (okA && okB) {
    const r = mcnemarExact(pairs.ib.map((j) => okB[j]), pairs.ia.map((i) => okA[i]));
    return {
      test: {
        name: 'mcnemar-exact',
        n: r.n,
        p: r.p,
        detail: { bBetter: r.b, aBetter: r.c },
        effect: { name: 'accuracy difference (B − A)', value: r.difference.value, reason: r.difference.reason },
        oddsRatio: { value: r.oddsRatio.value, reason: r.oddsRatio.reason },
      },
    };
  }
  if (a.kind === 'similarity' && b.kind === 'similarity') {
    const xs: number[] = [];
    const ys: number[] = [];
    pairs.ia.forEach((i, t) => {
      const x = a.raw[i];
      const y = b.raw[pairs.ib[t]];
      if (x !== null && y !== null) { xs.push(x); ys.push(y); }
    });
    if (xs.length === 0) return { test: null, testReason: 'no pair with both similarities defined' };
    const r = wilcoxonSignedRank(ys, xs);
    return {
      test: {
        name: 'wilcoxon-signed-rank',
        n: r.n,
        p: r.p,
        detail: { wPlus: r.wPlus, wMinus: r.wMinus, method: r.method },
        effect: { name: 'rank-biserial correlation (B − A)', value: r.rankBiserial.value, reason: r.rankBiserial.reason },
      },
    };
  }
  return { test: null, testReason: `no paired test for ${a.kind} groups` };
}
