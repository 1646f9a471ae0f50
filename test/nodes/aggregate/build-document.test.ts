/**
 * buildDocument on hand-made groups: what the metrics document holds (selection of metrics, labels,
 * warnings), which comparisons it makes, and the Holm family. Small bootstrap counts keep it fast;
 * the numbers themselves are tested in test/stats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDocument, axisSpecs } from '../../../nodes/aggregate/build-document.js';
import type { CollectedGroup } from '../../../nodes/aggregate/collect.js';
import type { AggregateParams } from '../../../nodes/aggregate/params.generated.js';
import type { MultiLabelItems, SimilarityItems, SingleLabelItems, VaItems } from '../../../src/stats/group-data.js';
import type { MetricsGroup } from '../../../src/report/metrics-document.js';

const FAST = { bootstrap: { resamples: 60, confidence: 0.9 } } as const;
const NOW = () => new Date('2026-01-02T03:04:05Z');
const keys = (n: number) => Array.from({ length: n }, (_, i) => `i${i}`);

function classification(coords: Record<string, string>, pred: number[], node = 'classify', extra: Partial<CollectedGroup> = {}): CollectedGroup {
  const truth = pred.map((_, i) => i % 2);
  const items: SingleLabelItems = { kind: 'classification', keys: keys(pred.length), labels: ['a', 'b'], truth, pred, valence: pred.map(() => null), arousal: pred.map(() => null) };
  const key = `${node}/classification[${Object.entries(coords).map(([a, v]) => `${a}=${v}`).join(',')}]`;
  return { key, family: 'classification', node, coords, items, ...extra };
}

function similarity(coords: Record<string, string>, raw: (number | null)[], embedders = ['glove'], rating?: (number | null)[]): CollectedGroup {
  const items: SimilarityItems = { kind: 'similarity', keys: keys(raw.length), embedders, raw, nullMean: raw, z: raw, percentile: raw, ...(rating ? { rating } : {}) };
  return { key: `scores/similarity[${Object.entries(coords).map(([a, v]) => `${a}=${v}`).join(',')}]`, family: 'similarity', node: 'scores', coords, items };
}

const va: CollectedGroup = {
  key: 'faces/va[]', family: 'va', node: 'faces', coords: {},
  items: { kind: 'va', keys: keys(3), valence: [0.1, 0.4, 0.7], arousal: [0, 0.2, 0.1], annotatedValence: [0.2, 0.3, 0.8], annotatedArousal: [0.1, 0.1, 0.2] } satisfies VaItems,
};

const build = (groups: CollectedGroup[], params: AggregateParams = {}, warnings: string[] = []) =>
  buildDocument(groups, warnings, { node: 'metrics', seed: 9, params: { ...FAST, ...params }, now: NOW });

test('the document envelope: format, node, time, seed, bootstrap settings (defaults 1000 and 0.95), by and metrics as given', () => {
  const doc = buildDocument([], [], { node: 'scores', seed: 5, params: {}, now: NOW });
  assert.deepEqual({ ...doc, groups: doc.groups.length, comparisons: doc.comparisons.length }, {
    format: 'vaflow-metrics', version: 2, node: 'scores', createdAt: '2026-01-02T03:04:05.000Z', seed: 5,
    bootstrap: { resamples: 1000, confidence: 0.95 }, by: null, metrics: null, groups: 0, comparisons: 0,
    multipleTesting: { method: 'holm', family: 0, degenerate: 0 }, warnings: [],
  });
  const custom = build([], { by: ['model'], metrics: ['accuracy'] });
  assert.deepEqual([custom.bootstrap, custom.by, custom.metrics], [{ resamples: 60, confidence: 0.9 }, ['model'], ['accuracy']]);
});

test('metric selection: names stand for headline metrics; a group none applies to is left out with a warning', () => {
  const groups = [classification({ model: 'm1' }, [0, 1, 1, 1]), similarity({ model: 'm1' }, [0.5, 0.6, 0.7]), va];
  const all = build(groups, { compare: 'none' });
  assert.deepEqual(all.groups.map((g) => Object.keys(g.headline).length), [5, 7, 6]);
  assert.ok(all.groups[0].classes && all.groups[0].confusion, 'per-class rows and the confusion matrix by default');

  const warnings: string[] = [];
  const some = build(groups, { metrics: ['accuracy', 'similarity'], compare: 'none' }, warnings);
  assert.deepEqual(some.groups.map((g) => [g.kind, Object.keys(g.headline)]), [
    ['classification', ['accuracy']],
    ['similarity', ['raw_mean', 'shuffled_mean', 'raw_median', 'z_mean', 'z_median', 'percentile_mean', 'missing_rate']],
  ]);
  assert.equal(some.groups[0].classes, undefined);
  assert.equal(some.groups[0].confusion, undefined);
  assert.deepEqual(warnings, ['faces/va[]: none of the requested metrics applies to va records']);

  const agreement = build(groups, { metrics: ['agreement'], compare: 'none' });
  assert.deepEqual(agreement.groups.map((g) => g.kind), ['va']);
  assert.deepEqual(Object.keys(agreement.groups[0].headline), ['valence_pearson', 'valence_ccc', 'valence_rmse', 'arousal_pearson', 'arousal_ccc', 'arousal_rmse']);

  // Class-level output alone keeps a classification group, with no headline metric.
  const confusionOnly = build(groups, { metrics: ['confusion'], compare: 'none' });
  assert.deepEqual(confusionOnly.groups.map((g) => [g.kind, Object.keys(g.headline).length, !!g.confusion, !!g.classes]), [['classification', 0, true, false]]);
  const perClass = build(groups, { metrics: ['per_class'], compare: 'none' });
  assert.deepEqual(perClass.groups.map((g) => [!!g.confusion, !!g.classes]), [[false, true]]);
});

test('metric selection: each name alone selects exactly its headline metrics, on every kind it applies to', () => {
  const multilabel: CollectedGroup = {
    key: 'emotic/classification[]', family: 'classification', node: 'emotic', coords: {},
    items: { kind: 'multilabel', keys: keys(4), labels: ['a', 'b', 'c'], truth: [[0], [0, 1], [2], [1]], pred: [[0], [1], null, [1, 2]], classCount: 3 } satisfies MultiLabelItems,
  };
  const groups = [classification({}, [0, 1, 1, 1]), multilabel, similarity({}, [0.5, 0.6, 0.7], ['glove'], [1, 3, 2]), va];
  const expected: [NonNullable<AggregateParams['metrics']>[number], string[][]][] = [
    ['accuracy', [['accuracy']]],
    ['macro_f1', [['macro_f1'], ['macro_f1']]],
    ['weighted_f1', [['weighted_f1']]],
    ['kappa', [['kappa']]],
    ['invalid_rate', [['invalid_rate'], ['invalid_rate']]],
    ['exact_match', [['exact_match']]],
    ['jaccard', [['jaccard']]],
    ['hamming', [['hamming']]],
    ['micro_f1', [['micro_f1']]],
    ['spearman_human', [['spearman_human']]],
  ];
  for (const [metric, headlines] of expected) {
    const doc = build(groups, { metrics: [metric], compare: 'none', humanRatingField: 'rating' });
    assert.deepEqual(doc.groups.map((g) => Object.keys(g.headline)), headlines, metric);
  }
});

test('group labels: coordinates joined by " · ", prefixed with the node when one family comes from several nodes; label set and clusters kept', () => {
  const other = classification({ model: 'm1' }, [0, 1], 'classify2');
  const clustered = classification({ model: 'm2' }, [0, 1, 1, 0], 'classify', { labelSet: 'basic7' });
  (clustered.items as SingleLabelItems & { ids?: string[] }).ids = ['x', 'x', 'y', 'y'];
  const doc = build([classification({ model: 'm1', variant: 'v1' }, [0, 1]), other, clustered, va], { compare: 'none' });
  assert.deepEqual(doc.groups.map((g) => g.label), ['classify: model=m1 · variant=v1', 'classify2: model=m1', 'classify: model=m2', 'faces']);
  assert.deepEqual(doc.groups.map((g) => [g.labelSet, g.clusters]), [[undefined, undefined], [undefined, undefined], ['basic7', 2], [undefined, undefined]]);
  assert.equal('labelSet' in doc.groups[0], false);
  assert.equal('clusters' in doc.groups[0], false, 'no clusters key without clusters');
});

test('warnings for pooled embedders and for a human rating that never arrived', () => {
  const warnings: string[] = [];
  build([similarity({}, [0.5, 0.6], ['glove', 'use']), similarity({ model: 'm' }, [0.5, 0.6], ['glove'], [null, null])], { humanRatingField: 'rating', compare: 'none' }, warnings);
  assert.deepEqual(warnings, [
    'scores/similarity[]: pools the raw cosines of glove, use, which are on different scales (raw_mean, raw_median and spearman_human mix them; comparisons use the calibrated z); add "embedder" to `by`',
    'scores/similarity[model=m]: spearman_human undefined (needs at least 2 items with a similarity and a rating, got 0); is "rating" set on the records?',
  ]);
});

test('comparisons: every pair of values of every coordinate, holding the others equal; Holm over the informative tests', () => {
  const groups = [
    classification({ model: 'm1', variant: 'v1' }, [0, 1, 0, 1, 0, 1, 0, 1]),
    classification({ model: 'm1', variant: 'v2' }, [1, 0, 1, 0, 1, 0, 1, 0]),
    classification({ model: 'm2', variant: 'v1' }, [0, 1, 0, 1, 0, 1, 0, 1]),
  ];
  const doc = build(groups);
  assert.deepEqual(doc.comparisons.map((c) => [c.axis, c.aLabel, c.bLabel]), [
    ['model', 'model=m1 · variant=v1', 'model=m2 · variant=v1'],
    ['variant', 'model=m1 · variant=v1', 'model=m1 · variant=v2'],
  ]);
  // m1 vs m2 on v1: identical answers, a degenerate McNemar (outside the family); v1 vs v2: every item differs.
  const [models, variants] = doc.comparisons;
  assert.equal(models.test?.degenerate, 'no discordant pair: both sides right on the same items');
  assert.equal(models.pHolm, null);
  assert.equal(variants.test?.degenerate, undefined);
  assert.equal(variants.pHolm, variants.test?.p, 'a family of one: Holm leaves p alone');
  assert.deepEqual(doc.multipleTesting, { method: 'holm', family: 1, degenerate: 1 });
  assert.deepEqual(Object.keys(variants.deltas), Object.keys(doc.groups[0].headline));
  assert.deepEqual(variants.valuesA.accuracy, 1);
  assert.deepEqual(variants.valuesB.accuracy, 0);
  assert.deepEqual(doc.warnings, [], 'items in common: no warning');
});

test('compare: none, an explicit axis with chosen pairs, an axis no group has, groups without items in common', () => {
  const groups = [classification({ variant: 'v1' }, [0, 1, 0, 1]), classification({ variant: 'v2' }, [1, 1, 0, 1]), classification({ variant: 'v3' }, [0, 0, 0, 1])];
  assert.deepEqual(build(groups, { compare: 'none' }).comparisons, []);
  const chosen = build(groups, { compare: [{ axis: 'variant', pairs: [['v3', 'v1'], ['v1', 'missing']] }] });
  assert.deepEqual(chosen.comparisons.map((c) => [c.aLabel, c.bLabel]), [['variant=v3', 'variant=v1']]);
  assert.deepEqual([chosen.comparisons[0].valuesA.accuracy, chosen.comparisons[0].valuesB.accuracy], [0.75, 1]);
  const warnings: string[] = [];
  build(groups, { compare: [{ axis: 'model' }] }, warnings);
  assert.deepEqual(warnings, ['compare: no group has the coordinate "model" (is it in `by`?)']);
  const apart = classification({ variant: 'v9' }, [0, 1]);
  (apart.items as { keys: string[] }).keys = ['other-0', 'other-1'];
  const lonely: string[] = [];
  const doc = build([groups[0], apart], {}, lonely);
  assert.deepEqual(lonely, ['compare variant=v1 vs variant=v9: no items in common, no paired test']);
  assert.equal(doc.comparisons[0].pHolm, null);
});

test('all-pairs stands for every coordinate seen on the groups, in first-seen order', () => {
  const g = (coords: Record<string, string>) => ({ coords }) as MetricsGroup;
  assert.deepEqual(axisSpecs(undefined, [g({ model: 'a', variant: 'x' }), g({ embedder: 'e', model: 'b' })]), [{ axis: 'model' }, { axis: 'variant' }, { axis: 'embedder' }]);
  assert.deepEqual(axisSpecs('all-pairs', [g({ model: 'a' })]), [{ axis: 'model' }]);
  assert.deepEqual(axisSpecs('none', [g({ model: 'a' })]), []);
});

test('intervals follow the seed; the point estimates do not', () => {
  const group = [similarity({}, [0.1, 0.5, 0.3, 0.9, 0.7, 0.2])];
  const a = build(group, { compare: 'none' }).groups[0].headline.raw_mean;
  const again = build(group, { compare: 'none' }).groups[0].headline.raw_mean;
  const other = buildDocument(group, [], { node: 'metrics', seed: 10, params: FAST, now: NOW }).groups[0].headline.raw_mean;
  assert.deepEqual(a, again);
  assert.equal(a.value, other.value);
  assert.notDeepEqual(a.ci, other.ci);
});

test('buckets: groups are compared only when they agree on every other coordinate, however the values could run together', () => {
  // Joined without a separator, "a=1" + "bc=2" and "a=1b" + "c=2" would both read "a=1bc=2".
  const groups = [classification({ model: 'm1', a: '1', bc: '2' }, [0, 1, 0, 1]), classification({ model: 'm2', a: '1b', c: '2' }, [0, 1, 1, 1])];
  const doc = build(groups, { compare: [{ axis: 'model' }] });
  assert.deepEqual(doc.comparisons, []);
});

test('each comparison resamples with its own seed (the run seed and the pair): two identical pairs get different intervals', () => {
  const raw = [0.1, 0.5, 0.3, 0.9, 0.7, 0.2, 0.6, 0.4];
  const shifted = raw.map((r, i) => r + (i % 3) * 0.1);
  const groups = [similarity({ model: 'm1', variant: 'v1' }, raw), similarity({ model: 'm2', variant: 'v1' }, shifted), similarity({ model: 'm1', variant: 'v2' }, raw), similarity({ model: 'm2', variant: 'v2' }, shifted)];
  const doc = build(groups, { compare: [{ axis: 'model' }] });
  assert.equal(doc.comparisons.length, 2);
  const [v1, v2] = doc.comparisons.map((c) => c.deltas.raw_mean);
  assert.equal(v1.value, v2.value);
  assert.notDeepEqual(v1.ci, v2.ci);
  assert.deepEqual(build(groups, { compare: [{ axis: 'model' }] }).comparisons.map((c) => c.deltas.raw_mean), [v1, v2], 'and the same again for the same seed');
});

test('without an injected clock, createdAt is the time of the call', () => {
  const before = Date.now();
  const doc = buildDocument([], [], { node: 'metrics', seed: 1, params: {} });
  const created = Date.parse(doc.createdAt);
  assert.ok(created >= before - 1000 && created <= Date.now() + 1000, doc.createdAt);
  assert.match(doc.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});
