/**
 * Classification resamples counted by confusion cell (issue 15). With clusters, or too few items per
 * occupied cell (`multinomialPays`), `cellCounter` and `pairCellCounter` count the very positions
 * `resampler` draws (`Rng.countInts`, `countPairs`), and comparisons give the bits of commit d6ee44a's
 * index vectors (pinned below). With enough items per cell, a resample is drawn as its counts,
 * Multinomial(n; c_k / n) over the occupied cells (joint cells for pairs): compared, at 4,000
 * resamples, with the definition (n items drawn with replacement, each counted in its cell) — means,
 * SDs and interval ends within Monte Carlo error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapIntervals, cellCounter, multinomialPays, occupiedCells, pairCellCounter, percentileInterval, resampler } from '../../src/stats/bootstrap.js';
import { classificationCells, classificationResampled } from '../../src/stats/group-metrics.js';
import { flatMargins } from '../../src/stats/single-label.js';
import type { SingleLabelItems } from '../../src/stats/group-data.js';
import { compareItems } from '../../src/stats/paired.js';
import { createRng } from '../../src/stats/prng.js';

test('countInts counts the positions fillInts draws, and leaves the generator where fillInts does', () => {
  for (const [n, cellCount] of [[1, 1], [7, 3], [1000, 56], [4099, 12]]) {
    const cells = Int32Array.from({ length: n }, (_, i) => (i * 7919 + 3) % cellCount);
    const drawn = createRng(n);
    const counted = createRng(n);
    for (let round = 0; round < 3; round++) {
      const positions = new Int32Array(n);
      drawn.fillInts(positions, n);
      const expected = new Int32Array(cellCount);
      for (const p of positions) expected[cells[p]]++;
      const counts = new Int32Array(cellCount);
      counted.countInts(cells, n, counts);
      assert.deepEqual(counts, expected, `n=${n}, round ${round}`);
    }
    assert.equal(counted.next(), drawn.next(), 'the same state after');
  }
});

test('with clusters, or too few items per cell, cellCounter and pairCellCounter count what resampler draws', () => {
  const n = 90;
  const cells = Int32Array.from({ length: n }, (_, i) => (i * 31) % 6);
  const other = Int32Array.from({ length: n }, (_, i) => (i * 17 + 5) % 12);
  // 15 items per cell, fewer per joint cell: item by item.
  assert.equal(multinomialPays(n, 6), false);
  for (const clusters of [null, Int32Array.from({ length: n }, (_, i) => Math.floor(i / 3))]) {
    const draw = resampler(n, clusters, createRng(5));
    const count = cellCounter(cells, 6, clusters, createRng(5));
    const countPairs = pairCellCounter(cells, 6, other, 12, clusters, createRng(5));
    for (let r = 0; r < 20; r++) {
      const expected = new Int32Array(6);
      const expectedOther = new Int32Array(12);
      for (const p of draw()) {
        expected[cells[p]]++;
        expectedOther[other[p]]++;
      }
      const what = `resample ${r}, ${clusters ? 'clustered' : 'plain'}`;
      assert.deepEqual(count(), expected, what);
      assert.deepEqual(countPairs(), [expected, expectedOther], what);
    }
  }
});

/** A classification group of n items over 4 labels (5% invalid), and a second one answering the same items, agreeing with the first half the time. */
function correlatedGroups(n: number, seed: number): [SingleLabelItems, SingleLabelItems] {
  const rng = createRng(seed);
  const labels = ['a', 'b', 'c', 'd'];
  const answer = (t: number, q: number) => { const u = rng.next(); return u < 0.05 ? -1 : u < 0.05 + q ? t : rng.int(4); };
  const truth = Array.from({ length: n }, () => rng.int(4));
  const predA = truth.map((t) => answer(t, 0.6));
  const predB = truth.map((t, i) => (rng.next() < 0.5 ? predA[i] : answer(t, 0.7)));
  const keys = truth.map((_, i) => `k${String(i).padStart(4, '0')}`);
  const group = (pred: number[]): SingleLabelItems => ({ kind: 'classification', keys, labels, truth, pred, valence: keys.map(() => null), arousal: keys.map(() => null) });
  return [group(predA), group(predB)];
}

const METRICS = ['macro_f1', 'weighted_f1', 'kappa', 'accuracy'] as const;

/** The statistics of a resample's counts: the resampled metrics and accuracy. */
function ofCounts(counts: ArrayLike<number>, k: number): Record<(typeof METRICS)[number], number | null> {
  const m = flatMargins(counts, k);
  const r = classificationResampled(m);
  return { macro_f1: r.macro_f1, weighted_f1: r.weighted_f1, kappa: r.kappa, accuracy: m.correct / m.n };
}

/** Mean and standard deviation of each metric over the resamples `next` gives. */
function moments(resamples: number, next: () => Record<string, number | null>) {
  const values = new Map<string, number[]>(METRICS.map((m) => [m, []]));
  for (let r = 0; r < resamples; r++) {
    const v = next();
    for (const m of METRICS) if (v[m] !== null) values.get(m)!.push(v[m]!);
  }
  return Object.fromEntries(METRICS.map((m) => {
    const xs = values.get(m)!;
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    return [m, { mean, sd: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)), count: xs.length, sorted: xs.sort((a, b) => a - b) }];
  }));
}

/**
 * Two sets of resampled values agree within Monte Carlo error: means within 5 SE of their difference
 * (sd·√(2/B)), SDs within 5 SE (sd/√B), interval ends within 5 SE of a 2.5% quantile's difference
 * (√2 · √(α(1−α)/B) / φ(1.96) · sd ≈ 0.06 sd at B = 4000).
 */
function assertAgree(what: string, a: ReturnType<typeof moments>[string], b: ReturnType<typeof moments>[string], ends: [readonly [number, number], readonly [number, number]]): void {
  const sd = (a.sd + b.sd) / 2;
  const B = Math.min(a.count, b.count);
  assert.ok(Math.abs(a.mean - b.mean) <= 5 * sd * Math.sqrt(2 / B), `${what}: means ${a.mean} and ${b.mean} (sd ${sd})`);
  assert.ok(Math.abs(a.sd - b.sd) <= 5 * sd / Math.sqrt(B), `${what}: SDs ${a.sd} and ${b.sd}`);
  const quantileSe = Math.SQRT2 * Math.sqrt(0.025 * 0.975 / B) / 0.0584 * sd;
  for (const e of [0, 1]) assert.ok(Math.abs(ends[0][e] - ends[1][e]) <= 5 * quantileSe, `${what}: interval ends ${ends[0]} and ${ends[1]}`);
}

test('a group resampled as multinomial counts has the distribution of the item-by-item bootstrap (moments and intervals)', () => {
  const B = 4000;
  for (const [n, seed] of [[480, 1], [3000, 2]]) {
    const [items] = correlatedGroups(n, seed);
    const k = items.labels.length;
    const cells = classificationCells(items).cells;
    assert.ok(multinomialPays(n, occupiedCells(cells, k * (k + 1)).cell.length), `n = ${n}: drawn as a multinomial`);
    const counted = cellCounter(cells, k * (k + 1), null, createRng(100 + seed));
    // The definition: n positions drawn with replacement, each item counted in its cell.
    const draw = resampler(n, null, createRng(200 + seed));
    const byItem = () => {
      const counts = new Int32Array(k * (k + 1));
      for (const p of draw()) counts[cells[p]]++;
      return counts;
    };
    const mc = moments(B, () => ofCounts(counted(), k));
    const mi = moments(B, () => ofCounts(byItem(), k));
    const options = { n, resamples: B, confidence: 0.95, seed: 300 + seed };
    const viaCounts = bootstrapIntervals(options, METRICS, { cells, cellCount: k * (k + 1), ofCounts: (c) => ofCounts(c, k) });
    const viaItems = bootstrapIntervals({ ...options, seed: 400 + seed }, METRICS, (idx) => {
      const counts = new Int32Array(k * (k + 1));
      for (const p of idx) counts[cells[p]]++;
      return ofCounts(counts, k);
    });
    for (const m of METRICS) assertAgree(`n = ${n}, ${m}`, mc[m], mi[m], [viaCounts[m].ci!, viaItems[m].ci!]);
  }
});

test('a paired comparison resampled as multinomial counts of joint cells has the distribution of the item-by-item paired bootstrap', () => {
  const B = 4000;
  for (const [n, seed] of [[2400, 3], [4000, 4]]) {
    const [a, b] = correlatedGroups(n, seed);
    const k = a.labels.length;
    const cellsA = classificationCells(a).cells;
    const cellsB = classificationCells(b).cells;
    // At most 4 × 5 × 5 = 100 joint cells (the truth is shared): 24 pairs per cell or more.
    const joint = occupiedCells(Int32Array.from(cellsA, (x, i) => x * k * (k + 1) + cellsB[i]), (k * (k + 1)) ** 2).cell.length;
    assert.ok(multinomialPays(n, joint), `n = ${n}: ${joint} joint cells, drawn as a multinomial`);
    const counted = pairCellCounter(cellsA, k * (k + 1), cellsB, k * (k + 1), null, createRng(100 + seed));
    const draw = resampler(n, null, createRng(200 + seed));
    const difference = (ca: ArrayLike<number>, cb: ArrayLike<number>) => {
      const va = ofCounts(ca, k);
      const vb = ofCounts(cb, k);
      return Object.fromEntries(METRICS.map((m) => [m, va[m] === null || vb[m] === null ? null : vb[m]! - va[m]!]));
    };
    const mc = moments(B, () => { const [ca, cb] = counted(); return difference(ca, cb); });
    // The definition: n pairs drawn with replacement, each side counted in its own cells.
    const byItem = () => {
      const ca = new Int32Array(k * (k + 1));
      const cb = new Int32Array(k * (k + 1));
      for (const p of draw()) { ca[cellsA[p]]++; cb[cellsB[p]]++; }
      return difference(ca, cb);
    };
    const mi = moments(B, byItem);
    // compareItems' own intervals (B − A), against the percentile interval of the item-by-item differences.
    const deltas = compareItems(a, b, { resamples: B, confidence: 0.95, seed: 500 + seed }).deltas;
    for (const m of ['macro_f1', 'weighted_f1', 'kappa'] as const) {
      const reference = percentileInterval(mi[m].sorted, { resamples: B, confidence: 0.95, units: n });
      assertAgree(`n = ${n}, Δ ${m}`, mc[m], mi[m], [deltas[m].ci!, reference.ci!]);
    }
    assertAgree(`n = ${n}, Δ accuracy`, mc.accuracy, mi.accuracy, [[mc.accuracy.mean, mc.accuracy.mean], [mc.accuracy.mean, mc.accuracy.mean]]);
  }
});

test('counted resamples refuse cells that do not match the items: unequal pair sides, or a cell list of another length', () => {
  // A mismatch would count cells of positions the other side does not have (undefined → NaN counts).
  assert.throws(() => pairCellCounter(new Int32Array(5), 2, new Int32Array(4), 2, null, createRng(1)), { name: 'RangeError', message: '5 and 4 cells: not pairs' });
  const counted = { cells: new Int32Array(6), cellCount: 2, ofCounts: (counts: Int32Array) => ({ share: counts[0] / 6 }) };
  assert.throws(() => bootstrapIntervals({ n: 7, resamples: 10, confidence: 0.95, seed: 1 }, ['share'], counted), { name: 'RangeError', message: '6 cells for 7 items' });
  // The same statistics over matching items run.
  assert.deepEqual(bootstrapIntervals({ n: 6, resamples: 10, confidence: 0.95, seed: 1 }, ['share'], counted).share.ci, [1, 1]);
});

function fixtures(): Record<string, [SingleLabelItems, SingleLabelItems]> {
  let state = 4242;
  const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const cls = (labels: string[], keys: string[], ids?: string[]): SingleLabelItems => {
    const truth = keys.map(() => Math.floor(rand() * labels.length));
    const pred = truth.map((t) => { const u = rand(); return u < 0.05 ? -1 : u < 0.55 ? t : Math.floor(rand() * labels.length); });
    return { kind: 'classification', keys, ...(ids ? { ids } : {}), labels, truth, pred, valence: keys.map(() => null), arousal: keys.map(() => null) };
  };
  const keys = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + from).padStart(3, '0')}`);
  const pooled = Array.from({ length: 240 }, (_, i) => `p${String(Math.floor(i / 3)).padStart(3, '0')}|v=${i % 3}`);
  const pooledIds = pooled.map((k) => k.split('|')[0]);
  // Built in this order: the generator's sequence makes the data.
  const paired = [cls(['x', 'y', 'z'], keys('k', 310)), cls(['x', 'y', 'z'], keys('k', 300, 10))] as [SingleLabelItems, SingleLabelItems];
  const pairedClustered = [cls(['x', 'y'], pooled, pooledIds), cls(['x', 'y'], pooled, pooledIds)] as [SingleLabelItems, SingleLabelItems];
  const unpaired = [cls(['x', 'y', 'z'], keys('a', 80)), cls(['x', 'y', 'z'], keys('b', 70))] as [SingleLabelItems, SingleLabelItems];
  return { paired, pairedClustered, unpaired };
}

const GOLDEN = {
  paired: {
    accuracy: {"value": -0.013333333333333308, "ci": [-0.09219902208306811, 0.0656961874416683], "method": "tango-score"},
    macro_f1: {"value": -0.012181232280390808, "ci": [-0.09193526409800021, 0.06844528862842898], "method": "percentile-bootstrap-tango"},
    weighted_f1: {"value": -0.012738752645969131, "ci": [-0.0923344187420494, 0.06976059028940378], "method": "percentile-bootstrap-tango"},
    kappa: {"value": -0.018489931115144687, "ci": [-0.13447582366212218, 0.09773690529448843], "method": "percentile-bootstrap-tango"},
    invalid_rate: {"value": 0.003333333333333334, "ci": [-0.027273199788869447, 0.0343742566489645], "method": "tango-score"},
  },
  pairedClustered: {
    accuracy: {"value": -0.016666666666666607, "ci": [-0.11187158484572451, 0.07879429487080017], "method": "tango-score-clustered", "effectiveN": 184.09715994020925},
    macro_f1: {"value": -0.020226706562928354, "ci": [-0.1166084403476919, 0.08119195026886418], "method": "cluster-bootstrap-tango"},
    weighted_f1: {"value": -0.02045215673089562, "ci": [-0.11681334194824854, 0.07978458664823447], "method": "cluster-bootstrap-tango"},
    kappa: {"value": -0.03636562205545918, "ci": [-0.21374556581002804, 0.15181230813546995], "method": "cluster-bootstrap-tango"},
    invalid_rate: {"value": -0.008333333333333331, "ci": [-0.05110179872926297, 0.033677978467550676], "method": "tango-score-clustered", "effectiveN": 240},
  },
  unpaired: {
    accuracy: {"value": -0.05535714285714288, "ci": [-0.21889792099694047, 0.11031317335352142], "method": "newcombe-clopper-pearson"},
    macro_f1: {"value": -0.042077601630966965, "ci": [-0.19678032356497388, 0.13284343595245576], "method": "percentile-bootstrap"},
    weighted_f1: {"value": -0.03522186923549908, "ci": [-0.18857354030649154, 0.13508148794431826], "method": "percentile-bootstrap"},
    kappa: {"value": -0.06300177370549653, "ci": [-0.27506040759988754, 0.18872859147088242], "method": "percentile-bootstrap"},
    invalid_rate: {"value": 0.06428571428571428, "ci": [-0.032629968469367124, 0.1692704673371295], "method": "newcombe-clopper-pearson"},
  },
};

test('comparisons counted as drawn (pairs, pooled pairs, no pairs; few items per cell) give the bits of the reference implementation', () => {
  const settings = { resamples: 300, confidence: 0.95, seed: 11 };
  for (const [name, [a, b]] of Object.entries(fixtures())) {
    assert.deepEqual(JSON.parse(JSON.stringify(compareItems(a, b, settings).deltas)), GOLDEN[name as keyof typeof GOLDEN], name);
  }
});
