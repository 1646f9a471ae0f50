/**
 * Resamples counted as they are drawn (issue 15): `Rng.countInts`, `countPairs`, `cellCounter` and
 * `pairCellCounter` must count the very positions `fillInts` and `resampler` draw, and comparisons
 * counted that way must give the bits of the implementation before them. The pinned deltas were
 * computed by commit d6ee44a (index vectors, each side counted from them): pairs with and without
 * pooled rows, and groups with no pairs (each side drawn on its own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapIntervals, cellCounter, pairCellCounter, resampler } from '../../src/stats/bootstrap.js';
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

test('cellCounter and pairCellCounter count what resampler draws, with and without clusters', () => {
  const n = 90;
  const cells = Int32Array.from({ length: n }, (_, i) => (i * 31) % 6);
  const other = Int32Array.from({ length: n }, (_, i) => (i * 17 + 5) % 12);
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
    macro_f1: {"value": -0.012181232280390808, "ci": [-0.09110649227524954, 0.06844528862842898], "method": "percentile-bootstrap"},
    weighted_f1: {"value": -0.012738752645969131, "ci": [-0.09171650120289282, 0.06976059028940378], "method": "percentile-bootstrap"},
    kappa: {"value": -0.018489931115144687, "ci": [-0.1311762990310424, 0.09697125710740165], "method": "percentile-bootstrap"},
    invalid_rate: {"value": 0.003333333333333334, "ci": [-0.027273199788869447, 0.0343742566489645], "method": "tango-score"},
  },
  pairedClustered: {
    accuracy: {"value": -0.016666666666666607, "ci": [-0.11187158484572451, 0.07879429487080017], "method": "tango-score-clustered", "effectiveN": 184.09715994020925},
    macro_f1: {"value": -0.020226706562928354, "ci": [-0.10885832932129008, 0.08119195026886418], "method": "cluster-bootstrap"},
    weighted_f1: {"value": -0.02045215673089562, "ci": [-0.10903307731340602, 0.07978458664823447], "method": "cluster-bootstrap"},
    kappa: {"value": -0.03636562205545918, "ci": [-0.20091607165975822, 0.15181230813546995], "method": "cluster-bootstrap"},
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

test('comparisons counted as drawn (pairs, pooled pairs, no pairs) give the bits of the reference implementation', () => {
  const settings = { resamples: 300, confidence: 0.95, seed: 11 };
  for (const [name, [a, b]] of Object.entries(fixtures())) {
    assert.deepEqual(JSON.parse(JSON.stringify(compareItems(a, b, settings).deltas)), GOLDEN[name as keyof typeof GOLDEN], name);
  }
});
