import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareItems } from '../../src/stats/paired.js';
import type { SimilarityItems, SingleLabelItems } from '../../src/stats/group-data.js';
import { computeGroupMetrics } from '../../src/stats/group-metrics.js';

function single(keys: string[], truth: number[], pred: number[]): SingleLabelItems {
  return { kind: 'classification', keys, labels: ['a', 'b'], truth, pred, valence: keys.map(() => null), arousal: keys.map(() => null) };
}

const settings = { resamples: 1000, confidence: 0.95, seed: 5 };

test('classification pair: McNemar on matched items, delta B − A with a paired interval', () => {
  const keys = Array.from({ length: 20 }, (_, i) => `i${i}`);
  const truth = keys.map((_, i) => i % 2);
  // A right on items 0..9, B right on 0..15 → B better on 10..15 (6), A better on none
  const a = single(keys, truth, truth.map((t, i) => (i < 10 ? t : 1 - t)));
  const b = single(keys, truth, truth.map((t, i) => (i < 16 ? t : 1 - t)));
  const r = compareItems(a, b, settings);
  assert.equal(r.paired, 20);
  assert.equal(r.onlyA, 0);
  assert.equal(r.test?.name, 'mcnemar-exact');
  assert.deepEqual(r.test?.detail, { bBetter: 6, aBetter: 0 });
  // p = 2 · C(6,0)/2^6 = 2/64
  assert.ok(Math.abs(r.test!.p - 2 / 64) < 1e-12);
  assert.equal(r.test?.effect.value, 6 / 20);
  assert.ok(Math.abs(r.deltas.accuracy.value! - 0.3) < 1e-12);
  // B is never worse on a pair, so every paired resample has delta ≥ 0
  assert.ok(r.deltas.accuracy.ci![0] >= 0);
});

test('items that do not match are counted; without any match there is no paired test', () => {
  const a = single(['x', 'y', 'z'], [0, 1, 0], [0, 1, 1]);
  const b = single(['p', 'q', 'r'], [0, 1, 0], [0, 0, 0]);
  const r = compareItems(a, b, settings);
  assert.equal(r.paired, 0);
  assert.equal(r.onlyA, 3);
  assert.equal(r.test, null);
  assert.match(r.testReason!, /no items in common/);
  assert.ok(r.deltas.accuracy.value !== null);
});

test('similarity pair: Wilcoxon on raw similarity; null similarities are left out', () => {
  const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const base = [0.5, 0.6, 0.55, 0.7, 0.65, 0.4, 0.3];
  const items = (raw: (number | null)[]): SimilarityItems => ({ kind: 'similarity', keys, embedders: ['glove'], raw, nullMean: raw, z: raw, percentile: raw });
  const r = compareItems(items(base), items(base.map((v, i) => (i === 6 ? null : v + 0.05 * (i + 1)))), settings);
  assert.equal(r.test?.name, 'wilcoxon-signed-rank');
  // six non-null pairs, all B > A, distinct differences: p = 2/64
  assert.equal(r.test?.n, 6);
  assert.equal(r.test?.p, 2 / 64);
  assert.equal(r.test?.effect.value, 1);
});

test('group metrics: an empty group is all null with reasons, never NaN', () => {
  const m = computeGroupMetrics(single([], [], []), settings);
  assert.equal(m.n, 0);
  for (const e of Object.values(m.headline)) {
    assert.equal(e.value, null);
    assert.ok(e.reason);
  }
  assert.doesNotMatch(JSON.stringify(m), /NaN/);
});
