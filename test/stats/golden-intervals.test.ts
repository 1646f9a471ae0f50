/**
 * Pins the bootstrap and score intervals number for number: the values below were computed by the
 * implementation before the aggregate was made faster (issue 15), and the faster one must give the
 * same bits. Groups whose keys only partly match, clusters of pooled rows, invalid answers. These
 * groups have too few items per confusion cell for multinomial resamples (`multinomialPays`): their
 * resamples are still drawn item by item.
 *
 * The large groups at the end are resampled as multinomial counts (src/stats/binomial.ts): their
 * values were computed by that sampler (same distribution as item by item, another random stream).
 * Checked against the implementation before it (main at 656e258) on the same data: at 400 resamples
 * the percentile-bootstrap ends differ by at most 11.8% of the interval's width (2.5 SE of the
 * difference of two 400-resample 2.5% quantiles, ≈ 4.8% per SE; the three metrics move together), at
 * 4,000 resamples by at most 2.2% (seed 7) and 4.2% (seed 8), ≈ 1.5% per SE; the score intervals are
 * the same bits.
 *
 * Paired Δ macro-F1 / weighted-F1 / κ are the hull of that bootstrap interval and the discordance
 * floor (src/stats/discordance-floor.ts; `percentile-bootstrap-tango`, `cluster-bootstrap-tango`):
 * the ends the floor did not move are still the bootstrap's bits (every upper end of `compare`, the
 * lower ends of `comparePooled` weighted-F1 and κ); the ends it moved (about 1–4% of the width here,
 * 25% for the large comparison's lower ends, where the bootstrap interval is skewed and the floor is
 * not) were computed by the floor's first implementation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeGroupMetrics } from '../../src/stats/group-metrics.js';
import { compareItems } from '../../src/stats/paired.js';
import { createRng } from '../../src/stats/prng.js';
import type { SimilarityItems, SingleLabelItems } from '../../src/stats/group-data.js';

function groups() {
  let state = 20261130;
  const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const labels = ['a', 'b', 'c', 'd', 'e'];
  const classification = (keys: string[], ids?: string[]): SingleLabelItems => {
    const truth = keys.map(() => Math.floor(rand() * 5));
    const pred = truth.map((t) => { const u = rand(); return u < 0.08 ? -1 : u < 0.6 ? t : Math.floor(rand() * 5); });
    return { kind: 'classification' as const, keys, ...(ids ? { ids } : {}), labels, truth, pred, valence: keys.map(() => null), arousal: keys.map(() => null) };
  };
  const similarity = (keys: string[]): SimilarityItems => {
    const raw = keys.map(() => (rand() < 0.05 ? null : Math.round(rand() * 1000) / 1000));
    return { kind: 'similarity' as const, keys, embedders: ['glove'], raw, nullMean: raw.map((r) => (r === null ? null : r * 0.6)), z: raw.map((r) => (r === null ? null : (r - 0.5) * 3)), percentile: raw.map((r) => (r === null ? null : r)) };
  };
  // A and B share keys k10…k59; A alone has k0…k9, B alone k60…k64: pairs sit at other positions in each.
  const keysA = Array.from({ length: 60 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  const keysB = Array.from({ length: 55 }, (_, i) => `k${String(i + 10).padStart(2, '0')}`);
  // Pooled rows: 3 rows per id.
  const pooled = Array.from({ length: 45 }, (_, i) => `p${String(Math.floor(i / 3)).padStart(2, '0')}|v=${i % 3}`);
  const pooledIds = pooled.map((k) => k.split('|')[0]);
  return {
    a: classification(keysA), b: classification(keysB),
    pa: classification(pooled, pooledIds), pb: classification(pooled, pooledIds),
    sa: similarity(keysA), sb: similarity(keysB),
  };
}

const settings = { resamples: 400, confidence: 0.95, seed: 7 };

const GOLDEN = {
  groupA: {
    accuracy: {"value": 0.5166666666666667, "ci": [0.38394601733159694, 0.6476870699978732], "method": "clopper-pearson", "effectiveN": 60},
    macro_f1: {"value": 0.550128205128205, "ci": [0.410102175680128, 0.6703612403179772], "method": "percentile-bootstrap"},
    weighted_f1: {"value": 0.5473504273504273, "ci": [0.4319948962584117, 0.6700453537479119], "method": "percentile-bootstrap"},
    kappa: {"value": 0.4109681787406907, "ci": [0.27550250922150815, 0.5526337844009206], "method": "percentile-bootstrap"},
    invalid_rate: {"value": 0.15, "ci": [0.07095619525709163, 0.2657404477572949], "method": "clopper-pearson", "effectiveN": 60},
  },
  pooledA: {
    accuracy: {"value": 0.6888888888888889, "ci": [0.499117878562942, 0.8413302697632399], "method": "clopper-pearson-clustered", "effectiveN": 31.31958762886597},
    macro_f1: {"value": 0.7120535312640576, "ci": [0.505445055520024, 0.8740339016055987], "method": "cluster-bootstrap"},
    weighted_f1: {"value": 0.7119683110911181, "ci": [0.5049263394931277, 0.88919900541595], "method": "cluster-bootstrap"},
    kappa: {"value": 0.6200241254523522, "ci": [0.3913001499078599, 0.8479614791050673], "method": "cluster-bootstrap"},
    invalid_rate: {"value": 0.08888888888888889, "ci": [0.02475295778346931, 0.2122117369543397], "method": "clopper-pearson-clustered", "effectiveN": 45},
  },
  compare: {
    accuracy: {"value": 0.11999999999999994, "ci": [-0.08854230561831197, 0.3174766128513927], "method": "tango-score"},
    macro_f1: {"value": 0.1250677113377342, "ci": [-0.09584894275891911, 0.33849359321724914], "method": "percentile-bootstrap-tango"},
    weighted_f1: {"value": 0.1314284152156006, "ci": [-0.08809653125849257, 0.3507538737756133], "method": "percentile-bootstrap-tango"},
    kappa: {"value": 0.14289471065686782, "ci": [-0.10739568046448378, 0.37990416790511794], "method": "percentile-bootstrap-tango"},
    invalid_rate: {"value": -0.04000000000000001, "ci": [-0.1668020659328838, 0.0822493150041039], "method": "tango-score"},
  },
  comparePooled: {
    accuracy: {"value": -0.15555555555555556, "ci": [-0.37130330650272475, 0.07497676083175478], "method": "tango-score-clustered", "effectiveN": 31.696629213483153},
    macro_f1: {"value": -0.14462928883981518, "ci": [-0.3744297830963458, 0.10271726621061314], "method": "cluster-bootstrap-tango"},
    weighted_f1: {"value": -0.13637908550189248, "ci": [-0.3736545035761375, 0.11338218707283669], "method": "cluster-bootstrap-tango"},
    kappa: {"value": -0.1927513981796249, "ci": [-0.4754291718289204, 0.0850632764654774], "method": "cluster-bootstrap-tango"},
    invalid_rate: {"value": 0.04444444444444444, "ci": [-0.10753158197319067, 0.1983162215604542], "method": "tango-score-clustered", "effectiveN": 42.76712328767125},
  },
  compareSimilarity: {
    raw_mean: {"value": 0.0026382978723403783, "ci": [-0.13314147194918108, 0.13733415089526446], "method": "percentile-bootstrap"},
    shuffled_mean: {"value": 0.0015829787234042936, "ci": [-0.07988488316950874, 0.08240049053715864], "method": "percentile-bootstrap"},
    raw_median: {"value": -0.09099999999999997, "ci": [-0.23600000000000004, 0.266], "method": "percentile-bootstrap"},
    z_mean: {"value": 0.007914893617021246, "ci": [-0.399424415847544, 0.4120024526857932], "method": "percentile-bootstrap"},
    z_median: {"value": -0.2729999999999999, "ci": [-0.7080000000000002, 0.798], "method": "percentile-bootstrap"},
    percentile_mean: {"value": 0.0026382978723403783, "ci": [-0.13314147194918108, 0.13733415089526446], "method": "percentile-bootstrap"},
    missing_rate: {"value": 0, "ci": [-0.11419865843927773, 0.11419865843927773], "method": "tango-score"},
  },
} as const;

test('group intervals are exactly those of the reference implementation (plain and clustered)', () => {
  const g = groups();
  assert.deepEqual(JSON.parse(JSON.stringify(computeGroupMetrics(g.a, settings).headline)), GOLDEN.groupA);
  assert.deepEqual(JSON.parse(JSON.stringify(computeGroupMetrics(g.pa, settings).headline)), GOLDEN.pooledA);
});

test('comparison deltas and intervals are exactly those of the reference implementation (partly matching keys, clusters, similarity)', () => {
  const g = groups();
  assert.deepEqual(JSON.parse(JSON.stringify(compareItems(g.a, g.b, settings).deltas)), GOLDEN.compare);
  assert.deepEqual(JSON.parse(JSON.stringify(compareItems(g.pa, g.pb, settings).deltas)), GOLDEN.comparePooled);
  assert.deepEqual(JSON.parse(JSON.stringify(compareItems(g.sa, g.sb, settings).deltas)), GOLDEN.compareSimilarity);
});

/** 1,200 items over 3 labels (12 cells, 100 items per cell; at most 48 joint cells), B agreeing with A 60% of the time. */
function largeGroups(): { a: SingleLabelItems; b: SingleLabelItems } {
  let state = 20261201;
  const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const labels = ['a', 'b', 'c'];
  const keys = Array.from({ length: 1200 }, (_, i) => `k${String(i).padStart(4, '0')}`);
  const truth = keys.map(() => Math.floor(rand() * 3));
  const answer = (t: number) => { const u = rand(); return u < 0.04 ? -1 : u < 0.7 ? t : Math.floor(rand() * 3); };
  const predA = truth.map(answer);
  const predB = truth.map((t, i) => (rand() < 0.6 ? predA[i] : answer(t)));
  const group = (pred: number[]): SingleLabelItems => ({ kind: 'classification', keys, labels, truth, pred, valence: keys.map(() => null), arousal: keys.map(() => null) });
  return { a: group(predA), b: group(predB) };
}

const GOLDEN_MULTINOMIAL = {
  group: {
    accuracy: {"value": 0.7583333333333333, "ci": [0.7330797107725702, 0.7823141569557177], "method": "clopper-pearson", "effectiveN": 1200},
    macro_f1: {"value": 0.7736338770448429, "ci": [0.7525445819521804, 0.7974982075782229], "method": "percentile-bootstrap"},
    weighted_f1: {"value": 0.7748191867305474, "ci": [0.7531110198862496, 0.7993432953955957], "method": "percentile-bootstrap"},
    kappa: {"value": 0.6448029983526207, "ci": [0.6119763295133402, 0.6810419094708016], "method": "percentile-bootstrap"},
    invalid_rate: {"value": 0.04083333333333333, "ci": [0.030358705300199684, 0.05362691306883027], "method": "clopper-pearson", "effectiveN": 1200},
  },
  compare: {
    accuracy: {"value": 0.010833333333333361, "ci": [-0.009199864863275408, 0.031035357393855992], "method": "tango-score"},
    macro_f1: {"value": 0.0108391554544095, "ci": [-0.009357096868990795, 0.03135795880674482], "method": "percentile-bootstrap-tango"},
    weighted_f1: {"value": 0.010528247099669708, "ci": [-0.009634807832485257, 0.03125466753613682], "method": "percentile-bootstrap-tango"},
    kappa: {"value": 0.015593328533283102, "ci": [-0.01371214955607579, 0.04608099980095431], "method": "percentile-bootstrap-tango"},
    invalid_rate: {"value": 0, "ci": [-0.009471163286851457, 0.009471163286851457], "method": "tango-score"},
  },
} as const;

test('a large group and its comparison, resampled as multinomial counts, give the pinned intervals', () => {
  const { a, b } = largeGroups();
  assert.deepEqual(JSON.parse(JSON.stringify(computeGroupMetrics(a, settings).headline)), GOLDEN_MULTINOMIAL.group);
  assert.deepEqual(JSON.parse(JSON.stringify(compareItems(a, b, settings).deltas)), GOLDEN_MULTINOMIAL.compare);
});

test('fillInts draws the same numbers as int(n), one by one', () => {
  for (const n of [1, 2, 7, 1000, 123_457]) {
    const one = createRng(n * 31 + 5);
    const many = createRng(n * 31 + 5);
    const out = new Int32Array(257);
    many.fillInts(out, n);
    assert.deepEqual([...out], Array.from({ length: 257 }, () => one.int(n)), `n = ${n}`);
    assert.equal(many.next(), one.next(), 'and leaves the generator where int(n) would');
  }
});
