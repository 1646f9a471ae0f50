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
  // Marker lines as models format them.
  ['blockquoted marker', { text: `> Description: ${SMILE}` }, SMILE],
  ['bulleted bold marker', { text: `Reasoning first.\n- **Answer:** ${SMILE}` }, SMILE],
  ['bold keyword, colon outside (Llama)', { text: `**Description**: ${SMILE}` }, SMILE],
  ['italic keyword', { text: `_Description_: ${SMILE}` }, SMILE],
  ['a space before the colon (Mistral)', { text: `Description : ${SMILE}` }, SMILE],
  ['no space after the colon', { text: `Description:${SMILE}` }, SMILE],
  ['the description on the line below its marker (R1)', { text: `<think>\nPositive valence.\n</think>\n\n**Description:**\n${SMILE}` }, SMILE],
  ['the description two lines below', { text: `Description:\n\n${SMILE}` }, SMILE],
  ['a fence below the marker', { text: `Description:\n\`\`\`\n${SMILE}\n\`\`\`` }, SMILE],
  // Fences: inline, with a tag, padded, no newline before the closing one; a fence after the description is not the description.
  ['inline fence (Qwen)', { text: `\`\`\`${SMILE}\`\`\`` }, SMILE],
  ['tagged fence', { text: `\`\`\`text\n${SMILE}\n\`\`\`` }, SMILE],
  ['padded fence content', { text: `\`\`\`\n   ${SMILE}   \n\`\`\`` }, SMILE],
  ['closing fence on the last line', { text: `\`\`\`\n${SMILE}\`\`\`` }, SMILE],
  ['JSON summary fenced after the prose', { text: `${SMILE}\n\n\`\`\`json\n{"valence": 0.8}\n\`\`\`` }, `${SMILE}\n\n\`\`\`json\n{"valence": 0.8}\n\`\`\``],
  // JSON under the other keys models use; a key that holds no string is passed over.
  ['JSON text key', { text: `{"text": "${SMILE}"}` }, SMILE],
  ['JSON answer key', { text: `{"answer": "${SMILE}", "confidence": 0.9}` }, SMILE],
  ['JSON description as a list', { text: '{"description": ["smiles", "relaxed"]}' }, '{"description": ["smiles", "relaxed"]}'],
  ['JSON description null, text beside it', { text: `{"description": null, "text": "${SMILE}"}` }, SMILE],
  // Every wrapper, with padding inside, nested either way, and the empty quoted answer.
  ['single quotes', { text: `'${SMILE}'` }, SMILE],
  ['curly single quotes', { text: `\u2018${SMILE}\u2019` }, SMILE],
  ['guillemets with French spacing (Mistral)', { text: `\u00ab ${SMILE} \u00bb` }, SMILE],
  ['bold', { text: `**${SMILE}**` }, SMILE],
  ['underscore emphasis', { text: `_${SMILE}_` }, SMILE],
  ['italic quote (Gemma)', { text: `*"${SMILE}"*` }, SMILE],
  ['an empty quoted answer is empty', { text: '""' }, ''],
  ['a stray closing bold is kept', { text: `${SMILE}**` }, `${SMILE}**`],
  ['quotes inside, not around', { text: '"Happy," she says, "and calm."' }, '"Happy," she says, "and calm."'],
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
  // A stray closing tag after the answer (some Qwen3 templates) is no block: the answer stays.
  assert.deepEqual(splitReasoning('<think>a</think>Fear</think>'), { answer: 'Fear', reasoning: 'a', unterminated: false });
  // A template-opened block, the answer, then a second block: the answer is what lies between.
  assert.deepEqual(splitReasoning('opened by the template</think>\n\nFear\n<think>second thoughts</think>\n'), { answer: 'Fear', reasoning: 'opened by the template\n\nsecond thoughts', unterminated: false });
});
