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
