import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import extract, { chosenVaSource } from '../../../nodes/extract/index.js';
import type { ExtractParams } from '../../../nodes/extract/params.generated.js';
import type { SourceItem } from '../../../src/types/node-kind.js';
import type { Coords } from '../../../src/types/records.js';
import { ConfigError, ItemError } from '../../../src/errors.js';
import { collect, taskContext } from '../../helpers/kind-context.js';

async function withDir(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-extract-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(dir: string, params: ExtractParams, coords: Coords = {}): Promise<SourceItem[]> {
  return collect(extract.source(taskContext({ params, specDir: dir, coords })));
}

function fieldsOf(item: SourceItem): Readonly<Record<string, unknown>> {
  assert.ok('fields' in item, `expected a record, got error: ${'error' in item ? item.error.message : ''}`);
  return item.fields;
}

function errorOf(item: SourceItem): Error {
  assert.ok('error' in item, `expected an item error for ${item.id}`);
  return item.error;
}

test('CSV rows become va items with label, reference and table vaSource', async () => {
  const csv = 'id,valence,arousal,label,reference\nf1,0.87,0.26,happiness,A broad smile\nf2,-0.73,-0.38,sadness,\n';
  await withDir({ 'data/faces.csv': csv }, async (dir) => {
    const items = await run(dir, { table: 'data/faces.csv' });
    assert.deepEqual(items, [
      { id: 'f1', fields: { valence: 0.87, arousal: 0.26, label: 'happiness', reference: 'A broad smile', vaSource: 'table' } },
      { id: 'f2', fields: { valence: -0.73, arousal: -0.38, label: 'sadness', vaSource: 'table' } },
    ]);
  });
});

test('JSONL rows take numbers or numeric strings, and label arrays', async () => {
  const jsonl = '{"id":"a","valence":0.5,"arousal":"-0.25","label":["peace","esteem"]}\n\n{"id":"b","valence":-1,"arousal":1}\n';
  await withDir({ 'x.jsonl': jsonl }, async (dir) => {
    const items = await run(dir, { table: 'x.jsonl' });
    assert.deepEqual(items.map(fieldsOf), [
      { valence: 0.5, arousal: -0.25, label: ['peace', 'esteem'], vaSource: 'table' },
      { valence: -1, arousal: 1, vaSource: 'table' },
    ]);
  });
});

test('TSV is tab-delimited without quoting', async () => {
  const tsv = 'id\tvalence\tarousal\tlabel\nq1\t0.1\t0.2\t"odd" label\n';
  await withDir({ 'x.tsv': tsv }, async (dir) => {
    const [item] = await run(dir, { table: 'x.tsv' });
    assert.deepEqual(fieldsOf(item), { valence: 0.1, arousal: 0.2, label: '"odd" label', vaSource: 'table' });
  });
});

test('columns map custom names; range rescales linearly to [-1, 1]; label separator splits', async () => {
  const csv = 'word,v,a,cats\nhappy,8.47,6.05,joy|delight\nmid,5,1,|\nlow,1,9,sad\n';
  await withDir({ 'w.csv': csv }, async (dir) => {
    const items = await run(dir, { table: 'w.csv', columns: { id: 'word', valence: 'v', arousal: 'a', label: 'cats' }, range: [1, 9], labelSeparator: '|' });
    assert.deepEqual(items.map((item) => item.id), ['happy', 'mid', 'low']);
    const [happy, mid, low] = items.map(fieldsOf);
    assert.ok(Math.abs(Number(happy.valence) - 0.8675) < 1e-12);
    assert.ok(Math.abs(Number(happy.arousal) - 0.2625) < 1e-12);
    assert.deepEqual(happy.label, ['joy', 'delight']);
    assert.deepEqual([mid.valence, mid.arousal, mid.label], [0, -1, undefined]);
    assert.deepEqual([low.valence, low.arousal, low.label], [-1, 1, 'sad']);
  });
});

test('bad rows are item errors naming file, line, row and column while the other rows still come out', async () => {
  const csv = [
    'id,valence,arousal',
    'ok1,0.1,0.1',
    'miss,,0.2',
    'nan,abc,0.2',
    'hex,0x1,0.2',
    'far,1.7,0.2',
    'ok1,0.3,0.3',
    'ok2,"0.2',
    '0.5",0.5',
    'ok3,-0.5,-0.5',
    '',
    'late,0.2,-1.5',
  ].join('\n');
  await withDir({ 'data/x.csv': csv }, async (dir) => {
    const items = await run(dir, { table: 'data/x.csv' });
    assert.deepEqual(items.map((item) => item.id), ['ok1', 'miss', 'nan', 'hex', 'far', 'ok1', 'ok2', 'ok3', 'late']);
    const messages = items.filter((item) => 'error' in item).map((item) => errorOf(item).message);
    assert.deepEqual(messages, [
      'data/x.csv:3: row 2, column "valence": no value',
      'data/x.csv:4: row 3, column "valence": "abc" is not a number',
      'data/x.csv:5: row 4, column "valence": "0x1" is not a number',
      'data/x.csv:6: row 5, column "valence": "1.7" is outside [-1, 1]',
      'data/x.csv:7: row 6, column "id": duplicate id "ok1" (first on line 2)',
      'data/x.csv:8: row 7, column "valence": "0.2\\n0.5" is not a number',
      'data/x.csv:12: row 9, column "arousal": "-1.5" is outside [-1, 1]',
    ]);
    assert.ok(items.filter((item) => 'error' in item).every((item) => errorOf(item) instanceof ItemError));
    assert.deepEqual(fieldsOf(items[7]), { valence: -0.5, arousal: -0.5, vaSource: 'table' });
  });
});

test('stray quotes and broken JSON lines are item errors and reading goes on', async () => {
  const jsonl = '{"id":"a","valence":0,"arousal":0}\n{"id":"b",\n[1,2]\n{"id":"c","valence":0.2,"arousal":0.1}\n';
  await withDir({ 't.jsonl': jsonl, 'q.csv': 'id,valence,arousal\na,0.1,0.1\nb,"0.2"x,0.1\nc,0.3,0.3\nd,2,0\ne,"0.5,0.1\nf,0,0\n' }, async (dir) => {
    const items = await run(dir, { table: 't.jsonl' });
    assert.deepEqual(items.map((item) => ('error' in item ? `error ${item.id}` : item.id)), ['a', 'error row-2', 'error row-3', 'c']);
    assert.match(errorOf(items[1]).message, /^t\.jsonl:2: row 2: invalid JSON/);
    assert.equal(errorOf(items[2]).message, 't.jsonl:3: row 3: expected a JSON object, got an array');
    const csvItems = await run(dir, { table: 'q.csv' });
    assert.deepEqual(csvItems.map((item) => item.id), ['a', 'b', 'c', 'd', 'row-6', 'f']);
    assert.equal(errorOf(csvItems[1]).message, 'q.csv:3: row 2, column "valence": "\\"0.2\\"x" is not a number');
    assert.equal(errorOf(csvItems[3]).message, 'q.csv:5: row 4, column "valence": "2" is outside [-1, 1]');
    // An unclosed quote costs its own row only: the next line reads as a row of its own, so reading resumes there.
    assert.match(errorOf(csvItems[4]).message, /^q\.csv:6: row 5: unterminated quote in column "valence": line 7 reads as a row of its own; the row is skipped and reading resumes on line 7$/);
    assert.deepEqual(fieldsOf(csvItems[5]), { valence: 0, arousal: 0, vaSource: 'table' });
  });
});

test('ids default to row-<line> when the table has no id column', async () => {
  await withDir({ 'n.csv': 'valence,arousal\n0.1,0.2\n\n0.3,0.4\n' }, async (dir) => {
    const items = await run(dir, { table: 'n.csv' });
    assert.deepEqual(items.map((item) => item.id), ['row-2', 'row-4']);
  });
});

test('limit stops reading after that many rows', async () => {
  const rows = Array.from({ length: 50 }, (_, i) => `r${i},0.1,0.1`).join('\n');
  await withDir({ 'l.csv': `id,valence,arousal\n${rows}\n` }, async (dir) => {
    const items = await run(dir, { table: 'l.csv', limit: 3 });
    assert.deepEqual(items.map((item) => item.id), ['r0', 'r1', 'r2']);
  });
});

const annotatedCsv = 'id,valence,arousal,annotated_valence,annotated_arousal\na,0.5,0.5,0.4,0.6\nb,-0.2,0.1,,\nc,0.1,0.1,2,0\n';

test('vaSource model keeps the annotation beside the model values; rows without one carry none', async () => {
  await withDir({ 'v.csv': annotatedCsv }, async (dir) => {
    const items = await run(dir, { table: 'v.csv' });
    assert.deepEqual(fieldsOf(items[0]), { valence: 0.5, arousal: 0.5, vaSource: 'table', annotated: { valence: 0.4, arousal: 0.6 } });
    assert.deepEqual(fieldsOf(items[1]), { valence: -0.2, arousal: 0.1, vaSource: 'table' });
    assert.equal(errorOf(items[2]).message, 'v.csv:4: row 3, column "annotated_valence": "2" is outside [-1, 1]');
  });
});

test('vaSource annotation reads the annotated columns; a row without annotation is an item error', async () => {
  await withDir({ 'v.csv': annotatedCsv }, async (dir) => {
    const items = await run(dir, { table: 'v.csv', vaSource: 'annotation' });
    assert.deepEqual(fieldsOf(items[0]), { valence: 0.4, arousal: 0.6, vaSource: 'annotation', annotated: { valence: 0.4, arousal: 0.6 } });
    assert.equal(errorOf(items[1]).message, 'v.csv:3: row 2, column "annotated_valence": no value');
  });
});

test('vaSource as an array is a matrix axis; each task reads its coordinate', async () => {
  assert.deepEqual(extract.axes?.({ table: 'v.csv', vaSource: ['model', 'annotation'] }), {
    vaSource: { param: 'vaSource', values: ['model', 'annotation'] },
  });
  assert.deepEqual(extract.axes?.({ table: 'v.csv', vaSource: 'annotation' }), {});
  assert.deepEqual(extract.axes?.({ table: 'v.csv' }), {});
  await withDir({ 'v.csv': annotatedCsv }, async (dir) => {
    const params: ExtractParams = { table: 'v.csv', vaSource: ['model', 'annotation'] };
    const model = await run(dir, params, { vaSource: 'model' });
    const annotation = await run(dir, params, { vaSource: 'annotation' });
    assert.equal(fieldsOf(model[0]).valence, 0.5);
    assert.equal(fieldsOf(annotation[0]).valence, 0.4);
  });
  assert.throws(() => chosenVaSource({ params: { vaSource: ['model', 'annotation'] }, coords: {} }), ConfigError);
  assert.equal(chosenVaSource({ params: {}, coords: {} }), 'model');
});

test('a header without the chosen VA columns is a config error naming the file and the columns', async () => {
  await withDir({ 'h.csv': 'id,val,aro\na,0.1,0.1\n' }, async (dir) => {
    await assert.rejects(run(dir, { table: 'h.csv' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^h\.csv: no column "valence", "arousal" \(header: id, val, aro\)/);
      return true;
    });
  });
});

test('source on a missing table is a config error', async () => {
  await withDir({}, async (dir) => {
    await assert.rejects(run(dir, { table: 'data/missing.csv' }), ConfigError);
  });
});

test('check() reports missing files, bad formats and empty ranges at their param path', async () => {
  await withDir({ 'data/ok.csv': 'id,valence,arousal\na,0,0\n' }, async (dir) => {
    const ctx = { spec: { version: 1 as const, name: 't', nodes: {} }, nodeId: 'faces', specDir: dir };
    assert.deepEqual(await extract.check?.({ table: 'data/ok.csv' }, ctx), []);
    const missing = await extract.check?.({ table: 'data/missing.csv' }, ctx);
    assert.deepEqual(missing, [
      { path: ['with', 'table'], message: `file not found: data/missing.csv (resolved to ${path.join(dir, 'data/missing.csv')})` },
    ]);
    const others = await extract.check?.({ table: 'data/x.xlsx', range: [9, 1] }, ctx);
    assert.deepEqual(others?.map((issue) => issue.path), [['with', 'table'], ['with', 'range']]);
    const images = await extract.check?.({ images: 'faces/*.jpg', model: 'm.onnx', labels: 'l.csv', vaSource: 'annotation' }, ctx);
    assert.deepEqual(images?.map((issue) => issue.path), [['with', 'labels'], ['with', 'model'], ['with', 'images']]);
    assert.match(images?.[2]?.message ?? '', /^folder not found: faces \(the folder of faces\/\*\.jpg/);
  });
});

test('a large table flows through in order; a limit stops the stream early', async () => {
  const lines = ['id,valence,arousal'];
  for (let i = 0; i < 20_000; i++) lines.push(`r${i},0.${i % 10},-0.${i % 7}`);
  await withDir({ 'big.csv': lines.join('\n') }, async (dir) => {
    const items = await run(dir, { table: 'big.csv', limit: 5 });
    assert.equal(items.length, 5);
    const all = await run(dir, { table: 'big.csv' });
    assert.equal(all.length, 20_000);
    // r19999 has arousal "-0.0": records carry 0, never -0.
    assert.deepEqual(all[19_999], { id: 'r19999', fields: { valence: 0.9, arousal: 0, vaSource: 'table' } });
  });
});
