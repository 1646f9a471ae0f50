import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatVa, lexicalAxis } from '../../../nodes/prompt-variant/va-format.js';

test('numeric format at the chosen precision, without -0', () => {
  assert.deepEqual(formatVa(0.5234, -0.3071, { format: 'numeric' }), {
    va: 'valence 0.52, arousal -0.31 on a scale from -1 to 1',
    valence: '0.52',
    arousal: '-0.31',
  });
  assert.equal(formatVa(0.5234, -0.3071, { format: 'numeric', precision: 1 }).va, 'valence 0.5, arousal -0.3 on a scale from -1 to 1');
  assert.equal(formatVa(1, -1, { format: 'numeric', precision: 0 }).va, 'valence 1, arousal -1 on a scale from -1 to 1');
  assert.equal(formatNumber(-0.001, 2), '0.00');
  assert.equal(formatNumber(-0, 1), '0.0');
});

test('lexical bins on the Warriner reference points', () => {
  assert.equal(formatVa(0.87, 0.26, { format: 'lexical' }).va, 'very positive valence, slightly high arousal'); // happy
  assert.equal(formatVa(-0.73, -0.38, { format: 'lexical' }).va, 'very negative valence, moderately low arousal'); // sad
  assert.equal(formatVa(0.13, -0.39, { format: 'lexical' }).va, 'slightly positive valence, moderately low arousal'); // neutral
  assert.equal(formatVa(-0.69, 0.03, { format: 'lexical' }).va, 'very negative valence, neutral arousal'); // afraid
});

test('lexical bins at their edges: an edge belongs to the stronger bin, symmetric in sign and axis', () => {
  const cases: [number, string, string][] = [
    [0, 'neutral', 'neutral'],
    [0.0999, 'neutral', 'neutral'],
    [0.1, 'slightly positive', 'slightly high'],
    [0.3499, 'slightly positive', 'slightly high'],
    [0.35, 'moderately positive', 'moderately high'],
    [0.6499, 'moderately positive', 'moderately high'],
    [0.65, 'very positive', 'very high'],
    [1, 'very positive', 'very high'],
  ];
  for (const [value, valence, arousal] of cases) {
    assert.equal(lexicalAxis(value, 'valence'), valence, `valence ${value}`);
    assert.equal(lexicalAxis(value, 'arousal'), arousal, `arousal ${value}`);
    const flip = (text: string): string => text.replace('positive', 'negative').replace('high', 'low');
    assert.equal(lexicalAxis(-value, 'valence'), flip(valence), `valence ${-value}`);
    assert.equal(lexicalAxis(-value, 'arousal'), flip(arousal), `arousal ${-value}`);
  }
});

test('quadrant words per circumplex quadrant, neutral near the origin', () => {
  const quadrant = (valence: number, arousal: number): string => formatVa(valence, arousal, { format: 'quadrant' }).va;
  assert.equal(quadrant(0.6, 0.6), 'high arousal and positive valence (excited/elated)');
  assert.equal(quadrant(-0.6, 0.6), 'high arousal and negative valence (tense/distressed)');
  assert.equal(quadrant(-0.6, -0.6), 'low arousal and negative valence (sad/depressed)');
  assert.equal(quadrant(0.6, -0.6), 'low arousal and positive valence (calm/relaxed)');
  assert.equal(quadrant(0.05, -0.05), 'valence and arousal near zero (neutral)');
  assert.equal(quadrant(0.08, 0.08), 'high arousal and positive valence (excited/elated)'); // radius 0.113 ≥ 0.1
  assert.equal(quadrant(-0.5, 0), 'high arousal and negative valence (tense/distressed)'); // on the axis: arousal 0 counts as high
  const sad = formatVa(-0.73, -0.38, { format: 'quadrant' });
  assert.deepEqual([sad.valence, sad.arousal], ['negative', 'low']);
});
