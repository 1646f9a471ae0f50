import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { writePredictionsCsv } from '../../src/report/predictions-csv.js';
import type { UpstreamTask } from '../../src/report/run-artifacts.js';
import type { FlowRecord } from '../../src/types/records.js';
import { shuffled } from '../nodes/aggregate/fixtures.js';
import { withTempDir } from '../helpers/temp-dir.js';

const classify: FlowRecord[] = [
  { id: 'b', node: 'classify', coords: { model: 'm', variant: 'v' }, label: 'Happiness', prediction: 'happiness', answer: 'Happiness.', valid: true, valence: 0.8, arousal: 0.2 },
  { id: 'a', node: 'classify', coords: { model: 'm', variant: 'v' }, label: 'fear', prediction: null, answer: 'I can\'t say, "really", sorry,\nno', valid: false, invalidReason: 'refusal', valence: -0.6, arousal: 0.1 },
  { id: 'c', node: 'classify', coords: { model: 'm', variant: 'v' }, label: 'anger', prediction: 'fear', answer: 'fear', valid: true },
  { id: 'd', node: 'classify', coords: { model: 'm', variant: 'v' }, label: 'anger', prediction: ['anger', 'fear'], answer: 'anger, fear', valid: true },
];
const emotic: FlowRecord[] = [
  { id: 'e', node: 'emotic', coords: { model: 'm' }, label: ['pain', 'suffering'], prediction: ['Suffering', 'pain'], valid: true },
  { id: 'f', node: 'emotic', coords: { model: 'm' }, label: ['pain'], prediction: [], valid: true },
];
const similarity: FlowRecord[] = [
  { id: 'b', node: 'similarity', coords: { model: 'm', variant: 'v', embedder: 'glove' }, text: 'a warm smile', reference: 'full of joy', similarity: { raw: 0.71, nullMean: 0.6, nullStd: 0.1, z: 1.1, percentile: 80 } },
  { id: 'a', node: 'similarity', coords: { model: 'm', variant: 'v', embedder: 'glove' }, text: 'tense', reference: 'afraid', similarity: { raw: null, reason: 'out of vocabulary', nullMean: null, z: null, percentile: null } },
];

async function tasksIn(dir: string, order: number): Promise<UpstreamTask[]> {
  const out: UpstreamTask[] = [];
  for (const [taskId, node, coords, records] of [
    ['classify[model=m,variant=v]', 'classify', { model: 'm', variant: 'v' }, classify],
    ['emotic[model=m]', 'emotic', { model: 'm' }, emotic],
    ['similarity[embedder=glove,model=m,variant=v]', 'similarity', { model: 'm', variant: 'v', embedder: 'glove' }, similarity],
  ] as const) {
    const file = path.join(dir, `${taskId}.${order}.jsonl`);
    await writeFile(file, shuffled(records, order).map((r) => JSON.stringify(r)).join('\n') + '\n');
    out.push({ taskId, node, coords, file });
  }
  out.push({ taskId: 'failed[model=m]', node: 'failed', coords: { model: 'm' }, file: undefined });
  return out;
}

test('predictions.csv: a row per record, a column per factor, sorted by id within each task whatever the completion order, correct as the metrics score it', async () => {
  await withTempDir('predictions', async (dir) => {
    const first = path.join(dir, 'a.csv');
    const second = path.join(dir, 'b.csv');
    assert.equal(await writePredictionsCsv(first, await tasksIn(dir, 1)), 8);
    await writePredictionsCsv(second, await tasksIn(dir, 2));
    const text = await readFile(first, 'utf8');
    assert.equal(await readFile(second, 'utf8'), text, 'the same records in another order give the same file');

    const header = text.split('\n')[0].split(',');
    assert.deepEqual(header.slice(0, 6), ['node', 'task', 'id', 'embedder', 'model', 'variant']);
    assert.equal(new Set(header).size, header.length, 'no column twice');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(rows.map((r) => `${r.node}/${r.id}`), ['classify/a', 'classify/b', 'classify/c', 'classify/d', 'emotic/e', 'emotic/f', 'similarity/a', 'similarity/b']);
    const row = (node: string, id: string) => rows.find((r) => r.node === node && r.id === id)!;

    // Case is not a mistake; an invalid answer, a wrong one and two labels for one are wrong; sets compare as sets.
    assert.deepEqual([row('classify', 'b').correct, row('classify', 'a').correct, row('classify', 'c').correct, row('classify', 'd').correct], ['true', 'false', 'false', 'false']);
    assert.deepEqual([row('emotic', 'e').correct, row('emotic', 'f').correct], ['true', 'false']);
    assert.equal(row('emotic', 'e').truth, 'pain|suffering');
    assert.equal(row('classify', 'd').prediction, 'anger|fear');
    // A cell with commas, quotes and a line break survives the round trip.
    assert.equal(row('classify', 'a').answer, 'I can\'t say, "really", sorry,\nno');
    assert.deepEqual([row('classify', 'a').valid, row('classify', 'a').invalid_reason, row('classify', 'a').prediction], ['false', 'refusal', '']);
    assert.deepEqual([row('classify', 'b').model, row('classify', 'b').variant, row('classify', 'b').embedder, row('classify', 'b').valence], ['m', 'v', '', '0.8']);
    assert.deepEqual([row('emotic', 'e').variant], ['']);

    const scored = row('similarity', 'b');
    assert.deepEqual([scored.embedder, scored.description, scored.reference, scored.similarity_raw, scored.similarity_z, scored.similarity_percentile, scored.similarity_null_mean, scored.correct], ['glove', 'a warm smile', 'full of joy', '0.71', '1.1', '80', '0.6', '']);
    assert.equal(row('similarity', 'a').similarity_raw, '', 'an unscored item has an empty score, not 0');
  });
});
