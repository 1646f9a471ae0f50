import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../../src/artifacts/jsonl.js';
import { Collector } from '../../nodes/aggregate/collect.js';
import { RecordGatherer } from '../../src/report/report-records.js';
import { buildExplorerData, ExplorerWords } from '../../src/report/explorer-data.js';
import { buildDocument } from '../../nodes/aggregate/build-document.js';
import { groupingOf } from '../../src/stats/record-grouping.js';
import { upstreamTasks, type UpstreamTask } from '../../src/report/run-artifacts.js';
import type { MetricsDocument } from '../../src/report/metrics-document.js';
import { writeReport } from '../../src/report/write-outputs.js';
import type { FlowRecord } from '../../src/types/records.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { makeReportRun, startReportServer } from './report-run.js';

/** Every record of the tasks, last task first (aggregate's order need not be the plan's). */
async function recordsOf(tasks: readonly UpstreamTask[]): Promise<FlowRecord[]> {
  const out: FlowRecord[] = [];
  for (const task of [...tasks].reverse()) if (task.file) for await (const r of readJsonl<FlowRecord>(task.file)) out.push(r);
  return out;
}

function gather(tasks: readonly UpstreamTask[], records: readonly FlowRecord[], doc: MetricsDocument, maxRows?: number) {
  const gatherer = new RecordGatherer(tasks, maxRows === undefined ? {} : { maxRows });
  const collector = new Collector({ by: doc.by });
  for (const record of records) gatherer.add(record, collector.add(record));
  return gatherer.finish();
}

test('the report from records gathered in aggregate\'s pass is the report read from the task files, byte for byte, and reads no task file', async () => {
  const server = await startReportServer();
  try {
    await withTempDir('report-records', async (dir) => {
      const { runDir } = await makeReportRun(dir, server.url);
      const doc = JSON.parse(readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as MetricsDocument;
      const tasks = upstreamTasks(runDir, doc.node)!;
      assert.ok(tasks.filter((t) => t.file).length >= 4, 'classify and similarity tasks');
      const records = await recordsOf(tasks);
      const read = async (name: string) => readFileSync(path.join(runDir, name), 'utf8');

      await writeReport(doc, { dir: runDir, prefixed: false, runId: 'r' });
      const fromFiles = { html: await read('report.html'), csv: await read('predictions.csv') };
      assert.match(fromFiles.html, /id="items"/, 'the page has its explorer');

      const gathered = gather(tasks, records, doc);
      assert.ok(gathered && gathered.rows, 'every record placed, every row held');
      const held = gather(tasks, records, doc, 10);
      assert.ok(held && held.rows === null, 'past the cap the rows are read from the files again');
      // The task files now say something else: a report that read them would differ (or fail).
      const saved = new Map(tasks.filter((t) => t.file).map((t) => [t.file!, readFileSync(t.file!, 'utf8')]));
      for (const file of saved.keys()) writeFileSync(file, '');
      await writeReport(doc, { dir: runDir, prefixed: false, runId: 'r', gathered });
      assert.ok(await read('report.html') === fromFiles.html, 'report.html: the same bytes');
      assert.ok(await read('predictions.csv') === fromFiles.csv, 'predictions.csv: the same bytes');
      for (const [file, text] of saved) writeFileSync(file, text);

      await writeReport(doc, { dir: runDir, prefixed: false, runId: 'r', gathered: held });
      assert.ok(await read('report.html') === fromFiles.html && await read('predictions.csv') === fromFiles.csv, 'rows over the cap: the same bytes');
    });
  } finally {
    await server.close();
  }
});

test('a record no upstream task has, or a task whose records aggregate never saw, leaves the report to the files', () => {
  const tasks: UpstreamTask[] = [
    { taskId: 'classify[model=m,variant=a]', node: 'classify', coords: { model: 'm', variant: 'a' }, file: '/nowhere/a.jsonl' },
    { taskId: 'classify[model=m,variant=b]', node: 'classify', coords: { model: 'm', variant: 'b' }, file: '/nowhere/b.jsonl' },
    { taskId: 'failed[model=m]', node: 'failed', coords: { model: 'm' }, file: undefined },
  ];
  const record = (variant: string, extra: Record<string, string> = {}): FlowRecord => ({ id: 'x', node: 'classify', coords: { model: 'm', variant, ...extra }, label: 'fear', prediction: 'fear', valid: true });
  const run = (records: FlowRecord[]) => {
    const gatherer = new RecordGatherer(tasks);
    const collector = new Collector({ by: null });
    for (const r of records) gatherer.add(r, collector.add(r));
    return gatherer.finish();
  };
  const placed = run([record('a'), record('b', { embedder: 'e' })]);
  assert.deepEqual([...(placed?.rows?.keys() ?? [])].sort(), ['classify[model=m,variant=a]', 'classify[model=m,variant=b]'], 'placed by the task\'s own coordinates');
  // Another node's task with the same coordinates: its record is its own task's, not the last record's.
  const twoNodes: UpstreamTask[] = [...tasks, { taskId: 'review[model=m,variant=a]', node: 'review', coords: { model: 'm', variant: 'a' }, file: '/nowhere/r.jsonl' }];
  const gatherer = new RecordGatherer(twoNodes);
  const collector = new Collector({ by: null });
  for (const r of [record('a'), { ...record('a'), node: 'review' }, record('b')]) gatherer.add(r, collector.add(r));
  assert.deepEqual([...(gatherer.finish()?.rows?.keys() ?? [])].sort(), ['classify[model=m,variant=a]', 'classify[model=m,variant=b]', 'review[model=m,variant=a]'], 'each node\'s records in its own task');
  assert.equal(run([record('a')]), undefined, 'variant b gave no record');
  assert.equal(run([record('a'), record('b'), record('c')]), undefined, 'no task holds variant c');
  assert.equal(run([record('a'), record('b'), { ...record('b'), coords: { model: 'm' } }]), undefined, 'a record without the task\'s axis');
});

test('records sharing an item key (three copies of one record with different answers) give the explorer one answer each, in an order fixed by content', async () => {
  const copy = (answer: string): FlowRecord => ({ id: 'x', node: 'classify', coords: { variant: 'a' }, label: 'fear', prediction: 'fear', valid: true, answer });
  const records = [copy('b-second'), copy('c-third'), copy('a-first'), { ...copy('only'), id: 'y' }];
  const collector = new Collector({ by: null });
  const words = new ExplorerWords();
  for (const r of records) {
    collector.add(r);
    words.add(r, groupingOf(r, null)!);
  }
  const doc = buildDocument(collector.finish().groups, [], { node: 'scores', seed: 1, params: { bootstrap: { resamples: 20 } } });
  const explorer = await buildExplorerData(doc, [], words);
  const [group] = explorer.groups;
  assert.deepEqual(group.key.map((k) => explorer.strings[k]), ['x', 'x', 'x', 'y']);
  assert.deepEqual(group.answer?.map((a) => explorer.strings[a]), ['a-first', 'b-second', 'c-third', 'only']);
});
