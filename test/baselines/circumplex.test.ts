import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLabelSet, resolveLabelSet } from '../../src/labels/label-sets.js';
import { describeVa, nearestLabel, referencePoints } from '../../src/baselines/circumplex.js';
import { ConfigError } from '../../src/errors.js';

test('each basic7 reference point maps to its own label', () => {
  const set = getLabelSet('basic7')!;
  const points = referencePoints(set, undefined, 'circumplex');
  for (const [label, [valence, arousal]] of Object.entries(points)) {
    assert.equal(nearestLabel({ valence, arousal }, points).label, label);
    assert.equal(nearestLabel({ valence, arousal }, points).distance, 0);
  }
});

test('each emotic26 reference point maps to its own label (or a clear ConfigError when the set has no points)', () => {
  const set = getLabelSet('emotic26')!;
  if (Object.keys(set.points).length === 0) {
    assert.throws(() => referencePoints(set, undefined, 'circ'), (e: unknown) => e instanceof ConfigError && /models\.circ: .*emotic26.*points/.test(e.message));
    return;
  }
  const points = referencePoints(set, undefined, 'circ');
  for (const [label, [valence, arousal]] of Object.entries(points)) {
    const nearest = nearestLabel({ valence, arousal }, points);
    // Two categories may share a published point; then the first listed wins, at distance 0.
    assert.equal(nearest.distance, 0, label);
  }
});

test('a model entry\'s points override the set\'s, label by label', () => {
  const set = getLabelSet('basic7')!;
  const points = referencePoints(set, { Neutral: [0, 0] }, 'circumplex');
  assert.deepEqual(points.neutral, [0, 0]);
  assert.deepEqual(points.happiness, set.points.happiness);
  assert.equal(nearestLabel({ valence: 0.02, arousal: -0.01 }, points).label, 'neutral');
  assert.equal(nearestLabel({ valence: 0.95, arousal: 0.3 }, points).label, 'happiness');
  assert.equal(nearestLabel({ valence: -0.75, arousal: -0.5 }, points).label, 'sadness');
});

test('a set without points is a ConfigError naming the model and the set', () => {
  const set = resolveLabelSet({ name: 'moods', labels: ['up', 'down'] })!;
  assert.throws(() => referencePoints(set, undefined, 'baseline'), (e: unknown) => e instanceof ConfigError && /models\.baseline.*"moods"/.test(e.message));
});

test('template descriptions follow quadrant, intensity and Russell direction', () => {
  const excited = describeVa({ valence: 0.6, arousal: 0.6 });
  assert.equal(excited.quadrant, 'pleasant-activated');
  assert.equal(excited.intensity, 'strong');
  assert.equal(excited.direction, 'excitement');
  assert.match(excited.text, /pleasant and energised/);
  const sad = describeVa({ valence: -0.3, arousal: -0.3 });
  assert.equal(sad.quadrant, 'unpleasant-deactivated');
  assert.equal(sad.intensity, 'moderate');
  assert.equal(sad.direction, 'depression');
  const relaxed = describeVa({ valence: 0.25, arousal: -0.2 });
  assert.equal(relaxed.direction, 'relaxation');
  assert.equal(relaxed.intensity, 'mild');
  assert.equal(describeVa({ valence: 0.05, arousal: -0.05 }).intensity, 'near-neutral');
  assert.match(describeVa({ valence: 0.05, arousal: -0.05 }).text, /neutral/);
});
