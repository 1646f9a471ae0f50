import { test } from 'node:test';
import assert from 'node:assert/strict';
import promptVariant from '../../../nodes/prompt-variant/index.js';
import type { PromptVariantParams } from '../../../nodes/prompt-variant/params.generated.js';
import type { ChatMessage, FlowRecord } from '../../../src/types/records.js';
import { ConfigError, ItemError } from '../../../src/errors.js';
import { itemContext } from '../../helpers/kind-context.js';

const face: FlowRecord = { id: 'f1', coords: {}, node: 'faces', valence: 0.52, arousal: -0.31, label: 'sadness', vaSource: 'table' };

async function messagesFor(params: PromptVariantParams, variant: string, input: FlowRecord = face): Promise<ChatMessage[]> {
  const result = await promptVariant.item(input, itemContext({ params, coords: { variant } }));
  const messages = result.fields.messages;
  assert.ok(Array.isArray(messages));
  return messages;
}

const checkCtx = { spec: { version: 1 as const, name: 't', nodes: {} }, nodeId: 'prompts', specDir: '/' };

test('variants are a matrix axis named variant', () => {
  const params: PromptVariantParams = { labels: 'basic7', variants: { numeric: { format: 'numeric' }, lexical: { format: 'lexical' } } };
  assert.deepEqual(promptVariant.axes?.(params), { variant: { param: 'variants', values: ['numeric', 'lexical'] } });
  assert.equal(promptVariant.cacheable, false);
});

test('the default classify prompt asks for exactly one basic7 label', async () => {
  const messages = await messagesFor({ labels: 'basic7', variants: { numeric: { format: 'numeric' } } }, 'numeric');
  assert.deepEqual(messages, [
    {
      role: 'user',
      content:
        'A facial expression analysis of a person gives valence 0.52, arousal -0.31 on a scale from -1 to 1. ' +
        'Which emotion is this person most likely feeling? Choose exactly one label from this list: ' +
        'happiness, sadness, anger, fear, surprise, disgust, neutral. Answer with the label only.',
    },
  ]);
});

test('a multi-label set asks for up to maxLabels labels', async () => {
  const labels: PromptVariantParams['labels'] = { name: 'mini', labels: ['peace', 'fear', 'pain'], multiLabel: true };
  const [message] = await messagesFor({ labels, maxLabels: 2, variants: { q: { format: 'quadrant' } } }, 'q');
  assert.equal(
    message.content,
    'A facial expression analysis of a person gives low arousal and positive valence (calm/relaxed). Which emotions is this person ' +
      'most likely feeling? Choose between 1 and 2 labels from this list: peace, fear, pain. Answer with the labels only, separated by commas.',
  );
});

test('describe task: default template with the word limit', async () => {
  const [message] = await messagesFor({ task: 'describe', labels: 'basic7', wordLimit: 30, variants: { lex: { format: 'lexical' } } }, 'lex');
  assert.equal(
    message.content,
    'A facial expression analysis of a person gives moderately positive valence, slightly low arousal. ' +
      'Describe the facial expression and the emotion of this person in at most 30 words.',
  );
});

test('custom template and system message fill every placeholder', async () => {
  const params: PromptVariantParams = {
    labels: 'basic7',
    variants: {
      custom: {
        format: 'numeric',
        precision: 1,
        system: 'You read affect. Labels: {{labels}}.',
        template: 'V={{ valence }} A={{arousal}} | {{va}} | max {{maxLabels}} | {{wordLimit}} words',
      },
    },
  };
  assert.deepEqual(await messagesFor(params, 'custom'), [
    { role: 'system', content: 'You read affect. Labels: happiness, sadness, anger, fear, surprise, disgust, neutral.' },
    { role: 'user', content: 'V=0.5 A=-0.3 | valence 0.5, arousal -0.3 on a scale from -1 to 1 | max 3 | 50 words' },
  ]);
});

test('few-shot examples become user/assistant pairs before the real question', async () => {
  const params: PromptVariantParams = {
    labels: 'basic7',
    variants: {
      shots: {
        format: 'numeric',
        template: 'VA: {{va}}. Label?',
        system: 'Be brief.',
        fewShot: [
          { valence: 0.87, arousal: 0.26, answer: 'happiness' },
          { valence: -0.62, arousal: 0.3, answer: 'anger' },
        ],
      },
    },
  };
  assert.deepEqual(await messagesFor(params, 'shots'), [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'VA: valence 0.87, arousal 0.26 on a scale from -1 to 1. Label?' },
    { role: 'assistant', content: 'happiness' },
    { role: 'user', content: 'VA: valence -0.62, arousal 0.30 on a scale from -1 to 1. Label?' },
    { role: 'assistant', content: 'anger' },
    { role: 'user', content: 'VA: valence 0.52, arousal -0.31 on a scale from -1 to 1. Label?' },
  ]);
});

test('chain of thought asks for reasoning, then a last "Answer:" line; examples answer in that form', async () => {
  const params: PromptVariantParams = {
    labels: 'basic7',
    variants: { cot: { format: 'lexical', template: '{{va}}?', chainOfThought: true, fewShot: [{ valence: -0.73, arousal: -0.38, answer: 'sadness' }] } },
  };
  const instruction = 'First reason briefly, step by step. Then give your final answer on a last line of the form "Answer: <label>".';
  assert.deepEqual(await messagesFor(params, 'cot'), [
    { role: 'user', content: `very negative valence, moderately low arousal?\n\n${instruction}` },
    { role: 'assistant', content: 'Answer: sadness' },
    { role: 'user', content: `moderately positive valence, slightly low arousal?\n\n${instruction}` },
  ]);
});

test('same input and variant give identical messages; other variants differ', async () => {
  const params: PromptVariantParams = { labels: 'basic7', variants: { a: { format: 'numeric' }, b: { format: 'quadrant' } } };
  const first = await messagesFor(params, 'a');
  assert.deepEqual(await messagesFor(params, 'a'), first);
  assert.deepEqual(await messagesFor({ ...params }, 'a', { ...face, node: 'other', coords: { model: 'x' } }), first);
  assert.notDeepEqual(await messagesFor(params, 'b'), first);
});

test('a record without numeric VA is an item error; an undefined variant is a config error', async () => {
  const params: PromptVariantParams = { labels: 'basic7', variants: { a: { format: 'numeric' } } };
  await assert.rejects(messagesFor(params, 'a', { ...face, valence: 'high' }), (error: unknown) => {
    assert.ok(error instanceof ItemError);
    assert.equal(error.message, 'item "f1": valence is "high", expected a number in [-1, 1]');
    return true;
  });
  await assert.rejects(messagesFor(params, 'zzz'), ConfigError);
});

test('check() reports unknown placeholders, unknown label sets and foreign few-shot answers at their paths', async () => {
  const params: PromptVariantParams = {
    labels: 'basic7',
    variants: {
      ok: { format: 'numeric', template: '{{va}} {{labels}}' },
      x: { format: 'lexical', template: 'Face: {{va}} {{face}} {{face}}', system: '{{ mood }}', precision: 3 },
      shots: { format: 'numeric', fewShot: [{ valence: 0.9, arousal: 0.3, answer: 'Happiness' }, { valence: 0, arousal: 0, answer: 'calm' }] },
    },
  };
  assert.deepEqual((await promptVariant.check?.(params, checkCtx))?.map((issue) => [issue.path, issue.message]), [
    [['with', 'variants', 'x', 'template'], 'unknown placeholder {{face}} (known: {{va}}, {{valence}}, {{arousal}}, {{labels}}, {{maxLabels}}, {{wordLimit}})'],
    [['with', 'variants', 'x', 'system'], 'unknown placeholder {{mood}} (known: {{va}}, {{valence}}, {{arousal}}, {{labels}}, {{maxLabels}}, {{wordLimit}})'],
    [['with', 'variants', 'x', 'precision'], 'precision applies to the numeric format only (this variant is lexical)'],
    [['with', 'variants', 'shots', 'fewShot', 1, 'answer'], '"calm" is not a label of basic7 (happiness, sadness, anger, fear, surprise, disgust, neutral)'],
  ]);
  const unknownSet = await promptVariant.check?.({ labels: 'nope', variants: { a: { format: 'numeric' } } }, checkCtx);
  assert.deepEqual(unknownSet?.map((issue) => issue.path), [['with', 'labels']]);
  assert.deepEqual(await promptVariant.check?.({ task: 'describe', labels: 'basic7', variants: { a: { format: 'numeric', fewShot: [{ valence: 0, arousal: 0, answer: 'A calm face.' }] } } }, checkCtx), []);
});
