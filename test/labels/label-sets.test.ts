import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BUILTIN_LABEL_SETS, EMOTIC_CATEGORIES, EMOTIC26_POINTS_FILE, getLabelSet, isBuiltinLabelSet, labelSetIssues, readPointsFile, resolveLabelSet,
} from '../../src/labels/label-sets.js';
import { packageRoot } from '../../src/util/paths.js';
import { ConfigError } from '../../src/errors.js';

test('built-in sets: basic7 single-label with Warriner points, emotic26 multi-label with the 26 Emotic categories', () => {
  assert.deepEqual(Object.keys(BUILTIN_LABEL_SETS).sort(), ['basic7', 'emotic26']);
  assert.ok(isBuiltinLabelSet('emotic26') && !isBuiltinLabelSet('nope'));
  const basic7 = getLabelSet('basic7')!;
  assert.equal(basic7.multiLabel, false);
  assert.deepEqual(Object.keys(basic7.points).sort(), [...basic7.labels].sort());
  const emotic = getLabelSet('emotic26')!;
  assert.equal(emotic.multiLabel, true);
  const emoticLabels: readonly string[] = emotic.labels;
  assert.deepEqual([...emoticLabels], [...EMOTIC_CATEGORIES]);
  for (const label of Object.values(emotic.synonyms)) assert.ok(emoticLabels.includes(label), `synonym target ${label}`);
  for (const label of Object.values(basic7.synonyms)) assert.ok(basic7.labels.includes(label), `synonym target ${label}`);
});

test('emotic26 points come only from the published-norms file: all in [-1, 1] when it exists, none otherwise', () => {
  const emotic = getLabelSet('emotic26')!;
  if (existsSync(path.join(packageRoot, EMOTIC26_POINTS_FILE))) {
    for (const [label, [v, a]] of Object.entries(emotic.points)) {
      assert.ok(emotic.labels.includes(label));
      assert.ok(Math.abs(v) <= 1 && Math.abs(a) <= 1);
    }
    assert.ok(Object.keys(emotic.points).length > 0);
  } else {
    assert.deepEqual(emotic.points, {});
    assert.match(emotic.source, /absent/);
  }
});

test('readPointsFile reads label,valence,arousal,source with quoted cells and rejects unknown labels or out-of-range values', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-points-'));
  try {
    const good = path.join(dir, 'good.csv');
    await writeFile(good, 'label,valence,arousal,source\nPeace,0.5,-0.4,"Warriner et al. (2013), peaceful"\nDoubt/Confusion,-0.2,0.1,"Warriner et al. (2013), confused"\n');
    const read = readPointsFile(good, EMOTIC_CATEGORIES);
    assert.deepEqual(read.points, { peace: [0.5, -0.4], 'doubt/confusion': [-0.2, 0.1] });
    assert.match(read.source ?? '', /Warriner et al\. \(2013\), peaceful/);
    const unknown = path.join(dir, 'unknown.csv');
    await writeFile(unknown, 'label,valence,arousal\nhope,0.5,0.1\n');
    assert.throws(() => readPointsFile(unknown, EMOTIC_CATEGORIES), (e: unknown) => e instanceof ConfigError && /unknown\.csv:2/.test(e.message));
    const range = path.join(dir, 'range.csv');
    await writeFile(range, 'label,valence,arousal\npeace,5,0.1\n');
    assert.throws(() => readPointsFile(range, EMOTIC_CATEGORIES), ConfigError);
    assert.deepEqual(readPointsFile(path.join(dir, 'missing.csv'), EMOTIC_CATEGORIES).points, {});
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('inline sets: spelling kept, points and synonyms filtered to the labels; issues name the offending key', () => {
  const set = resolveLabelSet({ name: 'mood', labels: ['Up', 'Down'], points: { up: [0.5, 0.2], Down: [-0.5, -0.2] }, synonyms: { happy: 'up' } })!;
  assert.deepEqual(set.points, { Up: [0.5, 0.2], Down: [-0.5, -0.2] });
  assert.deepEqual(set.synonyms, { happy: 'Up' });
  assert.equal(set.multiLabel, false);
  assert.deepEqual(labelSetIssues({ name: 'mood', labels: ['Up', 'Down'], synonyms: { joy: 'happiness' } }), [
    { path: ['synonyms', 'joy'], message: 'maps to "happiness", which is not one of the labels' },
  ]);
  assert.equal(labelSetIssues('basic9').length, 1);
  assert.equal(resolveLabelSet('basic9'), undefined);
});

test('labelSetIssues: an unknown built-in name lists the built-in ones; an inline set\'s synonyms and points must name its labels (any case)', () => {
  assert.deepEqual(labelSetIssues('basic7'), []);
  const [unknown] = labelSetIssues('basic8');
  assert.deepEqual(unknown.path, []);
  assert.match(unknown.message, /^unknown label set "basic8" \(built in: .*basic7.*; or define one inline\)$/);
  const issues = labelSetIssues({
    name: 'mine',
    labels: ['Joy', 'Anger'],
    synonyms: { glad: 'joy', cross: 'anger ', blue: 'sadness' },
    points: { JOY: [0.8, 0.5], calm: [0.3, -0.6] },
  });
  assert.deepEqual(issues, [
    { path: ['synonyms', 'blue'], message: 'maps to "sadness", which is not one of the labels' },
    { path: ['points', 'calm'], message: '"calm" is not one of the labels' },
  ]);
  assert.deepEqual(labelSetIssues({ name: 'bare', labels: ['a'] }), []);
});

/** Writes `text` as a CSV in a fresh temp folder and passes its path to `use`. */
async function withCsv(name: string, text: string, use: (file: string) => void): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-points-'));
  try {
    const file = path.join(dir, name);
    await writeFile(file, text);
    use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Asserts a ConfigError whose message is exactly `expected` with `{file}` standing for the file's path. */
function throwsConfig(run: () => unknown, file: string, expected: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `a ConfigError, got ${String(e)}`);
    assert.equal(e.message, expected.replace('{file}', file));
    return true;
  });
}

test('readPointsFile: the header may be padded, in any order, with the source column first; sources are trimmed, de-duplicated and joined', async () => {
  // As a spreadsheet exports it: source first, padded header cells, a quoted source with "" quotes, a row without its source cell.
  await withCsv('norms.csv', 'Source , Label , Valence , Arousal\n"Mohammad (2018), ""NRC VAD"" " ,peace,0.5,-0.4\n Warriner et al. (2013) ,fear,-0.69,0.03\n,pain,-0.8,0.4\n"Mohammad (2018), ""NRC VAD"""  ,esteem,0.6,0.2\n', (file) => {
    const read = readPointsFile(file, EMOTIC_CATEGORIES);
    assert.deepEqual(read.points, { peace: [0.5, -0.4], fear: [-0.69, 0.03], pain: [-0.8, 0.4], esteem: [0.6, 0.2] });
    assert.equal(read.source, 'Mohammad (2018), "NRC VAD"; Warriner et al. (2013)');
  });
  // The source column is optional, and a row may stop before it: the file's name is the source then.
  await withCsv('bare.csv', 'label,valence,arousal,source\npeace,1,-1\nfear,-1,1,\n', (file) => {
    const read = readPointsFile(file, EMOTIC_CATEGORIES);
    assert.deepEqual(read.points, { peace: [1, -1], fear: [-1, 1] }, 'the ends of [-1, 1] are in range');
    assert.equal(read.source, 'bare.csv');
  });
  // Blank lines and CRLF line ends are skipped; a row whose only empty cell is the source still counts.
  await withCsv('crlf.csv', 'label,valence,arousal,source\r\n\r\npeace,0.5,-0.4,\r\n', (file) => {
    assert.deepEqual(readPointsFile(file, EMOTIC_CATEGORIES).points, { peace: [0.5, -0.4] });
  });
});

test('readPointsFile: every malformed file is a ConfigError naming the file, the line and what was expected', async () => {
  await withCsv('empty.csv', '\n\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    '{file}:1: expected a header with columns label,valence,arousal,source; "label" is missing'));
  await withCsv('no-arousal.csv', 'label,valence,source\npeace,0.5,x\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    '{file}:1: expected a header with columns label,valence,arousal,source; "arousal" is missing'));
  await withCsv('unknown.csv', 'label,valence,arousal\n\npeace,0.5,0.1\nhope,0.5,0.1\n', (file) => throwsConfig(() => readPointsFile(file, ['peace', 'fear']), file,
    '{file}:4: "hope" is not a label of the set (peace, fear)'));
  await withCsv('short.csv', 'valence,arousal,label\n0.5,0.1\n', (file) => throwsConfig(() => readPointsFile(file, ['peace', 'fear']), file,
    '{file}:2: "" is not a label of the set (peace, fear)'));
  await withCsv('below.csv', 'label,valence,arousal\npeace,-1.5,0.1\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    '{file}:2: valence and arousal must be numbers in [-1, 1], got "-1.5", "0.1"'));
  await withCsv('above.csv', 'label,valence,arousal\npeace,0.5,1.01\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    '{file}:2: valence and arousal must be numbers in [-1, 1], got "0.5", "1.01"'));
  await withCsv('text.csv', 'label,valence,arousal\npeace,high,0.1\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    '{file}:2: valence and arousal must be numbers in [-1, 1], got "high", "0.1"'));
  await withCsv('missing-cell.csv', 'label,valence,arousal\npeace,0.5\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    '{file}:2: valence and arousal must be numbers in [-1, 1], got "0.5", ""'));
  await withCsv('label-only.csv', 'label,valence,arousal\npeace\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    '{file}:2: valence and arousal must be numbers in [-1, 1], got "", ""'));
  // A quoted cell keeps its commas: the row has three cells, not four.
  await withCsv('quoted.csv', 'label,valence,arousal\n"peace, calm",0.5,0.1\n', (file) => throwsConfig(() => readPointsFile(file, EMOTIC_CATEGORIES), file,
    `{file}:2: "peace, calm" is not a label of the set (${EMOTIC_CATEGORIES.join(', ')})`));
  // A path that exists but cannot be read as a file is an error too, not "no points".
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-points-'));
  try {
    assert.throws(() => readPointsFile(dir, EMOTIC_CATEGORIES), (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${dir}: cannot read the label points file: EISDIR`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('built-in sets keep their names and sources, and emotic26 is built once', () => {
  const basic7 = getLabelSet('basic7')!;
  assert.equal(basic7.name, 'basic7');
  assert.match(basic7.source, /^Warriner, Kuperman & Brysbaert \(2013\)/);
  const emotic = getLabelSet('emotic26')!;
  assert.equal(emotic.name, 'emotic26');
  // The bundled file (shipped in the package's data/) names its norms; "absent" would mean it was not read.
  assert.match(emotic.source, /Warriner, Kuperman & Brysbaert \(2013\)/);
  assert.equal(getLabelSet('emotic26'), emotic, 'the points file is read once, not on every lookup');
  assert.equal(BUILTIN_LABEL_SETS.emotic26, emotic);
});

test('inline sets extending a built-in one: fewer labels drop their points and synonyms; multiLabel and source are inherited unless given', () => {
  const two = resolveLabelSet({ name: 'basic7', labels: ['happiness', 'sadness'] })!;
  assert.deepEqual(Object.keys(two.points).sort(), ['happiness', 'sadness']);
  assert.ok(Object.values(two.synonyms).every((label) => label === 'happiness' || label === 'sadness'));
  assert.equal(two.synonyms.joy, 'happiness');
  assert.equal(two.synonyms.furious, undefined);
  assert.match(two.source, /^Warriner/, 'no points of its own: the built-in source');
  const emotic = resolveLabelSet({ name: 'emotic26', labels: ['peace', 'pain'] })!;
  assert.equal(emotic.multiLabel, true, 'multiLabel inherited from emotic26');
  assert.equal(resolveLabelSet({ name: 'emotic26', labels: ['peace'], multiLabel: false })!.multiLabel, false);
  assert.equal(resolveLabelSet({ name: 'basic7', labels: ['happiness'], points: { happiness: [0.9, 0.3] } })!.source, 'defined in the pipeline');
  assert.equal(resolveLabelSet({ name: 'basic7', labels: ['happiness'], source: 'Russell (1980)' })!.source, 'Russell (1980)');
  assert.equal(resolveLabelSet({ name: 'mood', labels: ['up'] })!.source, 'defined in the pipeline');
  // Keys are matched trimmed and case-insensitively, on both sides (YAML keeps quoted padding).
  const padded = resolveLabelSet({ name: 'mood', labels: [' Up', 'Down '], points: { up: [0.5, 0.2], DOWN: [-0.5, -0.2] }, synonyms: { ' Chuffed ': 'up ' } })!;
  assert.deepEqual(padded.points, { ' Up': [0.5, 0.2], 'Down ': [-0.5, -0.2] });
  assert.deepEqual(padded.synonyms, { chuffed: ' Up' });
});

test('an unknown built-in name lists the built-in ones', () => {
  assert.deepEqual(labelSetIssues('basic8'), [{ path: [], message: 'unknown label set "basic8" (built in: basic7, emotic26; or define one inline)' }]);
});
