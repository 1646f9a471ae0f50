/**
 * The per-item group data (src/stats/group-data.ts): `subsetItems` restricts a group to the items a
 * comparison pairs, in pair order, keeping every field of its kind (compareItems resamples those
 * subsets, and metrics of any field may be computed on them), and the ids only when the group has them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctness, itemClusters, subsetItems, type MultiLabelItems, type SimilarityItems, type SingleLabelItems, type VaItems } from '../../src/stats/group-data.js';

const pick = [2, 0, 2];

test('subsetItems picks every field of a classification group, ids included when present', () => {
  const items: SingleLabelItems = {
    kind: 'classification', keys: ['k0', 'k1', 'k2'], ids: ['x', 'y', 'x'], labels: ['a', 'b'],
    truth: [0, 1, 1], pred: [0, -1, 1], valence: [0.1, null, 0.3], arousal: [-0.1, null, -0.3],
  };
  assert.deepEqual(subsetItems(items, pick), {
    kind: 'classification', keys: ['k2', 'k0', 'k2'], ids: ['x', 'x', 'x'], labels: ['a', 'b'],
    truth: [1, 0, 1], pred: [1, 0, 1], valence: [0.3, 0.1, 0.3], arousal: [-0.3, -0.1, -0.3],
  });
  const { ids: _ids, ...withoutIds } = items;
  assert.equal('ids' in subsetItems(withoutIds, pick), false, 'no ids when the group has none');
});

test('subsetItems picks every field of a multi-label group', () => {
  const items: MultiLabelItems = {
    kind: 'multilabel', keys: ['k0', 'k1', 'k2'], labels: ['a', 'b', 'c'],
    truth: [[0], [1, 2], [2]], pred: [[0, 1], null, [2]], classCount: 4,
  };
  assert.deepEqual(subsetItems(items, pick), {
    kind: 'multilabel', keys: ['k2', 'k0', 'k2'], labels: ['a', 'b', 'c'],
    truth: [[2], [0], [2]], pred: [[2], [0, 1], [2]], classCount: 4,
  });
});

test('subsetItems picks every field of a similarity group, the ratings only when present', () => {
  const items: SimilarityItems = {
    kind: 'similarity', keys: ['k0', 'k1', 'k2'], ids: ['x', 'y', 'z'], embedders: ['glove'],
    raw: [0.1, null, 0.3], nullMean: [0.01, 0.02, 0.03], z: [1, null, 3], percentile: [0.5, null, 0.7], rating: [4, 5, null],
  };
  assert.deepEqual(subsetItems(items, pick), {
    kind: 'similarity', keys: ['k2', 'k0', 'k2'], ids: ['z', 'x', 'z'], embedders: ['glove'],
    raw: [0.3, 0.1, 0.3], nullMean: [0.03, 0.01, 0.03], z: [3, 1, 3], percentile: [0.7, 0.5, 0.7], rating: [null, 4, null],
  });
  const { rating: _rating, ...unrated } = items;
  assert.equal('rating' in subsetItems(unrated, pick), false);
});

test('subsetItems picks every field of a VA group', () => {
  const items: VaItems = {
    kind: 'va', keys: ['k0', 'k1', 'k2'], valence: [0.1, 0.2, 0.3], arousal: [-0.1, -0.2, -0.3],
    annotatedValence: [0.5, null, 0.7], annotatedArousal: [null, 0.2, -0.7],
  };
  assert.deepEqual(subsetItems(items, pick), {
    kind: 'va', keys: ['k2', 'k0', 'k2'], valence: [0.3, 0.1, 0.3], arousal: [-0.3, -0.1, -0.3],
    annotatedValence: [0.7, 0.5, 0.7], annotatedArousal: [-0.7, null, -0.7],
  });
});

test('clusters only when ids repeat; correctness by exact label or exact label set', () => {
  const base = { kind: 'va' as const, valence: [], arousal: [], annotatedValence: [], annotatedArousal: [] };
  assert.equal(itemClusters({ ...base, keys: ['a', 'b'] }), null);
  assert.equal(itemClusters({ ...base, keys: ['a', 'b'], ids: ['x', 'y'] }), null, 'one row per id: no clusters');
  assert.deepEqual(itemClusters({ ...base, keys: ['a', 'b', 'c'], ids: ['y', 'x', 'y'] }), Int32Array.from([0, 1, 0]));
  const multi: MultiLabelItems = { kind: 'multilabel', keys: ['a', 'b', 'c', 'd'], labels: ['p', 'q', 'r'], truth: [[0, 1], [0, 1], [2], [0]], pred: [[1, 0], [0], null, [0, 2]], classCount: 3 };
  assert.deepEqual(correctness(multi), [true, false, false, false]);
  assert.equal(correctness({ ...base, keys: [] }), null);
});
