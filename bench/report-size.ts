// Size and cost of the report for a large run: a run folder with N items (default 10,000) classified
// by 2 models × 2 prompt variants and described by 2 models under 2 embedders (8 groups, 8·N item rows),
// then `vaflow report RUN` (report.html with the item explorer, figures, predictions.csv) against the
// same-run baseline `vaflow report RUN --format md` (metrics.json only, no records read).
// Run: npx tsc -p tsconfig.json && node dist/bench/report-size.js [items]
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { buildDocument } from '../nodes/aggregate/build-document.js';
import { Collector } from '../nodes/aggregate/collect.js';
import { createRng } from '../src/stats/prng.js';
import { writeFileAtomic } from '../src/artifacts/atomic-write.js';
import { compactJson } from '../src/report/write-outputs.js';
import { metricRows, rowsToCsv } from '../src/report/rows.js';
import type { FlowRecord } from '../src/types/records.js';
import { BIN, machine, timeNode } from './lib.js';

const n = Number(process.argv[2] ?? 10_000);
const LABELS = ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral'];
const WORDS = ['calm', 'tense', 'joyful', 'gloomy', 'bright', 'weary', 'alert', 'soft', 'tight', 'open', 'lowered', 'raised'];
const root = mkdtempSync(path.join(os.tmpdir(), 'vaflow-bench-report-'));
const runsDir = path.join(root, 'runs');
const id = '20250101-000000-report-size-0000';
const dir = path.join(runsDir, id);
mkdirSync(path.join(dir, 'tasks'), { recursive: true });
const rng = createRng(5);
const words = (k: number) => Array.from({ length: k }, () => WORDS[Math.floor(rng.next() * WORDS.length)]).join(' ');
const references = Array.from({ length: n }, () => `a feeling of being ${words(6)}`);

const tasks: Record<string, { id: string; nodeId: string; kind: string; coords: Record<string, string> }> = {};
const collector = new Collector({ by: null });
async function writeTask(taskId: string, nodeId: string, coords: Record<string, string>, make: (i: number) => FlowRecord): Promise<void> {
  tasks[taskId] = { id: taskId, nodeId, kind: nodeId, coords };
  const out = createWriteStream(path.join(dir, 'tasks', `${taskId}.jsonl`));
  for (let i = 0; i < n; i++) {
    const record = make(i);
    collector.add(record);
    if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
  }
  await new Promise((r) => out.end(r));
}

for (const model of ['model-a', 'model-b']) {
  for (const variant of ['numeric', 'lexical']) {
    await writeTask(`classify[model=${model},variant=${variant}]`, 'classify', { variant, model }, (i) => {
      const truth = LABELS[i % 7];
      const roll = rng.next();
      const prediction = roll < 0.05 ? null : roll < 0.6 ? truth : LABELS[Math.floor(rng.next() * 7)];
      return {
        id: `face${String(i).padStart(6, '0')}`, node: 'classify', coords: { variant, model }, label: truth, labelSet: 'basic7',
        valence: rng.next() * 2 - 1, arousal: rng.next() * 2 - 1, reference: references[i],
        prediction, valid: prediction !== null, answer: prediction === null ? 'I cannot determine an emotion from these numbers.' : `The person most likely feels ${prediction}.`,
        ...(prediction === null ? { invalidReason: 'no-label' } : {}),
      };
    });
  }
  const descriptions = Array.from({ length: n }, () => `The person looks ${words(3)} and ${words(3)}, with a ${words(2)} face and ${words(4)} eyes.`);
  for (const embedder of ['glove', 'use']) {
    await writeTask(`similarity[embedder=${embedder},model=${model},variant=numeric]`, 'similarity', { variant: 'numeric', model, embedder }, (i) => {
      const raw = 0.3 + rng.next() * 0.5;
      return {
        id: `face${String(i).padStart(6, '0')}`, node: 'similarity', coords: { variant: 'numeric', model, embedder }, label: LABELS[i % 7],
        valence: rng.next() * 2 - 1, arousal: rng.next() * 2 - 1, reference: references[i], text: descriptions[i], embedder,
        similarity: { raw, nullMean: 0.45, nullStd: 0.1, z: (raw - 0.45) / 0.1, percentile: rng.next() * 100, nullSize: 500 },
      };
    });
  }
}
const taskIds = Object.keys(tasks);
tasks.scores = { id: 'scores', nodeId: 'scores', kind: 'aggregate', coords: {} };
writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ roots: taskIds, tasks, dependencies: { scores: taskIds }, order: [...taskIds, 'scores'] }));
writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ manifestVersion: 1, runId: id, status: 'completed', pipeline: { name: 'report-size' }, tasks: {}, totals: {} }));
const { groups, warnings } = collector.finish();
const doc = buildDocument(groups, warnings, { node: 'scores', seed: 1, params: { compare: 'none' } });
await writeFileAtomic(path.join(dir, 'metrics.json'), compactJson(doc) + '\n');
await writeFileAtomic(path.join(dir, 'metrics.csv'), rowsToCsv(metricRows(doc)));

const size = (file: string) => statSync(path.join(dir, file)).size;
const records = taskIds.reduce((sum, t) => sum + size(path.join('tasks', `${t}.jsonl`)), 0);
const md = timeNode([BIN, 'report', id, '--format', 'md', '--runs-dir', runsDir]);
const html = timeNode([BIN, 'report', id, '--runs-dir', runsDir]);
if (md.code !== 0 || html.code !== 0) throw new Error(`vaflow report failed:\n${md.stderr}\n${html.stderr}`);
const page = size('report.html');
const explorer = /<script type="application\/json" id="explorer-data">([\s\S]*?)<\/script>/.exec(readFileSync(path.join(dir, 'report.html'), 'utf8'))![1].length;
const rows = 8 * n;
console.log(`machine: ${machine()}`);
console.log(`${n} items × 8 groups = ${rows} item rows; task records ${(records / 2 ** 20).toFixed(1)} MiB; metrics.json ${(size('metrics.json') / 2 ** 20).toFixed(1)} MiB`);
console.log(`report.html ${(page / 2 ** 20).toFixed(2)} MiB (explorer data ${(explorer / 2 ** 20).toFixed(2)} MiB, ${(explorer / rows).toFixed(0)} bytes per item row; ${(explorer / records * 100).toFixed(1)}% of the records), predictions.csv ${(size('predictions.csv') / 2 ** 20).toFixed(1)} MiB`);
console.log(`vaflow report (html, explorer, figures, predictions.csv): ${html.seconds.toFixed(2)} s, peak RSS ${html.maxRssMb.toFixed(0)} MB`);
console.log(`baseline vaflow report --format md: ${md.seconds.toFixed(2)} s, peak RSS ${md.maxRssMb.toFixed(0)} MB; ratio ${(html.seconds / md.seconds).toFixed(2)}×`);
rmSync(root, { recursive: true, force: true });
