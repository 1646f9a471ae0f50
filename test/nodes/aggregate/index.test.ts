import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import kind from '../../../nodes/aggregate/index.js';
import { parseMetricsDocument } from '../../../src/report/metrics-document.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { allRecords, classificationRecords, runAggregate } from './fixtures.js';
import { withTempDir } from '../../helpers/temp-dir.js';

test('writes metrics.json, metrics.csv and report.html; yields metric rows; never NaN', async () => {
  await withTempDir('aggregate', async (dir) => {
    const { out, ctx } = await runAggregate(allRecords(), { humanRatingField: 'humanRating' }, { runDir: dir });
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['metrics.csv', 'metrics.json', 'report.html']);
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
    assert.deepEqual((await readdir(dir)).sort(), ['metrics.metrics.csv', 'metrics.metrics.json', 'metrics.report.html']);
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
