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
  // Tango's score interval on b = 0, c = 6 of 20 pairs; reference: the constrained MLE maximised
  // numerically (scipy minimize_scalar) and T(Δ) = ±z solved by brentq: [0.0905373, 0.5189728].
  assert.equal(r.deltas.accuracy.method, 'tango-score');
  const [lo, hi] = r.deltas.accuracy.ci!;
  assert.ok(Math.abs(lo - 0.09053729547360931) < 1e-6 && Math.abs(hi - 0.5189728183535235) < 1e-6, `ci ${lo}, ${hi}`);
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

function similarity(embedder: string, raw: number[], z: number[], ids?: string[]): SimilarityItems {
  const keys = raw.map((_, i) => (ids ? `${ids[i]}|variant=v${i % 2}` : `i${i}`));
  return { kind: 'similarity', keys, ...(ids ? { ids } : {}), embedders: [embedder], raw, nullMean: raw.map((r) => r - 0.1), z, percentile: z.map(() => 50) };
}

test('similarity across embedders: the test runs on the calibrated z, raw-scale deltas are undefined', () => {
  // GloVe scores ~0.72, USE ~0.35 on the same items: raw cosines are 0.30–0.39 lower under USE for every
  // item, yet the calibrated z are close (B − A = −0.02 … +0.06, mixed signs). A raw Wilcoxon gives p = 2/2^10.
  const n = 10;
  const rawA = Array.from({ length: n }, (_, i) => 0.72 + 0.001 * i);
  const rawB = rawA.map((r, i) => r - 0.3 - 0.01 * i);
  const zA = Array.from({ length: n }, (_, i) => 0.07 + 0.01 * i);
  const zB = zA.map((z, i) => z + [0.02, -0.01, 0.03, -0.02, 0.04, 0.01, -0.015, 0.05, 0.025, 0.06][i]);
  const r = compareItems(similarity('glove', rawA, zA), similarity('use', rawB, zB), settings);
  assert.equal(r.test?.detail.scale, 'calibrated z');
  // d = zB − zA; |d| ranks: 0.01→1.5 (one −, one +… tie), …: computed from the z only, so p is far from 2/1024.
  assert.ok(r.test!.p > 0.05, `p = ${r.test!.p}`);
  for (const m of ['raw_mean', 'raw_median', 'shuffled_mean']) {
    assert.equal(r.deltas[m].value, null, m);
    assert.match(r.deltas[m].reason!, /different scales/);
  }
  assert.ok(Math.abs(r.deltas.z_mean.value! - 0.019) < 1e-9, `Δz = ${r.deltas.z_mean.value}`);
  assert.ok(r.deltas.z_mean.ci !== null);
  // Within one embedder the same numbers are tested on the raw scale: every B < A, p = 2/2^10.
  const same = compareItems(similarity('glove', rawA, zA), similarity('glove', rawB, zB), settings);
  assert.equal(same.test?.detail.scale, 'raw cosine');
  assert.equal(same.test?.p, 2 / 1024);
  assert.ok(Math.abs(same.deltas.raw_mean.value! + 0.345) < 1e-9);
});

test('a degenerate McNemar comparison (no discordant pair) is flagged', () => {
  const keys = ['a', 'b', 'c', 'd'];
  const a = single(keys, [0, 1, 0, 1], [0, 1, 1, 1]);
  const r = compareItems(a, single(keys, [0, 1, 0, 1], [0, 1, 1, 1]), settings);
  assert.equal(r.test?.p, 1);
  assert.match(r.test!.degenerate!, /no discordant pair/);
  const informative = compareItems(a, single(keys, [0, 1, 0, 1], [0, 1, 0, 1]), settings);
  assert.equal(informative.test?.degenerate, undefined);
});

test('pooled rows: clustered McNemar (Durkalski) and a Wilcoxon on per-id mean differences', () => {
  // 6 ids × 2 rows (variants). B better (B right, A wrong) on both rows of ids 0, 1, 2 and on one row of id 3;
  // A better on one row of id 4. Per id d = 2, 2, 2, 1, −1, 0: Σd = 6, Σd² = 14 → z = 6/√14 = 1.60357
  // p = 2(1 − Φ(1.60357)) = 0.108810 (an unclustered McNemar would see b = 7, c = 1, p = 0.0703).
  const ids = ['0', '0', '1', '1', '2', '2', '3', '3', '4', '4', '5', '5'];
  const keys = ids.map((id, i) => `${id}|variant=v${i % 2}`);
  const truth = ids.map(() => 0);
  const predA = [1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0];
  const predB = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0];
  const items = (pred: number[]): SingleLabelItems => ({ ...single(keys, truth, pred), ids });
  const r = compareItems(items(predA), items(predB), settings);
  assert.equal(r.test?.name, 'mcnemar-clustered');
  assert.deepEqual(r.test?.detail, { bBetter: 7, aBetter: 1 });
  assert.ok(Math.abs(r.test!.p - 0.10881) < 1e-4, `p = ${r.test!.p}`);
  assert.equal(r.pairedClusters, 6);
  assert.equal(r.deltas.accuracy.method, 'tango-score-clustered');
  assert.equal(r.deltas.kappa.method, 'cluster-bootstrap-tango');

  // Similarity: per-id differences (0.125, 0.375), (0.25, 0.25), (−0.125, −0.375), (0.5, 0.5) → means
  // 0.25, 0.25, −0.25, 0.5 (binary fractions: exact). |d| = 0.25 ×3 (rank 2 each), 0.5 (rank 4):
  // W− = 2, W+ = 8, a tie of three → normal approximation on n = 4 ids.
  const sIds = ['p', 'p', 'q', 'q', 'r', 'r', 's', 's'];
  const rawA = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
  const rawB = [0.625, 0.875, 0.75, 0.75, 0.375, 0.125, 1, 1];
  const s = compareItems(similarity('glove', rawA, rawA, sIds), similarity('glove', rawB, rawB, sIds), settings);
  assert.equal(s.test?.n, 4);
  assert.equal(s.test?.detail.unit, 'item id (mean difference over its pooled rows)');
  assert.equal(s.test?.detail.wMinus, 2);
  assert.equal(s.test?.detail.method, 'normal');
});

test('pooled rows: the paired bootstrap resamples item ids, so duplicated rows do not narrow the interval', () => {
  // 30 ids with a random accuracy difference, each id repeated k = 4 times identically (perfect
  // within-id correlation). Resampling rows would shrink the interval by about √4 = 2.
  const base = Array.from({ length: 30 }, (_, i) => i);
  const ids = base.flatMap((i) => [0, 1, 2, 3].map(() => String(i).padStart(2, '0')));
  const keys = ids.map((id, j) => `${id}|variant=v${j % 4}`);
  const truth = ids.map(() => 0);
  const predA = ids.map((id) => (Number(id) % 3 === 0 ? 1 : 0));
  const predB = ids.map((id) => (Number(id) % 5 === 0 ? 1 : 0));
  const clustered = compareItems({ ...single(keys, truth, predA), ids }, { ...single(keys, truth, predB), ids }, settings);
  const once = compareItems(single(base.map(String), base.map(() => 0), base.map((i) => (i % 3 === 0 ? 1 : 0))), single(base.map(String), base.map(() => 0), base.map((i) => (i % 5 === 0 ? 1 : 0))), settings);
  const width = (e: { ci: readonly [number, number] | null }) => e.ci![1] - e.ci![0];
  assert.equal(clustered.deltas.weighted_f1.method, 'cluster-bootstrap-tango');
  assert.ok(Math.abs(clustered.deltas.weighted_f1.value! - once.deltas.weighted_f1.value!) < 1e-12);
  const ratio = width(clustered.deltas.weighted_f1) / width(once.deltas.weighted_f1);
  assert.ok(ratio > 0.8 && ratio < 1.25, `clustered width / one-row-per-id width = ${ratio}`);
  // Δ accuracy: Tango's interval at the effective number of pairs, here the 30 ids.
  assert.equal(clustered.deltas.accuracy.method, 'tango-score-clustered');
  assert.equal(clustered.deltas.accuracy.effectiveN, 30);
  assert.deepEqual(clustered.deltas.accuracy.ci, once.deltas.accuracy.ci);
});
