/**
 * The aggregate kind itself (nodes/aggregate/index.ts), called in-process with a real TaskContext
 * (test/helpers/kind-context.ts) over a handful of records and a small bootstrap: its spec checks,
 * what it passes on (grouping, failed upstream inputs, warnings, log events), the files it writes
 * and their names, and the records it yields. Fast enough to be the mutation scope's test
 * (`aggregate-node`); index.test.ts and order.test.ts check the numbers over realistic record sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import kind from '../../../nodes/aggregate/index.js';
import type { AggregateParams } from '../../../nodes/aggregate/params.generated.js';
import { parseMetricsDocument } from '../../../src/report/metrics-document.js';
import type { MissingInput } from '../../../src/types/node-kind.js';
import type { Pipeline } from '../../../src/types/generated/pipeline.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { collect, taskContext } from '../../helpers/kind-context.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { stream } from './fixtures.js';

// Under the schema's minimum (1000): the kind is called directly, and the numbers are not what this file checks.
const FAST = { bootstrap: { resamples: 40 } } as const;
const SPEC: Pipeline = { version: 1, name: 'affect-study', nodes: { classify: { kind: 'classify' }, metrics: { kind: 'aggregate' } } };

/** Two models × two variants over four items; model m2 misses two of them. */
function records(): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const model of ['m1', 'm2']) {
    for (const variant of ['lexical', 'numeric']) {
      ['happiness', 'sadness', 'anger', 'fear'].forEach((label, i) => {
        const prediction = model === 'm2' && i < 2 ? 'neutral' : label;
        out.push({ id: `f${i}`, node: 'classify', coords: { model, variant }, label, prediction, valid: true, labelSet: 'basic7' });
      });
    }
  }
  return out;
}

async function run(dir: string, input: FlowRecord[], params: AggregateParams, extra: { spec?: Pipeline; missingInputs?: MissingInput[]; signal?: AbortSignal } = {}) {
  const ctx = { ...taskContext<AggregateParams>({ params: { ...FAST, ...params }, nodeId: 'metrics', runDir: dir, seed: 3, spec: extra.spec ?? SPEC, signal: extra.signal }), ...(extra.missingInputs ? { missingInputs: extra.missingInputs } : {}) };
  const out = await collect(kind.batch(() => stream(input), ctx));
  return { out, events: ctx.events };
}

const readDoc = async (file: string) => parseMetricsDocument(JSON.parse(await readFile(file, 'utf8')), file);

test('check: spearman_human without humanRatingField, and a compared axis outside `by`, are spec issues at their paths', async () => {
  const spec = { version: 1, name: 't', nodes: {} } as Pipeline;
  const check = (params: AggregateParams) => kind.check!(params, { spec, nodeId: 'm', specDir: '.' });
  assert.deepEqual(await check({ metrics: ['accuracy', 'spearman_human'], by: ['model', 'variant'], compare: [{ axis: 'variant' }, { axis: 'embedder' }, { axis: 'model' }, { axis: 'seed' }] }), [
    { path: ['nodes', 'm', 'with', 'metrics'], message: 'spearman_human needs `humanRatingField` (the record field holding the human rating)' },
    { path: ['nodes', 'm', 'with', 'compare', 1, 'axis'], message: '"embedder" is not in `by` (model, variant), so no two groups differ on it' },
    { path: ['nodes', 'm', 'with', 'compare', 3, 'axis'], message: '"seed" is not in `by` (model, variant), so no two groups differ on it' },
  ]);
  // Fine: the rating field named; every metric by default; `by` absent (every coordinate is grouped); compare not a list.
  assert.deepEqual(await check({ metrics: ['spearman_human'], humanRatingField: 'rating' }), []);
  assert.deepEqual(await check({ humanRatingField: 'rating' }), []);
  assert.deepEqual(await check({ metrics: ['accuracy'] }), []);
  assert.deepEqual(await check({ compare: [{ axis: 'variant' }] }), []);
  assert.deepEqual(await check({ by: ['model'], compare: 'all-pairs' }), []);
});

test('one pipeline aggregate: metrics.json, metrics.csv, report.html (with the pipeline and run) unprefixed; every metric row yielded once', async () => {
  await withTempDir('aggregate-node', async (root) => {
    const dir = path.join(root, 'run-2026-11-30-x');
    await mkdir(dir);
    const { out, events } = await run(dir, records(), { compare: [{ axis: 'model' }] });
    assert.deepEqual((await readdir(dir)).filter((f) => f !== 'figures').sort(), ['metrics.csv', 'metrics.json', 'report.html']);
    const doc = await readDoc(path.join(dir, 'metrics.json'));
    assert.equal(doc.node, 'metrics');
    assert.equal(doc.seed, 3);
    assert.equal('missingInputs' in doc, false, 'no failed input, no missingInputs');
    assert.deepEqual(doc.warnings, []);
    assert.deepEqual(doc.groups.map((g) => g.key), ['classify/classification[model=m1,variant=lexical]', 'classify/classification[model=m1,variant=numeric]', 'classify/classification[model=m2,variant=lexical]', 'classify/classification[model=m2,variant=numeric]']);
    assert.equal(doc.comparisons.length, 2);
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    assert.match(html, /vaflow report — affect-study/);
    assert.match(html, /run run-2026-11-30-x/);

    // The records: one per row of metrics.csv, with ids group#metric[:class].
    const csvRows = (await readFile(path.join(dir, 'metrics.csv'), 'utf8')).trim().split('\n').length - 1;
    assert.equal(out.length, csvRows);
    assert.equal(new Set(out.map((r) => r.id)).size, out.length, 'ids are unique');
    assert.ok(out.every((r) => r.node === 'metrics'));
    const accuracy = out.find((r) => r.id === 'classify/classification[model=m2,variant=numeric]#accuracy')!;
    assert.deepEqual([accuracy.section, accuracy.coords, accuracy.value, accuracy.class], ['group', { model: 'm2', variant: 'numeric' }, 0.5, null]);
    const recall = out.find((r) => r.id === 'classify/classification[model=m1,variant=lexical]#recall:anger')!;
    assert.deepEqual([recall.section, recall.class, recall.value, recall.coords], ['class', 'anger', 1, { model: 'm1', variant: 'lexical' }]);
    // A comparison spans two groups: no coordinates, the compared axis as a field.
    const delta = out.find((r) => r.id === 'classify/classification[model=m1,variant=lexical] vs classify/classification[model=m2,variant=lexical]#delta_accuracy')!;
    assert.deepEqual([delta.section, delta.coords, delta.axis, delta.value], ['comparison', {}, 'model', -0.5]);
    assert.ok(out.filter((r) => r.section === 'comparison').every((r) => r.axis === 'model' && Object.keys(r.coords).length === 0));
    assert.ok(out.filter((r) => r.section !== 'comparison').every((r) => !('axis' in r) && Object.keys(r.coords).length === 2));

    assert.deepEqual(events.filter((e) => e.level === 'warn'), []);
    const info = events.filter((e) => e.level === 'info');
    assert.equal(info.length, 1);
    assert.equal(info[0].message, `aggregate metrics: 4 group(s), 2 comparison(s) → ${path.join(dir, 'report.html')}`);
    assert.deepEqual((info[0] as { files?: { json: string; csv: string } }).files?.json, path.join(dir, 'metrics.json'));
  });
});

test('`by` reaches the grouping: pooled variants form one group per model, clusters by id', async () => {
  await withTempDir('aggregate-node', async (dir) => {
    await run(dir, records(), { by: ['model'], compare: 'none', metrics: ['accuracy'] });
    const doc = await readDoc(path.join(dir, 'metrics.json'));
    assert.deepEqual(doc.groups.map((g) => [g.key, g.n, g.clusters, g.headline.accuracy.value]), [
      ['classify/classification[model=m1]', 8, 4, 1],
      ['classify/classification[model=m2]', 8, 4, 0.5],
    ]);
    assert.deepEqual(doc.by, ['model']);
  });
});

test('failed upstream inputs are named first among the warnings, logged, and listed in metrics.json; skipped records too', async () => {
  const missing: MissingInput[] = [{ task: 'classify[model=m3]', status: 'failed', reason: 'error rate 100.0% over the limit', items: 4, records: 0, errors: 4 }];
  await withTempDir('aggregate-node', async (dir) => {
    const input = [...records(), { id: 'p1', node: 'prompts', coords: {}, messages: [] }];
    const { events } = await run(dir, input, { compare: 'none' }, { missingInputs: missing });
    const doc = await readDoc(path.join(dir, 'metrics.json'));
    const expected = [
      'classify[model=m3] failed: error rate 100.0% over the limit (4 items, 4 errors); its results are not included',
      'skipped 1 record(s): prompts: records without classification, similarity or VA fields',
    ];
    assert.deepEqual(doc.warnings, expected);
    assert.deepEqual((JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8')) as { missingInputs?: unknown }).missingInputs, missing);
    assert.deepEqual(events.filter((e) => e.level === 'warn').map((e) => e.message), expected.map((w) => `aggregate metrics: ${w}`));
    assert.match(await readFile(path.join(dir, 'report.html'), 'utf8'), /classify\[model=m3\] failed: error rate 100\.0% over the limit/);
  });
});

test('several aggregate nodes in the pipeline: file names are prefixed with the node id; another kind of node does not count', async () => {
  await withTempDir('aggregate-node', async (dir) => {
    const spec: Pipeline = { version: 1, name: 'two', nodes: { classify: { kind: 'classify' }, metrics: { kind: 'aggregate' }, other: { kind: 'aggregate' } } };
    const { events } = await run(dir, records(), { compare: 'none', metrics: ['accuracy'] }, { spec });
    assert.deepEqual((await readdir(dir)).filter((f) => f !== 'figures').sort(), ['metrics.metrics.csv', 'metrics.metrics.json', 'metrics.report.html']);
    assert.equal(events.find((e) => e.level === 'info')?.message, `aggregate metrics: 4 group(s), 0 comparison(s) → ${path.join(dir, 'metrics.report.html')}`);
  });
});

test('an interrupted run (aborted signal) stops reading: no files, no records', async () => {
  await withTempDir('aggregate-node', async (dir) => {
    const controller = new AbortController();
    controller.abort();
    const { out, events } = await run(dir, records(), {}, { signal: controller.signal });
    assert.deepEqual(out, []);
    assert.deepEqual(await readdir(dir), []);
    assert.deepEqual(events, []);
  });
});

test('the kind\'s declaration: one batch task over every upstream variant, reading the scored families, writing metrics', () => {
  assert.deepEqual({ name: kind.name, mode: kind.mode, fanIn: kind.fanIn, produces: kind.produces, consumes: kind.consumes }, {
    name: 'aggregate', mode: 'batch', fanIn: true, produces: 'metrics', consumes: ['classification', 'similarity', 'va', 'description'],
  });
  assert.equal((kind.paramsSchema as { title?: string }).title, 'AggregateParams', 'the schema beside the kind');
});
