import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import kind from '../../../nodes/aggregate/index.js';
import { type MetricsDocument, parseMetricsDocument } from '../../../src/report/metrics-document.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { allRecords, classificationRecords, runAggregate, similarityRecords } from './fixtures.js';
import { withTempDir } from '../../helpers/temp-dir.js';

test('writes metrics.json, metrics.csv and report.html; yields metric rows; never NaN', async () => {
  await withTempDir('aggregate', async (dir) => {
    const { out, ctx } = await runAggregate(allRecords(), { humanRatingField: 'humanRating' }, { runDir: dir });
    const files = (await readdir(dir)).filter((f) => f !== 'figures').sort();
    assert.deepEqual(files, ['metrics.csv', 'metrics.json', 'report.html']);
    assert.ok((await readdir(path.join(dir, 'figures'))).includes('per-class-classify.svg'), 'the charts as standalone figures');
    for (const f of files) assert.doesNotMatch(await readFile(path.join(dir, f), 'utf8'), /NaN|Infinity/);
    const doc = parseMetricsDocument(JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8')), 'metrics.json');
    // 2 models × 2 variants classification, 2 embedders × 2 models similarity, 1 VA group
    assert.equal(doc.groups.filter((g) => g.kind === 'classification').length, 4);
    assert.equal(doc.groups.filter((g) => g.kind === 'similarity').length, 4);
    assert.equal(doc.groups.filter((g) => g.kind === 'va').length, 1);
    assert.equal(doc.seed, 42);
    assert.ok(out.length > 50);
    assert.ok(out.every((r) => r.node === 'metrics' && typeof r.id === 'string'));
    assert.ok(out.some((r) => r.section === 'comparison' && r.metric === 'delta_accuracy'));
    assert.ok(ctx.events.some((e) => e.level === 'info' && /report\.html/.test(e.message)));
    // Truth "Happiness" and prediction "happiness" are the same class.
    const g = doc.groups.find((x) => x.kind === 'classification')!;
    assert.ok(g.items.kind === 'classification' && !g.items.labels.includes('Happiness'));
    assert.deepEqual(g.items.kind === 'classification' && g.items.labels, ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral']);
  });
});

test('accuracy and invalid rate match a count over the records; the interval brackets the estimate', async () => {
  await withTempDir('aggregate', async (dir) => {
    const records = classificationRecords();
    await runAggregate(records, {}, { runDir: dir });
    const doc = parseMetricsDocument(JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8')), 'm');
    for (const g of doc.groups) {
      const mine = records.filter((r) => r.coords.model === g.coords.model && r.coords.variant === g.coords.variant);
      const right = mine.filter((r) => r.valid && String(r.prediction) === String(r.label).toLowerCase()).length;
      const invalid = mine.filter((r) => !r.valid).length;
      const acc = g.headline.accuracy;
      assert.equal(g.n, mine.length);
      assert.ok(Math.abs(acc.value! - right / mine.length) < 1e-12);
      assert.ok(Math.abs(g.headline.invalid_rate.value! - invalid / mine.length) < 1e-12);
      assert.ok(acc.ci && acc.ci[0] <= acc.value! && acc.value! <= acc.ci[1]);
    }
  });
});

test('paired comparisons: McNemar along each axis, Wilcoxon for similarity, Holm-adjusted', async () => {
  await withTempDir('aggregate', async (dir) => {
    await runAggregate(allRecords(), {}, { runDir: dir });
    const doc = parseMetricsDocument(JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8')), 'm');
    const classification = doc.comparisons.filter((c) => c.kind === 'classification');
    // variant axis: 2 models × 1 pair; model axis: 2 variants × 1 pair
    assert.equal(classification.length, 4);
    for (const c of classification) {
      assert.equal(c.test?.name, 'mcnemar-exact');
      assert.equal(c.paired, 42);
      assert.ok(c.pHolm! >= c.test!.p);
    }
    const similarity = doc.comparisons.filter((c) => c.kind === 'similarity');
    assert.ok(similarity.length > 0 && similarity.every((c) => c.test?.name === 'wilcoxon-signed-rank'));
  });
});

test('same seed, same numbers; the seed is recorded', async () => {
  await withTempDir('aggregate', async (dir) => {
    const read = async () => {
      const doc = JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8'));
      delete doc.createdAt;
      return doc;
    };
    await runAggregate(allRecords(), {}, { runDir: dir, seed: 9 });
    const first = await read();
    await runAggregate(allRecords(), {}, { runDir: dir, seed: 9 });
    assert.deepEqual(await read(), first);
    await runAggregate(allRecords(), {}, { runDir: dir, seed: 10 });
    const other = await read();
    assert.equal(other.seed, 10);
    assert.notDeepEqual(other.groups[0].headline, first.groups[0].headline);
  });
});

test('`by` pools coordinates; `metrics` selects; several aggregate nodes prefix file names', async () => {
  await withTempDir('aggregate', async (dir) => {
    await runAggregate(classificationRecords(), { by: ['model'], metrics: ['accuracy', 'kappa'], compare: 'none' }, { runDir: dir, nodes: ['metrics', 'other'] });
    assert.deepEqual((await readdir(dir)).sort(), ['figures', 'metrics.metrics.csv', 'metrics.metrics.json', 'metrics.report.html']);
    const figures = await readdir(path.join(dir, 'figures'));
    assert.ok(figures.length > 0 && figures.every((f) => f.startsWith('metrics.') && f.endsWith('.svg')), figures.join(', '));
    const doc = parseMetricsDocument(JSON.parse(await readFile(path.join(dir, 'metrics.metrics.json'), 'utf8')), 'm');
    assert.equal(doc.groups.length, 2);
    assert.deepEqual(Object.keys(doc.groups[0].headline), ['accuracy', 'kappa']);
    // Items pooled over variants keep distinct keys (id + pooled coordinates).
    assert.equal(doc.groups[0].n, 84);
    assert.equal(new Set(doc.groups[0].items.keys).size, 84);
    assert.equal(doc.comparisons.length, 0);
    assert.equal(doc.groups[0].confusion, undefined);
  });
});

test('all answers invalid and a single class: defined where possible, null with reasons elsewhere', async () => {
  await withTempDir('aggregate', async (dir) => {
    const records: FlowRecord[] = Array.from({ length: 6 }, (_, i) => ({
      id: `x${i}`, coords: { model: 'm' }, node: 'classify', label: 'sadness', prediction: null, valid: false, answer: '??', labelSet: 'basic7',
    }));
    await runAggregate(records, {}, { runDir: dir });
    const doc = parseMetricsDocument(JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8')), 'm');
    const h = doc.groups[0].headline;
    assert.equal(h.accuracy.value, 0);
    assert.equal(h.invalid_rate.value, 1);
    // single class in the truth, nothing predicted: pe = 0 → kappa 0 (defined)
    assert.equal(h.kappa.value, 0);
    assert.equal(doc.groups[0].classes![0].precision.value, null);
    const csv = await readFile(path.join(dir, 'metrics.csv'), 'utf8');
    assert.match(csv, /precision,sadness,,,,,6,,,class never predicted/);
    assert.doesNotMatch(csv + (await readFile(path.join(dir, 'report.html'), 'utf8')), /NaN/);
  });
});

test('records without a truth label are skipped with a warning', async () => {
  await withTempDir('aggregate', async (dir) => {
    const records: FlowRecord[] = [
      { id: 'a', coords: {}, node: 'classify', label: 'fear', prediction: 'fear', valid: true },
      { id: 'b', coords: {}, node: 'classify', prediction: 'fear', valid: true },
    ];
    const { ctx } = await runAggregate(records, {}, { runDir: dir });
    const doc = parseMetricsDocument(JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8')), 'm');
    assert.equal(doc.groups[0].n, 1);
    assert.ok(doc.warnings.some((w) => /skipped 1 record/.test(w)));
    assert.ok(ctx.events.some((e) => e.level === 'warn'));
  });
});

test('check: spearman_human needs humanRatingField; compare axes must be grouped', async () => {
  const issues = await kind.check!({ metrics: ['spearman_human'], by: ['model'], compare: [{ axis: 'variant' }] }, { spec: { version: 1, name: 't', nodes: {} }, nodeId: 'm', specDir: '.' });
  assert.equal(issues.length, 2);
  assert.deepEqual(issues[1].path, ['nodes', 'm', 'with', 'compare', 0, 'axis']);
});

/** What the real aggregate kind writes for `records`: the parsed metrics.json, metrics.csv and report.html. */
async function metricsOf(records: FlowRecord[], params: Parameters<typeof runAggregate>[1]): Promise<{ doc: MetricsDocument; csv: string; html: string }> {
  let written: { doc: MetricsDocument; csv: string; html: string } | undefined;
  await withTempDir('aggregate', async (dir) => {
    await runAggregate(records, params, { runDir: dir });
    const read = (f: string) => readFile(path.join(dir, f), 'utf8');
    written = { doc: parseMetricsDocument(JSON.parse(await read('metrics.json')), 'm'), csv: await read('metrics.csv'), html: await read('report.html') };
  });
  return written!;
}

/** 20 items, truth happiness; a variant answers right on the first `right` items and "sadness" on the rest. */
function variantRecords(variant: string, right: number, model = 'm'): FlowRecord[] {
  return Array.from({ length: 20 }, (_, i) => ({
    id: `x${String(i).padStart(2, '0')}`, coords: { model, variant }, node: 'classify', labelSet: 'basic7',
    label: 'happiness', prediction: i < right ? 'happiness' : 'sadness', valid: true,
  }));
}

test('the Holm family holds the informative tests only; a degenerate comparison is reported outside it', async () => {
  // v1 → v2: B better on 6 items, p = 2/2^6 = 0.03125; v1 → v3: the same answers, no discordant pair
  // (degenerate, p = 1); v1 → v4: B better on 3, p = 2/2^3 = 0.25. Holm over the two informative
  // tests: 0.03125·2 = 0.0625, then max(0.0625, 0.25·1) = 0.25. Counting the degenerate test
  // (m = 3) would give 0.09375 and 0.5.
  const records = [...variantRecords('v1', 10), ...variantRecords('v2', 16), ...variantRecords('v3', 10), ...variantRecords('v4', 13)];
  const { doc, csv, html } = await metricsOf(records, { compare: [{ axis: 'variant', pairs: [['v1', 'v2'], ['v1', 'v3'], ['v1', 'v4']] }] });
  const byB = Object.fromEntries(doc.comparisons.map((c) => [c.b.replace(/.*variant=/, '').replace(']', ''), c]));
  assert.ok(Math.abs(byB.v2.test!.p - 0.03125) < 1e-12);
  assert.ok(Math.abs(byB.v4.test!.p - 0.25) < 1e-12);
  assert.ok(Math.abs(byB.v2.pHolm! - 0.0625) < 1e-12, `v2 pHolm ${byB.v2.pHolm}`);
  assert.ok(Math.abs(byB.v4.pHolm! - 0.25) < 1e-12, `v4 pHolm ${byB.v4.pHolm}`);
  assert.equal(byB.v3.test?.p, 1);
  assert.match(byB.v3.test!.degenerate!, /no discordant pair/);
  assert.equal(byB.v3.pHolm, null);
  assert.deepEqual(doc.multipleTesting, { method: 'holm', family: 2, degenerate: 1 });
  assert.match(csv, /degenerate test, outside the Holm family/);
  assert.match(html, /over the node&#39;s 2 informative test\(s\); 1 degenerate|over the node's 2 informative test\(s\); 1 degenerate/);
  assert.match(html, /not in family/);
});

test('proportions get Clopper–Pearson intervals: 5/5 right is [0.478, 1], not [1, 1]', async () => {
  const records = variantRecords('v1', 20).slice(0, 5);
  const { doc } = await metricsOf(records, {});
  const acc = doc.groups[0].headline.accuracy;
  assert.equal(acc.value, 1);
  assert.equal(acc.method, 'clopper-pearson');
  assert.ok(Math.abs(acc.ci![0] - 0.4781762498950185) < 1e-9 && acc.ci![1] === 1, `ci ${acc.ci}`);
  assert.equal(doc.groups[0].classes![0].recall.method, 'clopper-pearson');
  assert.deepEqual(doc.groups[0].classes![0].recall.ci, acc.ci);
  // Bootstrapped metrics say so.
  assert.equal(doc.groups[0].headline.macro_f1.method, 'percentile-bootstrap');
});

test('pooled coordinates: rows of one id form a cluster, so duplicated rows do not narrow any interval', async () => {
  // Two variants with identical answers: pooling them doubles the rows but adds no information.
  const single = variantRecords('v1', 13);
  const pooledRecords = [...single, ...variantRecords('v2', 13)];
  const alone = (await metricsOf(single, { compare: 'none' })).doc.groups[0];
  const { doc } = await metricsOf(pooledRecords, { by: ['model'], compare: 'none' });
  const pooled = doc.groups[0];
  assert.equal(pooled.n, 40);
  assert.equal(pooled.clusters, 20);
  assert.equal(pooled.headline.accuracy.method, 'clopper-pearson-clustered');
  // Rows of an id agree: the effective sample size is the 20 ids, the interval that of 13/20.
  assert.equal(pooled.headline.accuracy.effectiveN, 20);
  assert.deepEqual(pooled.headline.accuracy.ci, alone.headline.accuracy.ci);
  assert.equal(pooled.headline.kappa.method, 'cluster-bootstrap');
  const width = (e: { ci: readonly [number, number] | null }) => e.ci![1] - e.ci![0];
  // 20 ids × 2 identical rows: resampling rows would shrink the interval by √2 (ratio ≈ 0.71).
  const ratio = width(pooled.headline.weighted_f1) / width(alone.headline.weighted_f1);
  assert.ok(ratio > 0.85 && ratio < 1.18, `pooled / single-variant interval width = ${ratio}`);
});

test('spearman_human reads a human rating carried through as a record field: numeric strings and dotted paths', async () => {
  // raw [0.1, 0.4, 0.3, 0.5, 0.2] → ranks 1, 4, 3, 5, 2; ratings [1, 3, 2, 5, 4] → ranks 1, 3, 2, 5, 4;
  // d = 0, 1, 1, 0, −2, Σd² = 6, rho = 1 − 6·6/(5·24) = 0.7. Items without a numeric rating are left out.
  const raw = [0.1, 0.4, 0.3, 0.5, 0.2, 0.9, 0.8];
  const ratings: unknown[] = ['1', '3', '2', '5', 4, 'n/a', undefined];
  const records: FlowRecord[] = raw.map((r, i) => ({
    id: `d${i}`, coords: { embedder: 'glove' }, node: 'scores', embedder: 'glove', text: 't', reference: 'r',
    human_rating: ratings[i], ratings: { human: ratings[i] },
    similarity: { raw: r, nullMean: 0.2, nullStd: 0.1, z: (r - 0.2) / 0.1, percentile: 50, nullSize: 6 },
  }));
  for (const field of ['human_rating', 'ratings.human']) {
    const { doc } = await metricsOf(records, { humanRatingField: field });
    const rho = doc.groups[0].headline.spearman_human;
    assert.ok(Math.abs(rho.value! - 0.7) < 1e-12, `${field}: rho ${rho.value}`);
    assert.equal(rho.method, 'percentile-bootstrap');
  }
  const { doc } = await metricsOf(records, { humanRatingField: 'rating_missing' });
  assert.equal(doc.groups[0].headline.spearman_human.value, null);
  assert.ok(doc.warnings.some((w) => /spearman_human undefined .*"rating_missing"/.test(w)));
});

test('the shuffled-reference baseline: mean of each item\'s null mean, reported beside the mean cosine', async () => {
  const records: FlowRecord[] = [0.7, 0.8, 0.75, 0.9].map((raw, i) => ({
    id: `d${i}`, coords: { embedder: 'use' }, node: 'scores', embedder: 'use', text: 't', reference: 'r',
    similarity: { raw, nullMean: [0.6, 0.65, 0.7, 0.55][i], nullStd: 0.1, z: 1, percentile: 80, nullSize: 3 },
  }));
  const { doc, csv, html } = await metricsOf(records, {});
  const h = doc.groups[0].headline;
  assert.deepEqual(Object.keys(h).slice(0, 2), ['raw_mean', 'shuffled_mean']);
  assert.ok(Math.abs(h.raw_mean.value! - 0.7875) < 1e-12);
  assert.ok(Math.abs(h.shuffled_mean.value! - 0.625) < 1e-12);
  assert.match(csv, /,shuffled_mean,,0\.625,/);
  assert.match(html, /<th>raw_mean<\/th><th>shuffled_mean<\/th>/);
  assert.match(html, /shuffled-reference baseline/);
  assert.deepEqual(doc.groups[0].items.kind === 'similarity' && doc.groups[0].items.embedders, ['use']);
});

test('comparisons across embedders use the calibrated scale; within one embedder, raw', async () => {
  const records = similarityRecords();
  const { doc } = await metricsOf(records, { compare: [{ axis: 'embedder' }, { axis: 'model' }] });
  const across = doc.comparisons.filter((c) => c.axis === 'embedder');
  const within = doc.comparisons.filter((c) => c.axis === 'model');
  assert.equal(across.length, 2);
  for (const c of across) {
    assert.equal(c.test?.detail.scale, 'calibrated z');
    assert.equal(c.deltas.raw_mean.value, null);
    assert.ok(c.deltas.z_mean.value !== null);
  }
  for (const c of within) assert.equal(c.test?.detail.scale, 'raw cosine');
  // Pooling embedders into one group mixes raw scales: said, and comparisons fall back to z.
  const pooled = await metricsOf(records, { by: ['model'] });
  assert.ok(pooled.doc.warnings.some((w) => /pools the raw cosines of glove, use, which are on different scales/.test(w)), pooled.doc.warnings.join('\n'));
  const byModel = pooled.doc.comparisons.find((c) => c.kind === 'similarity');
  assert.equal(byModel?.test?.detail.scale, 'calibrated z');
});
