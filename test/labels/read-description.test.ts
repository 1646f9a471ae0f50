import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDescription } from '../../src/labels/read-description.js';
import { splitReasoning } from '../../src/labels/reasoning.js';

const SMILE = 'The person smiles warmly and looks relaxed and content.';

/** Replies to "describe the expression" as model families send them, and the description each must give. */
const CASES: readonly [string, { text: string; reasoning?: string; refusal?: string; finishReason?: string }, string][] = [
  ['plain', { text: SMILE }, SMILE],
  ['surrounding whitespace', { text: `\n  ${SMILE}  \n` }, SMILE],
  ['Description: prefix (Llama)', { text: `Description: ${SMILE}` }, SMILE],
  ['bold prefix (Gemma)', { text: `**Description:** ${SMILE}` }, SMILE],
  ['wrapping quotes (Mistral)', { text: `"${SMILE}"` }, SMILE],
  ['curly quotes', { text: `\u201c${SMILE}\u201d` }, SMILE],
  ['wrapping emphasis', { text: `*${SMILE}*` }, SMILE],
  ['code fence', { text: `\`\`\`\n${SMILE}\n\`\`\`` }, SMILE],
  ['JSON (Qwen with response_format habits)', { text: `\`\`\`json\n{"description": "${SMILE}"}\n\`\`\`` }, SMILE],
  ['think block (DeepSeek-R1)', { text: `<think>\nValence is positive, so happy; maybe surprised?\n</think>\n\n${SMILE}` }, SMILE],
  ['orphan closing tag', { text: `The user wants a description. Positive valence.\n</think>\n\n${SMILE}` }, SMILE],
  ['reasoning field', { text: SMILE, reasoning: 'Positive valence, low arousal.' }, SMILE],
  ['chain of thought then Answer:', { text: `Step 1: valence is positive.\nStep 2: arousal is low.\nAnswer: ${SMILE}` }, SMILE],
  ['a draft Description: revised by a final one', { text: `Description: A tense frown.\nOn reflection the valence is positive.\nFinal description: ${SMILE}` }, SMILE],
  ['think, prefix and quotes together', { text: `<think>hmm</think>\nDescription: "${SMILE}"` }, SMILE],
  ['inner quotes are kept', { text: 'She says "hello" with a smile.' }, 'She says "hello" with a smile.'],
  ['a refusal sentence is what the model said', { text: "I'm sorry, I can't describe a person from numbers." }, "I'm sorry, I can't describe a person from numbers."],
  ['a refusal reported apart', { text: '', refusal: "I'm sorry, I can't help with that." }, ''],
  ['cut inside the reasoning', { text: '<think>\nThe valence is', finishReason: 'length' }, ''],
];

test('descriptions are cleaned the same way for every model family; the reasoning never reaches the text', () => {
  for (const [shape, reply, expected] of CASES) {
    const reading = readDescription(reply);
    assert.equal(reading.text, expected, shape);
    assert.ok(!reading.text.includes('<think>') && !reading.text.includes('Valence is positive'), `${shape}: no reasoning in the text`);
  }
  assert.equal(readDescription({ text: '<think>\nValence is positive.\n</think>\nHappy.' }).reasoning, 'Valence is positive.');
  assert.equal(readDescription({ text: 'Happy.', reasoning: 'field' }).reasoning, 'field');
  assert.equal(readDescription({ text: 'Happy.' }).reasoning, undefined);
});

test('reasoning blocks: several, nested, unterminated, orphan closing tag, other tag names, the field first', () => {
  assert.deepEqual(splitReasoning('<think>a</think>X<think>b</think>Y'), { answer: 'XY', reasoning: 'a\n\nb', unterminated: false });
  assert.deepEqual(splitReasoning('<think>a<think>b</think>c</think>Z'), { answer: 'Z', reasoning: 'a\n\nb\n\nc', unterminated: false });
  assert.deepEqual(splitReasoning('<think>cut here'), { answer: '', reasoning: 'cut here', unterminated: true });
  assert.deepEqual(splitReasoning('opened by the template</think>Answer'), { answer: 'Answer', reasoning: 'opened by the template', unterminated: false });
  assert.deepEqual(splitReasoning('[THINK]magistral[/THINK]Fear'), { answer: 'Fear', reasoning: 'magistral', unterminated: false });
  assert.deepEqual(splitReasoning('<Thinking>x</Thinking> <reasoning>y</reasoning>Sad'), { answer: 'Sad', reasoning: 'x\n\ny', unterminated: false });
  assert.deepEqual(splitReasoning('<think></think>\n\nSad', '  from the field '), { answer: 'Sad', reasoning: 'from the field', unterminated: false });
  assert.deepEqual(splitReasoning('No reasoning at all.'), { answer: 'No reasoning at all.', unterminated: false });
});
