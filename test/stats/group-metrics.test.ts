/**
 * Group metrics on small hand-worked groups of every kind: the point estimates, which interval each
 * metric gets (Clopper–Pearson for proportions of items, a bootstrap for the rest, both by item id
 * when rows share one), per-class rows and the confusion matrix. Intervals themselves are tested
 * against references in proportion.test.ts and bootstrap.test.ts; here, that each metric gets the
 * right one on the right rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeGroupMetrics, headlineValues, HEADLINE_METRICS, proportionOutcomes, INVALID_COLUMN } from '../../src/stats/group-metrics.js';
import { itemCount, type MultiLabelItems, type SimilarityItems, type SingleLabelItems, type VaItems } from '../../src/stats/group-data.js';
import { clopperPearson } from '../../src/stats/proportion.js';
import { INVALID } from '../../src/stats/single-label.js';
import type { Estimate } from '../../src/stats/value.js';

const settings = { resamples: 400, confidence: 0.95, seed: 11 };
const near = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-8, `${what}: ${actual} vs ${expected}`);

function values(record: Record<string, { value: number | null; reason?: string }>): Record<string, number | string | null> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.value === null ? `null: ${v.reason}` : Math.round(v.value * 1e9) / 1e9]));
}

function assertBootstrapped(e: Estimate, method: 'percentile-bootstrap' | 'cluster-bootstrap', what: string) {
  assert.equal(e.method, method, what);
  assert.ok(e.ci && e.ci[0] <= e.ci[1] && e.value !== null, `${what}: ${JSON.stringify(e)}`);
  assert.equal('effectiveN' in e, false, `${what}: a bootstrap has no effective n`);
}

// truth a a b b c c; pred a b b (invalid) c c
const classification: SingleLabelItems = {
  kind: 'classification', keys: ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'], labels: ['a', 'b', 'c'],
  truth: [0, 0, 1, 1, 2, 2], pred: [0, 1, 1, INVALID, 2, 2],
  valence: [null, null, null, null, null, null], arousal: [null, null, null, null, null, null],
};

test('classification: accuracy and invalid rate get Clopper–Pearson; F1 and kappa a bootstrap; classes and confusion by hand', () => {
  const m = computeGroupMetrics(classification, settings);
  assert.equal(m.n, 6);
  assert.equal('clusters' in m, false);
  assert.deepEqual(Object.keys(m.headline), [...HEADLINE_METRICS.classification]);
  assert.deepEqual({ value: m.headline.accuracy.value, ci: m.headline.accuracy.ci, method: m.headline.accuracy.method, n: m.headline.accuracy.effectiveN },
    { value: 4 / 6, ci: clopperPearson(4, 6, 0.95), method: 'clopper-pearson', n: 6 });
  assert.deepEqual({ value: m.headline.invalid_rate.value, ci: m.headline.invalid_rate.ci, method: m.headline.invalid_rate.method },
    { value: 1 / 6, ci: clopperPearson(1, 6, 0.95), method: 'clopper-pearson' });
  for (const k of ['macro_f1', 'weighted_f1', 'kappa'] as const) assertBootstrapped(m.headline[k], 'percentile-bootstrap', k);
  // F1 per class: a 2/3, b 1/2, c 1; macro = 13/18; weighted by support 2 each = the same.
  near(m.headline.macro_f1.value, 13 / 18, 'macro_f1');
  near(m.headline.weighted_f1.value, 13 / 18, 'weighted_f1');
  assert.deepEqual(m.classes!.map((c) => [c.label, c.support, c.predicted, c.precision.value, c.recall.value, c.f1.value]), [
    ['a', 2, 1, 1, 0.5, 2 / 3],
    ['b', 2, 2, 0.5, 0.5, 0.5],
    ['c', 2, 2, 1, 1, 1],
  ]);
  // Per-class accuracy: Clopper–Pearson on that class's rows only.
  assert.deepEqual(m.classes!.map((c) => [c.recall.ci, c.recall.method, c.recall.effectiveN]), [
    [clopperPearson(1, 2, 0.95), 'clopper-pearson', 2],
    [clopperPearson(1, 2, 0.95), 'clopper-pearson', 2],
    [clopperPearson(2, 2, 0.95), 'clopper-pearson', 2],
  ]);
  assert.deepEqual(m.confusion, {
    labels: ['a', 'b', 'c'],
    columns: ['a', 'b', 'c', INVALID_COLUMN],
    counts: [[1, 1, 0, 0], [0, 1, 0, 1], [0, 0, 2, 0]],
  });
  assert.equal(INVALID_COLUMN, '(invalid)');
});

test('classification with rows sharing item ids: intervals by id, per class too', () => {
  const clustered: SingleLabelItems = { ...classification, ids: ['f1', 'f1', 'f2', 'f2', 'f3', 'f3'] };
  const m = computeGroupMetrics(clustered, settings);
  assert.equal(m.clusters, 3);
  assert.equal(m.headline.accuracy.method, 'clopper-pearson-clustered');
  assert.equal(m.headline.invalid_rate.method, 'clopper-pearson-clustered');
  for (const k of ['macro_f1', 'weighted_f1', 'kappa'] as const) assertBootstrapped(m.headline[k], 'cluster-bootstrap', k);
  // Class a's two rows are one item (f1), one right and one wrong: one independent unit.
  assert.deepEqual([m.classes![0].recall.method, m.classes![0].recall.effectiveN, m.classes![0].recall.ci], ['clopper-pearson-clustered', 1, clopperPearson(0.5, 1, 0.95)]);
  // Class b's rows (2, 3) are one id (r), although the group's first two rows are two ids: per-class
  // intervals use the class's own rows' ids.
  const perClassIds = computeGroupMetrics({ ...classification, ids: ['p', 'q', 'r', 'r', 's', 't'] }, settings);
  assert.deepEqual([perClassIds.classes![1].recall.method, perClassIds.classes![1].recall.effectiveN], ['clopper-pearson-clustered', 1]);
  // Every id its own row: no clusters, the plain methods.
  const own = computeGroupMetrics({ ...classification, ids: ['1', '2', '3', '4', '5', '6'] }, settings);
  assert.equal('clusters' in own, false);
  assert.equal(own.headline.accuracy.method, 'clopper-pearson');
  assertBootstrapped(own.headline.macro_f1, 'percentile-bootstrap', 'macro_f1');
});

test('an undefined metric has a reason and no interval; one without an interval says why', () => {
  // One class only: kappa is undefined (chance agreement is 1).
  const one: SingleLabelItems = { ...classification, keys: ['x', 'y'], truth: [0, 0], pred: [0, 0], valence: [null, null], arousal: [null, null] };
  const m = computeGroupMetrics(one, settings);
  assert.equal(m.headline.kappa.value, null);
  assert.equal(m.headline.kappa.ci, null);
  assert.equal(typeof m.headline.kappa.reason, 'string');
  assert.equal(m.headline.kappa.method, undefined);
  // A single item: defined point estimates, but a bootstrap of one item is no interval.
  const single = computeGroupMetrics({ ...classification, keys: ['x'], truth: [0], pred: [0], valence: [null], arousal: [null] }, settings);
  assert.equal(single.headline.macro_f1.value, 1);
  assert.equal(single.headline.macro_f1.ci, null);
  assert.equal(typeof single.headline.macro_f1.ciReason, 'string');
  assert.notEqual(single.headline.macro_f1.ciReason, 'no interval');
});

const similarity: SimilarityItems = {
  kind: 'similarity', keys: ['a', 'b', 'c', 'd', 'e'], embedders: ['glove'],
  raw: [0.9, null, 0.5, 0.7, 0.6],
  nullMean: [0.4, 0.5, null, 0.3, 0.2],
  z: [2, null, -1, 1, 0.5],
  percentile: [90, null, 20, 70, 60],
  rating: [5, 4, null, 3, 4],
};

test('similarity: means, medians and rates over the present values; Spearman against the human rating on the pairs that have both', () => {
  assert.deepEqual(values(headlineValues(similarity)), {
    raw_mean: 0.675, shuffled_mean: 0.35, raw_median: 0.65, z_mean: 0.625, z_median: 0.75, percentile_mean: 60, missing_rate: 0.2,
    // a (0.9, 5), d (0.7, 3), e (0.6, 4): raw ranks 3 2 1, rating ranks 3 1 2 → 0.5
    spearman_human: 0.5,
  });
  // A resample picks items, with repeats: c d e, then a a c.
  assert.deepEqual(values(headlineValues(similarity, [2, 3, 4])), {
    raw_mean: 0.6, shuffled_mean: 0.25, raw_median: 0.6, z_mean: 0.166666667, z_median: 0.5, percentile_mean: 50, missing_rate: 0, spearman_human: -1,
  });
  assert.deepEqual(values(headlineValues(similarity, [0, 0, 2])), {
    raw_mean: 0.766666667, shuffled_mean: 0.4, raw_median: 0.9, z_mean: 1, z_median: 2, percentile_mean: 66.666666667, missing_rate: 0,
    // a twice (c has no rating): one distinct pair, no rank correlation.
    spearman_human: 'null: correlation undefined: one variable is constant',
  });
  const missing = values(headlineValues(similarity, [1]));
  assert.deepEqual([missing.raw_median, missing.z_median, missing.missing_rate, missing.spearman_human],
    ['null: no values', 'null: no values', 1, 'null: needs at least 2 items with a similarity and a rating, got 0']);
  assert.equal(values(headlineValues(similarity, [])).missing_rate, 'null: empty group: no items');
  assert.equal('spearman_human' in headlineValues({ ...similarity, rating: undefined }), false, 'no rating field, no Spearman');
});

test('similarity: the missing rate gets Clopper–Pearson, the rest a bootstrap', () => {
  const m = computeGroupMetrics(similarity, settings);
  assert.equal(m.n, 5);
  assert.equal(itemCount(similarity), 5);
  assert.equal('clusters' in m, false);
  assert.equal(computeGroupMetrics({ ...similarity, ids: ['x', 'x', 'y', 'z', 'z'] }, settings).clusters, 3);
  assert.deepEqual(proportionOutcomes(similarity), { missing_rate: [false, true, false, false, false] });
  assert.deepEqual([m.headline.missing_rate.value, m.headline.missing_rate.ci, m.headline.missing_rate.method], [0.2, clopperPearson(1, 5, 0.95), 'clopper-pearson']);
  for (const k of ['raw_mean', 'shuffled_mean', 'raw_median', 'z_mean', 'z_median', 'percentile_mean'] as const) assertBootstrapped(m.headline[k], 'percentile-bootstrap', k);
  assert.equal(m.classes, undefined);
  assert.equal(m.confusion, undefined);
});

test('multi-label: an exact match is the same set in any order; a null prediction is invalid', () => {
  const items: MultiLabelItems = {
    kind: 'multilabel', keys: ['a', 'b', 'c', 'd', 'e', 'f'], labels: ['x', 'y', 'z'], classCount: 3,
    truth: [[0], [0, 1], [2], [1], [0, 1], [0]],
    // right; right in another order; invalid; wrong; one of two right; a superset
    pred: [[0], [1, 0], null, [2], [0, 2], [0, 1]],
  };
  assert.deepEqual(proportionOutcomes(items), { exact_match: [true, true, false, false, false, false], invalid_rate: [false, false, true, false, false, false] });
  const m = computeGroupMetrics(items, settings);
  assert.deepEqual(Object.keys(m.headline), [...HEADLINE_METRICS.multilabel]);
  assert.deepEqual([m.headline.exact_match.value, m.headline.exact_match.ci, m.headline.exact_match.method], [2 / 6, clopperPearson(2, 6, 0.95), 'clopper-pearson']);
  assert.deepEqual([m.headline.invalid_rate.value, m.headline.invalid_rate.ci], [1 / 6, clopperPearson(1, 6, 0.95)]);
  for (const k of ['jaccard', 'hamming', 'micro_f1', 'macro_f1'] as const) assertBootstrapped(m.headline[k], 'percentile-bootstrap', k);
  assert.equal(m.classes, undefined);
});

test('VA: Pearson, CCC and RMSE per axis over the items with an annotation on that axis', () => {
  const items: VaItems = {
    kind: 'va', keys: ['a', 'b', 'c', 'd'],
    valence: [0.1, 0.5, -0.2, 0.8], arousal: [0.3, -0.1, 0, 0.2],
    annotatedValence: [0.2, 0.4, null, 0.6], annotatedArousal: [0.1, null, 0.1, 0.4],
  };
  const v = headlineValues(items);
  assert.deepEqual(Object.keys(v), [...HEADLINE_METRICS.va]);
  // valence pairs (0.1, 0.2) (0.5, 0.4) (0.8, 0.6); arousal pairs (0.3, 0.1) (0, 0.1) (0.2, 0.4)
  near(v.valence_rmse.value, Math.sqrt(0.02), 'valence_rmse');
  near(v.arousal_rmse.value, Math.sqrt(0.03), 'arousal_rmse');
  near(v.valence_pearson.value, 0.996615896, 'valence_pearson');
  near(v.arousal_pearson.value, 0.188982237, 'arousal_pearson');
  assert.ok(v.valence_ccc.value! > 0.5 && v.valence_ccc.value! < v.valence_pearson.value!, 'CCC penalises the offset');
  const m = computeGroupMetrics(items, settings);
  assert.deepEqual(proportionOutcomes(items), {});
  for (const k of HEADLINE_METRICS.va) assert.equal(m.headline[k].method, 'percentile-bootstrap', k);
});
