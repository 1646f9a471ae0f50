import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLabelSet, resolveLabelSet, type LabelSet } from '../../src/labels/label-sets.js';
import { parseLabelAnswer } from '../../src/labels/parse-answer.js';

const basic7 = getLabelSet('basic7')!;
const emotic26 = getLabelSet('emotic26')!;

/** Realistic free-text answers of chat models to "which emotion?" and the label (or null = invalid) each must map to. */
const BASIC7_CASES: readonly [string, string | null][] = [
  ['happiness', 'happiness'],
  ['Happiness', 'happiness'],
  ['HAPPINESS.', 'happiness'],
  ['  sadness\n', 'sadness'],
  ['**Anger**', 'anger'],
  ['"Fear"', 'fear'],
  ['I think the person feels happy.', 'happiness'],
  ['The person is most likely experiencing joy.', 'happiness'],
  ['Based on the low valence and low arousal, the emotion is sadness.', 'sadness'],
  ['They look angry.', 'anger'],
  ['The individual appears scared.', 'fear'],
  ['Surprised!', 'surprise'],
  ['This face expresses disgust.', 'disgust'],
  ['Neutral', 'neutral'],
  ['The expression is neutral, with no strong emotion.', 'neutral'],
  ['Let me reason step by step. Valence is 0.8, which is very positive, and arousal is 0.3, moderately activated. High valence could also fit surprise.\nAnswer: happiness', 'happiness'],
  ['Valence -0.7 and arousal 0.6 point to a negative, activated state such as anger or fear.\nFinal answer: Fear', 'fear'],
  ['Emotion: Disgust', 'disgust'],
  ['{"label": "sadness"}', 'sadness'],
  ['```json\n{"emotion": "Anger"}\n```', 'anger'],
  ['The person is not angry; they seem sad.', 'sadness'],
  ['Sadness rather than anger.', 'sadness'],
  ['Surprise. Positive valence with high arousal could also suggest happiness, but surprise fits better.', 'surprise'],
  ['The person feels furious.', 'anger'],
  ['Probably afraid.', 'fear'],
  ["I'm sorry, but I can't determine emotions from numbers alone.", null],
  ['As an AI, I cannot infer how someone feels.', null],
  ['The person feels calm and relaxed.', null],
  ['Contempt', null],
  ['Happy or surprised, hard to say.', null],
  ['The emotion could be anger, fear or disgust.', null],
  ['', null],
  ['It is difficult to tell from the values given.', null],
  ['The person does not look happy.', null],
  ['bored', null],
];

test('basic7: realistic free-text answers map to a label or to invalid, never to a guessed class', () => {
  assert.ok(BASIC7_CASES.length >= 30);
  for (const [answer, expected] of BASIC7_CASES) {
    const parsed = parseLabelAnswer(answer, basic7);
    assert.equal(parsed.prediction, expected, `answer ${JSON.stringify(answer)}`);
    assert.equal(parsed.valid, expected !== null, `answer ${JSON.stringify(answer)}`);
  }
});

test('invalid answers say why: refusal, no label, ambiguous, empty', () => {
  assert.equal(parseLabelAnswer("I'm sorry, but I can't help with that.", basic7).reason, 'refusal');
  assert.equal(parseLabelAnswer('The person feels bored.', basic7).reason, 'no-label');
  assert.equal(parseLabelAnswer('Either anger or sadness.', basic7).reason, 'ambiguous');
  assert.equal(parseLabelAnswer('   ', basic7).reason, 'empty');
});

test('an explicit Answer line wins over a hedging preamble', () => {
  const parsed = parseLabelAnswer("I can't be fully certain, since values are noisy.\nAnswer: sadness", basic7);
  assert.deepEqual(parsed, { prediction: 'sadness', valid: true });
});

test('emotic26: multi-label answers keep labels in order of mention, bounded by maxLabels', () => {
  assert.deepEqual(parseLabelAnswer('Peace, Happiness, Engagement', emotic26).prediction, ['peace', 'happiness', 'engagement']);
  assert.deepEqual(parseLabelAnswer('The person seems confused and a little tired.', emotic26).prediction, ['doubt/confusion', 'fatigue']);
  assert.deepEqual(parseLabelAnswer('Doubt/Confusion', emotic26).prediction, ['doubt/confusion']);
  assert.deepEqual(parseLabelAnswer('Labels: annoyance; anger; disapproval; aversion', emotic26, { maxLabels: 2 }),
    { prediction: ['annoyance', 'anger'], valid: true, truncated: true });
  assert.equal(parseLabelAnswer('No doubt, she is excited!', emotic26).prediction?.toString(), 'excitement');
  assert.equal(parseLabelAnswer('Something between calm and content.', emotic26).valid, false);
});

test('structured answers go through the same reader and lexicon as prose', () => {
  assert.deepEqual(parseLabelAnswer('{"label": "Joy"}', basic7), { prediction: 'happiness', valid: true });
  assert.deepEqual(parseLabelAnswer('{"labels": ["Peace", "Esteem"]}', emotic26), { prediction: ['peace', 'esteem'], valid: true });
  assert.equal(parseLabelAnswer('{"label": "contempt"}', basic7).reason, 'no-label');
  assert.deepEqual(parseLabelAnswer('42', basic7), { prediction: null, valid: false, reason: 'no-label' });
});

test('synonyms from YAML extend a built-in set; an inline set matches case-insensitively and keeps its spelling', () => {
  const extended: LabelSet = resolveLabelSet({ name: 'basic7', labels: [...basic7.labels], synonyms: { calm: 'neutral', 'at ease': 'neutral' } })!;
  assert.equal(parseLabelAnswer('The person is calm.', extended).prediction, 'neutral');
  assert.equal(parseLabelAnswer('They seem at ease.', extended).prediction, 'neutral');
  assert.equal(parseLabelAnswer('joyful', extended).prediction, 'happiness', 'built-in synonyms are kept');
  const inline = resolveLabelSet({ name: 'valence3', labels: ['Positive', 'Negative', 'Neutral'], synonyms: { good: 'positive' } })!;
  assert.equal(parseLabelAnswer('POSITIVE', inline).prediction, 'Positive');
  assert.equal(parseLabelAnswer('A good mood overall.', inline).prediction, 'Positive');
});

test('a label with a slash is named by each part, unless a label or synonym of the set already means that part', () => {
  // Compound categories (Du et al.'s "fearfully surprised"), listed after their parts, and a calm/tense scale with phrases.
  const compound = resolveLabelSet({
    name: 'compound',
    labels: ['fear', 'surprise', 'calm', 'fear/surprise', 'relaxed/at ease', 'tense/on edge'],
    synonyms: { 'at ease': 'calm' },
  })!;
  assert.equal(parseLabelAnswer('Fear', compound).prediction, 'fear', 'a part that is a label of its own keeps that label');
  assert.equal(parseLabelAnswer('Fear/Surprise', compound).prediction, 'fear/surprise');
  assert.equal(parseLabelAnswer('The person seems relaxed.', compound).prediction, 'relaxed/at ease');
  assert.equal(parseLabelAnswer('The person seems at ease.', compound).prediction, 'calm', 'a synonym says otherwise');
  assert.equal(parseLabelAnswer('The person is on edge.', compound).prediction, 'tense/on edge', 'a part of several words');
});
