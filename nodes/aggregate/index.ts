import path from 'node:path';
import type { BatchKind, SpecIssue } from '../../src/types/node-kind.js';
import type { FlowRecord } from '../../src/types/records.js';
import { readJsonBeside } from '../../src/util/paths.js';
import { batchesOf } from '../../src/artifacts/jsonl.js';
import type { AggregateParams } from './params.generated.js';

/**
 * aggregate: one fan-in task over every upstream variant. Streams classification, similarity and VA
 * records into compact per-group tuples, computes metrics with seeded bootstrap intervals and paired
 * tests, writes metrics.json, metrics.csv and report.html into the run folder (prefixed with the
 * node id when the pipeline has several aggregate nodes), and yields one record per metric row.
 */
const kind: BatchKind<AggregateParams> = {
  name: 'aggregate',
  version: '1',
  paramsSchema: readJsonBeside(import.meta.url, 'params.schema.json'),
  consumes: ['classification', 'similarity', 'va', 'description'],
  produces: 'metrics',
  mode: 'batch',
  fanIn: true,
  check(params, ctx) {
    const issues: SpecIssue[] = [];
    const base = ['nodes', ctx.nodeId, 'with'];
    if (params.metrics?.includes('spearman_human') && !params.humanRatingField) {
      issues.push({ path: [...base, 'metrics'], message: 'spearman_human needs `humanRatingField` (the record field holding the human rating)' });
    }
    if (Array.isArray(params.compare) && params.by) {
      params.compare.forEach((c, i) => {
        if (!params.by!.includes(c.axis)) issues.push({ path: [...base, 'compare', i, 'axis'], message: `"${c.axis}" is not in \`by\` (${params.by!.join(', ')}), so no two groups differ on it` });
      });
    }
    return issues;
  },
  async *batch(inputs, ctx) {
    const [{ Collector }, { buildDocument, withItems, withoutItems }, { writeMetricsOutputs }, { metricRows }, { describeMissingInput }, { upstreamTasks }, { RecordGatherer }, { codeDigest }] = await Promise.all([
      import('./collect.js'),
      import('./build-document.js'),
      import('../../src/report/write-outputs.js'),
      import('../../src/report/rows.js'),
      import('./missing-inputs.js'),
      import('../../src/report/run-artifacts.js'),
      import('../../src/report/report-records.js'),
      import('../../src/util/code-digest.js'),
    ]);
    const collector = new Collector({ by: ctx.params.by ?? null, humanRatingField: ctx.params.humanRatingField });
    // The report's explorer and predictions.csv take what they need of each record in this same pass.
    const tasks = upstreamTasks(ctx.runDir, ctx.nodeId);
    const gatherer = tasks ? new RecordGatherer(tasks) : null;
    // A chunk of records at a time: one async step per chunk, not per record.
    for await (const batch of batchesOf(inputs())) {
      if (ctx.signal.aborted) return;
      for (const record of batch) {
        const grouping = collector.add(record);
        gatherer?.add(record, grouping);
      }
    }
    const { groups, warnings } = collector.finish();
    // Inputs that failed upstream are named in the warnings (report) and listed in metrics.json.
    const missing = ctx.missingInputs ?? [];
    const notes = [...missing.map(describeMissingInput), ...warnings];
    // The statistics are a pure function of the collected groups, the notes, the seed, the params and
    // the code that computes them: a rerun on the same records reads them from the run's cache.
    const identity = { kind: `${kind.name}@${kind.version}`, code: codeDigest(new URL('./build-document.js', import.meta.url).href), node: ctx.nodeId, seed: ctx.seed, params: ctx.params, notes, groups };
    const computed = ctx.providers.computeCached({ namespace: 'metrics', identity, origin: ctx.taskId }, () => withoutItems(buildDocument(groups, [...notes], { node: ctx.nodeId, seed: ctx.seed, params: ctx.params })));
    const built = withItems(computed.value, groups, new Date());
    const doc = missing.length > 0 ? { ...built, missingInputs: missing } : built;
    for (const warning of doc.warnings) ctx.log({ level: 'warn', message: `aggregate ${ctx.nodeId}: ${warning}` });
    const aggregateNodes = Object.values(ctx.spec.nodes).filter((n) => n.kind === 'aggregate').length;
    const files = await writeMetricsOutputs(doc, { dir: ctx.runDir, prefixed: aggregateNodes > 1, pipelineName: ctx.spec.name, runId: path.basename(ctx.runDir), renderCharts: ctx.providers.renderCharts, gathered: gatherer?.finish() });
    const { charts, ...written } = files;
    ctx.log({ level: 'info', message: `aggregate ${ctx.nodeId}: ${doc.groups.length} group(s), ${doc.comparisons.length} comparison(s) → ${files.html}`, files: written, charts, metricsCached: computed.cached });
    for (const row of metricRows(doc)) {
      const id = `${row.group}#${row.metric}${row.class === null ? '' : `:${row.class}`}`;
      const { coords, ...fields } = row;
      // Comparison rows span two groups: they carry the compared axis as a field, not as coordinates.
      const record: FlowRecord = row.section === 'comparison' ? { ...fields, id, coords: {}, node: ctx.nodeId, axis: coords.axis } : { ...fields, id, coords, node: ctx.nodeId };
      yield record;
    }
  },
};
export default kind;
