/**
 * compareItems beyond the happy path of paired.test.ts: how items pair, when the comparison is
 * paired, which interval and test each metric gets, and what is said when a side is undefined.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareItems, sameRawScale } from '../../src/stats/paired.js';
import type { SimilarityItems, SingleLabelItems, VaItems } from '../../src/stats/group-data.js';

const settings = { resamples: 400, confidence: 0.95, seed: 3 };

function single(keys: string[], truth: number[], pred: number[], ids?: string[]): SingleLabelItems {
  return { kind: 'classification', keys, labels: ['a', 'b'], truth, pred, valence: keys.map(() => null), arousal: keys.map(() => null), ...(ids ? { ids } : {}) };
}

function similar(keys: string[], raw: (number | null)[], over: Partial<SimilarityItems> = {}): SimilarityItems {
  return { kind: 'similarity', keys, embedders: ['glove'], raw, nullMean: raw, z: raw, percentile: raw, ...over };
}

const range = (n: number, prefix = 'i') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('raw cosines compare only within one and the same embedder', () => {
  const s = (embedders: string[]) => similar([], [], { embedders });
  assert.equal(sameRawScale(s([]), s([])), true);
  assert.equal(sameRawScale(s(['glove']), s(['glove'])), true);
  assert.equal(sameRawScale(s(['glove']), s(['use'])), false);
  assert.equal(sameRawScale(s(['glove']), s([])), false);
  assert.equal(sameRawScale(s([]), s(['glove'])), false);
  assert.equal(sameRawScale(s(['glove', 'use']), s(['glove', 'use'])), false, 'a group pooling two embedders mixes scales');
});

test('items pair by key, the first row of a repeated key counting; unmatched items are counted on each side', () => {
  // A lists x twice: right the first time, wrong the second. B: x right, y right, z (only in B).
  const a = single(['x', 'x', 'y', 'w'], [0, 0, 1, 1], [0, 1, 1, 0]);
  const b = single(['x', 'y', 'z', 'x'], [0, 1, 0, 0], [0, 1, 1, 1]);
  const r = compareItems(a, b, settings);
  assert.deepEqual([r.paired, r.onlyA, r.onlyB], [2, 2, 2]);
  assert.equal(r.valuesA.accuracy, 1, 'x (first row) and y are right in A');
  assert.equal(r.valuesB.accuracy, 1, 'x (first row) and y are right in B');
  assert.equal(r.deltas.accuracy.value, 0);
  assert.equal(r.deltas.accuracy.method, 'tango-score', 'two pairs: a paired comparison');
  assert.deepEqual(r.test?.detail, { bBetter: 0, aBetter: 0 });
});

test('groups of different kinds cannot be compared', () => {
  assert.throws(() => compareItems(single(['a'], [0], [0]), similar(['a'], [0.5]) as never, settings), (e: unknown) =>
    e instanceof RangeError && e.message === 'cannot compare a classification group with a similarity group');
});

test('without pairs: each side resampled on its own, Newcombe for proportions, the interval by the smaller side', () => {
  const a = single(range(12, 'a'), range(12).map((_, i) => i % 2), range(12).map((_, i) => (i < 6 ? i % 2 : 1 - (i % 2))));
  const b = single(range(10, 'b'), range(10).map((_, i) => i % 2), range(10).map((_, i) => i % 2));
  const r = compareItems(a, b, settings);
  assert.deepEqual([r.paired, r.onlyA, r.onlyB], [0, 12, 10]);
  assert.deepEqual([r.deltas.accuracy.value, r.deltas.accuracy.method], [0.5, 'newcombe-clopper-pearson']);
  assert.ok(r.deltas.accuracy.ci![0] > 0, 'A half right, B all right: B better');
  assert.equal(r.deltas.macro_f1.method, 'percentile-bootstrap');
  const [lo, hi] = r.deltas.macro_f1.ci!;
  assert.ok(lo < hi, `each side resampled: ${lo} < ${hi}`);
  assert.equal(r.test, null);
  assert.equal(r.testReason, 'no items in common');
});

test('one unit on a side: no bootstrap interval, and the reason says so', () => {
  const r = compareItems(similar(['a0'], [0.2]), similar(range(5, 'b'), [0.5, 0.6, 0.7, 0.8, 0.9]), settings);
  assert.equal(r.paired, 0);
  assert.ok(Math.abs(r.deltas.raw_mean.value! - 0.5) < 1e-12);
  assert.deepEqual([r.deltas.raw_mean.ci, r.deltas.raw_mean.ciReason], [null, 'fewer than 2 items']);
  const other = compareItems(similar(range(5, 'a'), [0.5, 0.6, 0.7, 0.8, 0.9]), similar(['b0'], [0.2]), settings);
  assert.deepEqual([other.deltas.raw_mean.ci, other.deltas.raw_mean.ciReason], [null, 'fewer than 2 items']);
  // Two units on each side are enough.
  const two = compareItems(similar(['a0', 'a1'], [0.2, 0.4]), similar(['b0', 'b1'], [0.5, 0.9]), settings);
  assert.ok(two.deltas.raw_mean.ci !== null, JSON.stringify(two.deltas.raw_mean));
});

test('the smaller side sets the small-sample expansion of an unpaired interval', () => {
  // B: two items with the same value (B's mean never moves); A: 40 spread values. With 2 units the
  // expanded tail is ~0 (the interval spans the resamples' extremes); with 40 it would be ~2.4%.
  const spread = range(40).map((_, i) => i / 39);
  const r = compareItems(similar(range(40, 'a'), spread), similar(['b0', 'b1'], [0.5, 0.5]), settings);
  const [lo, hi] = r.deltas.raw_mean.ci!;
  // The resampled mean of 40 uniform values has sd ≈ 0.047: ±2 sd would be ≈ 0.19 wide.
  assert.ok(hi - lo > 0.24, `width ${hi - lo}`);
});

test('paired: every resampled difference is the same when B = A + 0.1, so the interval is that point', () => {
  const keys = range(8);
  const raw = keys.map((_, i) => 0.1 * i);
  const r = compareItems(similar(keys, raw), similar(keys, raw.map((v) => v + 0.1)), settings);
  assert.equal(r.paired, 8);
  for (const m of ['raw_mean', 'z_mean', 'percentile_mean'] as const) {
    assert.equal(r.deltas[m].method, 'percentile-bootstrap', m);
    const [lo, hi] = r.deltas[m].ci!;
    assert.ok(Math.abs(lo - 0.1) < 1e-12 && Math.abs(hi - 0.1) < 1e-12, `${m}: [${lo}, ${hi}]`);
  }
});

test('a resample where a statistic is undefined is left out of its interval, not counted as zero', () => {
  // z defined on two of ten pairs only, B − A = 5 on both: every defined resampled delta is 5.
  const keys = range(10);
  const raw = keys.map((_, i) => 0.05 * i);
  const zA = keys.map((_, i) => (i < 2 ? i : null));
  const zB = keys.map((_, i) => (i < 2 ? i + 5 : null));
  const r = compareItems(similar(keys, raw, { z: zA }), similar(keys, raw, { z: zB }), settings);
  assert.deepEqual(r.deltas.z_mean.ci, [5, 5]);
});

test('an undefined metric on one side gives an undefined delta that names the side', () => {
  // One true class; A predicts only it (kappa undefined: chance agreement is 1), B does not.
  const keys = range(6);
  const truth = [0, 0, 0, 0, 0, 0];
  const r = compareItems(single(keys, truth, [0, 0, 0, 0, 0, 0]), single(keys, truth, [0, 1, 0, 1, 0, 0]), settings);
  assert.equal(r.deltas.kappa.value, null);
  assert.match(r.deltas.kappa.reason!, /^A: /);
  assert.equal(r.deltas.kappa.ci, null);
  const back = compareItems(single(keys, truth, [0, 1, 0, 1, 0, 0]), single(keys, truth, [0, 0, 0, 0, 0, 0]), settings);
  assert.match(back.deltas.kappa.reason!, /^B: /);
});

test('a metric only one side has (a human rating on one side only) gets no delta', () => {
  const keys = range(5);
  const raw = [0.1, 0.4, 0.3, 0.8, 0.5];
  const r = compareItems(similar(keys, raw, { rating: [1, 2, 3, 4, 5] }), similar(keys, raw), settings);
  assert.equal('spearman_human' in r.deltas, false);
  assert.equal('spearman_human' in r.valuesA, false);
  assert.equal(r.valuesA.raw_mean, r.valuesB.raw_mean);
});

test('ids given but one per pair: not clustered; ids shared by pairs: clustered intervals and tests', () => {
  const keys = range(8);
  const truth = keys.map((_, i) => i % 2);
  const predA = truth.map((t, i) => (i < 4 ? t : 1 - t));
  const own = compareItems(single(keys, truth, predA, keys), single(keys, truth, truth, keys), settings);
  assert.equal('pairedClusters' in own, false);
  assert.deepEqual([own.deltas.accuracy.method, own.deltas.macro_f1.method, own.test?.name], ['tango-score', 'percentile-bootstrap-tango', 'mcnemar-exact']);
  const ids = keys.map((_, i) => `f${Math.floor(i / 2)}`);
  const pooled = compareItems(single(keys, truth, predA, ids), single(keys, truth, truth, ids), settings);
  assert.equal(pooled.pairedClusters, 4);
  assert.deepEqual([pooled.deltas.accuracy.method, pooled.deltas.macro_f1.method, pooled.test?.name], ['tango-score-clustered', 'cluster-bootstrap-tango', 'mcnemar-clustered']);
});

test('without pairs, rows sharing ids on either side make the bootstrap a cluster bootstrap', () => {
  const a = single(range(6, 'a'), [0, 1, 0, 1, 0, 1], [0, 1, 1, 1, 0, 0]);
  const bKeys = range(6, 'b');
  const b = single(bKeys, [0, 1, 0, 1, 0, 1], [0, 1, 0, 1, 0, 0], ['p', 'p', 'q', 'q', 'r', 'r']);
  assert.equal(compareItems(a, b, settings).deltas.macro_f1.method, 'cluster-bootstrap');
  assert.equal(compareItems(b, a, settings).deltas.macro_f1.method, 'cluster-bootstrap');
  assert.equal(compareItems(a, { ...b, ids: undefined }, settings).deltas.macro_f1.method, 'percentile-bootstrap');
});

test('McNemar: details, effect and odds ratio oriented B − A', () => {
  const keys = range(10);
  const truth = keys.map(() => 0);
  // A right on 0..4, B right on 0..7 and wrong on 2: B better on 5, 6, 7; A better on 2.
  const a = single(keys, truth, keys.map((_, i) => (i < 5 ? 0 : 1)));
  const b = single(keys, truth, keys.map((_, i) => (i < 8 && i !== 2 ? 0 : 1)));
  const r = compareItems(a, b, settings);
  assert.equal(r.test?.name, 'mcnemar-exact');
  assert.deepEqual(r.test?.detail, { bBetter: 3, aBetter: 1 });
  assert.deepEqual(r.test?.effect, { name: 'accuracy difference (B − A)', value: 0.2, reason: undefined });
  assert.deepEqual(r.test?.oddsRatio, { value: 3, reason: undefined });
});

test('Wilcoxon: pairs with a null on either side are left out; no usable pair, no test; all differences zero is degenerate', () => {
  const keys = range(7);
  const base = [0.5, 0.6, 0.55, 0.7, 0.65, 0.4, 0.3];
  const up = base.map((v, i) => v + 0.01 * (i + 1));
  const nullA = compareItems(similar(keys, base.map((v, i) => (i === 0 ? null : v))), similar(keys, up), settings);
  assert.equal(nullA.test?.n, 6);
  assert.deepEqual(nullA.test?.detail, { wPlus: 21, wMinus: 0, method: 'exact', scale: 'raw cosine', unit: 'pair' });
  assert.deepEqual([nullA.test?.effect.name, nullA.test?.effect.value], ['rank-biserial correlation (B − A)', 1]);
  assert.equal(nullA.test?.degenerate, undefined);

  const none = compareItems(similar(keys, keys.map(() => null)), similar(keys, up), settings);
  assert.deepEqual([none.test, none.testReason], [null, 'no pair with both raw cosine similarities defined']);

  const same = compareItems(similar(keys, base), similar(keys, base), settings);
  assert.equal(same.test?.n, 0);
  assert.equal(same.test?.degenerate, 'every difference is zero');
});

test('Wilcoxon on pooled rows: the unit is an item id, its rows\' differences averaged', () => {
  // Ids p (1 row), q (3 rows), r (1 row), s (1 row). Differences B − A: p +0.4; q +0.1, +0.1, +0.4 (mean 0.2); r −0.3; s +0.1.
  const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
  const ids = ['p', 'q', 'q', 'q', 'r', 's'];
  const a = similar(keys, [0, 0, 0, 0, 0.3, 0], { ids });
  const b = similar(keys, [0.4, 0.1, 0.1, 0.4, 0, 0.1], { ids });
  const r = compareItems(a, b, settings);
  assert.equal(r.test?.n, 4);
  // |d| ranks: s 0.1 → 1, q 0.2 → 2, r 0.3 → 3, p 0.4 → 4; W+ = 1 + 2 + 4 = 7, W− = 3.
  assert.deepEqual({ wPlus: r.test?.detail.wPlus, wMinus: r.test?.detail.wMinus, unit: r.test?.detail.unit }, { wPlus: 7, wMinus: 3, unit: 'item id (mean difference over its pooled rows)' });
});

test('VA groups get deltas but no paired test', () => {
  const keys = range(4);
  const va = (shift: number): VaItems => ({
    kind: 'va', keys, valence: [0.1, 0.2, 0.3, 0.4].map((v) => v + shift), arousal: [0, 0.1, 0.2, 0.3], annotatedValence: [0.1, 0.25, 0.3, 0.5], annotatedArousal: [0, 0.1, 0.3, 0.3],
  });
  const r = compareItems(va(0), va(0.05), settings);
  assert.deepEqual([r.test, r.testReason], [null, 'no paired test for va groups']);
  assert.ok(r.deltas.valence_rmse.value !== null);
});

test('a resample where one side\'s metric is undefined gives no difference, on either side', () => {
  // Ten pairs; one side has a raw cosine for one item only (0.5), the other 0.5 everywhere. Every
  // resample that holds that item has a difference of exactly 0; about a third miss it (raw_mean
  // undefined on the sparse side) and must add nothing, not the other side's value (0.5 − null).
  const sparse = range(10).map((_, i) => (i === 3 ? 0.5 : null));
  const full = range(10).map(() => 0.5);
  for (const [a, b] of [[sparse, full], [full, sparse]]) {
    const r = compareItems(similar(range(10), a), similar(range(10), b), settings);
    assert.equal(r.paired, 10);
    assert.deepEqual([r.deltas.raw_mean.value, r.deltas.raw_mean.ci, r.deltas.raw_mean.method], [0, [0, 0], 'percentile-bootstrap'], `sparse side ${a === sparse ? 'A' : 'B'}`);
  }
});
