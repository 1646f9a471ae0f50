import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { packageRoot } from '../../src/util/paths.js';
import { EMOTIC_CATEGORIES, getLabelSet } from '../../src/labels/label-sets.js';
import { ConfigError } from '../../src/errors.js';
import { OUTPUT_FILES, buildSampleData, rescale } from '../../scripts/build-sample-data.js';

const dataDir = path.join(packageRoot, 'data');
const BASIC7 = ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral'];

async function table(relative: string): Promise<Record<string, string>[]> {
  return parse(await readFile(path.join(dataDir, relative), 'utf8'), { columns: true, skip_empty_lines: true });
}

function assertUnit(value: string, where: string): void {
  const x = Number(value);
  assert.ok(value !== '' && Number.isFinite(x) && x >= -1 && x <= 1, `${where}: ${value} is not in [-1, 1]`);
}

async function normsByWord(): Promise<Map<string, Record<string, string>>> {
  return new Map((await table('norms/warriner2013-subset.csv')).map((row) => [row.Word!, row]));
}

test('emotic26 points: every Emotic category once, values in [-1, 1], rescaled from the copied norm row', async () => {
  const rows = await table(OUTPUT_FILES.emotic26Points);
  const norms = await normsByWord();
  assert.deepEqual(rows.map((r) => r.label).sort(), [...EMOTIC_CATEGORIES].sort());
  for (const row of rows) {
    assertUnit(row.valence!, row.label!);
    assertUnit(row.arousal!, row.label!);
    assert.ok(row.source?.startsWith('Warriner, Kuperman & Brysbaert (2013)'), `${row.label}: source "${row.source}"`);
    const norm = norms.get(row.lemma!);
    assert.ok(norm, `${row.label}: lemma ${row.lemma} is not in the norms subset`);
    assert.equal(row.valence, rescale(norm['V.Mean.Sum']!));
    assert.equal(row.arousal, rescale(norm['A.Mean.Sum']!));
  }
  // The label-set module reads this file: all 26 categories get points.
  assert.equal(Object.keys(getLabelSet('emotic26')!.points).length, 26);
});

test('sample term tables parse, with in-range values, known labels and non-empty WordNet glosses', async () => {
  const norms = await normsByWord();
  const all = await table(OUTPUT_FILES.emotionTerms);
  assert.ok(all.length >= 100, `${all.length} terms`);
  assert.equal(new Set(all.map((r) => r.id)).size, all.length, 'ids are unique');
  for (const row of all) {
    assertUnit(row.valence!, row.term!);
    assertUnit(row.arousal!, row.term!);
    assert.ok(row.reference && row.reference.trim().length > 3, `${row.term}: empty reference`);
    assert.ok(row.basic7 === '' || BASIC7.includes(row.basic7!), `${row.term}: basic7 "${row.basic7}"`);
    for (const label of row.emotic ? row.emotic.split(';') : []) {
      assert.ok((EMOTIC_CATEGORIES as readonly string[]).includes(label), `${row.term}: emotic "${label}"`);
    }
    assert.ok(row.basic7 || row.emotic, `${row.term}: no label at all`);
    const norm = norms.get(row.term!);
    assert.ok(norm, `${row.term}: not in the norms subset`);
    assert.equal(row.valence, rescale(norm['V.Mean.Sum']!));
    assert.equal(row.arousal, rescale(norm['A.Mean.Sum']!));
  }

  const basic = await table(OUTPUT_FILES.basic7Terms);
  assert.ok(basic.length >= 60, `${basic.length} basic-7 terms`);
  assert.deepEqual([...new Set(basic.map((r) => r.label))].sort(), [...BASIC7].sort(), 'every basic-7 class has terms');
  for (const row of basic) assert.equal(row.label, row.basic7);

  const emotic = await table(OUTPUT_FILES.emoticTerms);
  assert.ok(emotic.length >= 100, `${emotic.length} Emotic terms`);
  const covered = new Set(emotic.flatMap((r) => r.label!.split(';')));
  assert.deepEqual([...covered].sort(), [...EMOTIC_CATEGORIES].sort(), 'every Emotic category has terms');
  for (const row of emotic) assert.equal(row.label, row.emotic);
});

test('basic7 reference points in the label-set module agree with the copied norms to two decimals', async () => {
  const norms = await normsByWord();
  const words: Record<string, string> = {
    happiness: 'happy', sadness: 'sad', anger: 'angry', fear: 'afraid', surprise: 'surprised', disgust: 'disgusted', neutral: 'neutral',
  };
  const points = getLabelSet('basic7')!.points;
  for (const [label, word] of Object.entries(words)) {
    const norm = norms.get(word)!;
    const [valence, arousal] = points[label]!;
    assert.ok(Math.abs(valence - Number(rescale(norm['V.Mean.Sum']!))) <= 0.005 + 1e-9, `${label} valence`);
    assert.ok(Math.abs(arousal - Number(rescale(norm['A.Mean.Sum']!))) <= 0.005 + 1e-9, `${label} arousal`);
  }
});

test('rescale maps the 1–9 scale exactly onto [-1, 1] and rejects values off the scale', () => {
  assert.equal(rescale('2.10'), '-0.725');
  assert.equal(rescale('9'), '1');
  assert.equal(rescale('1.00'), '-1');
  assert.equal(rescale('5.5'), '0.125');
  assert.throws(() => rescale('9.5'), ConfigError);
  assert.throws(() => rescale('n/a'), ConfigError);
});

test('rerunning the build reproduces the committed files byte for byte', async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'vaflow-sample-data-'));
  try {
    const written = await buildSampleData({ outDir: out });
    for (const [key, relative] of Object.entries(OUTPUT_FILES)) {
      assert.equal(written[key as keyof typeof OUTPUT_FILES], path.join(out, relative));
      assert.equal(await readFile(path.join(out, relative), 'utf8'), await readFile(path.join(dataDir, relative), 'utf8'), relative);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('a term without a norm row is a ConfigError naming the file and line', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-sample-data-'));
  try {
    for (const sub of ['norms', 'label-points', 'sample']) await cp(path.join(dataDir, sub), path.join(dir, sub), { recursive: true });
    const lines = (await readFile(path.join(dir, 'sample/terms.csv'), 'utf8')).trimEnd().split('\n').length;
    await appendFile(path.join(dir, 'sample/terms.csv'), 'zorblax,n,1,,peace\n');
    await assert.rejects(buildSampleData({ dataDir: dir }), (error: unknown) =>
      error instanceof ConfigError && error.message.includes(`sample/terms.csv:${lines + 1}: "zorblax" has no row`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
