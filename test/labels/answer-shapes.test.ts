/**
 * Answer shapes that tell the reader's rules apart, beyond the corpus (answer-corpus.ts): each is a
 * reply as a model family writes it, read by the functions classify and describe call on every
 * reply (readLabelAnswer, readDescription). They were written against the mutants that survived the
 * corpus (docs/testing.md, "Mutation testing"): each pins the reading that a one-character slip in a
 * pattern, a key list or a bracket scanner would change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLabelAnswer } from '../../src/labels/parse-answer.js';
import { readDescription } from '../../src/labels/read-description.js';
import { getLabelSet } from '../../src/labels/label-sets.js';

const basic7 = getLabelSet('basic7')!;
const emotic26 = getLabelSet('emotic26')!;

/** What the reader gives for a reply: the label(s), or the invalid reason. */
function read(text: string, set = basic7, finishReason = 'stop'): unknown {
  const reading = readLabelAnswer({ text, finishReason }, set);
  return reading.valid ? reading.prediction : { invalid: reading.reason };
}

test('JSON: every answer key is read even when the reasoning beside it names other labels; escaped quotes and brackets inside strings', () => {
  // Gemma without a schema: "categories", with reasoning that names two more labels.
  assert.deepEqual(read('{"reasoning": "Excitement and anger need high arousal.", "categories": ["Peace", "Esteem"]}', emotic26), ['peace', 'esteem']);
  // R1 quoting an interval with escaped quotes inside its reasoning string: the "]" is part of the string.
  assert.equal(read('{"reasoning": "valence 0.87 is in the \\"(0.5, 1]\\" band; surprise would need more arousal", "label": "happiness"}'), 'happiness');
});

test('answer lines: the rest of the marker\'s line; a marker line left empty is answered by the paragraph below it', () => {
  // Qwen 2.5 lists its labels on the marker's line and explains on the next: the explanation names no answer.
  assert.deepEqual(read('Labels: Sadness, Fatigue\nExcitement and anger are ruled out by the low arousal.', emotic26), ['sadness', 'fatigue']);
  // R1: a bold header, the labels in the paragraph below (after a blank line), then an explanation.
  assert.deepEqual(read('**Labels:**\n\nSadness, Fatigue\n\nExcitement and anger are ruled out by the low arousal.', emotic26), ['sadness', 'fatigue']);
  assert.deepEqual(read('**Labels:**\nSadness, Fatigue\n\nExcitement and anger are ruled out by the low arousal.', emotic26), ['sadness', 'fatigue']);
  // Gemma: one label a line under the header; the paragraph ends at the blank line, not at a line break.
  assert.deepEqual(read('**Labels:**\nSadness\nFatigue\n\nExcitement and anger are ruled out by the low arousal.', emotic26), ['sadness', 'fatigue']);
  // Llama: an answer line that names no label is no empty line: the next line's "closest" is not read as the answer.
  assert.deepEqual(read('Anger and fear both have negative valence.\nAnswer: None of the above.\nFear comes closest, but its arousal is higher.'), { invalid: 'ambiguous' });
  // A server that sends CRLF line ends (the marker's line then holds a lone carriage return).
  assert.equal(read('Anger and fear need more arousal.\r\n\r\n**Final Answer:**\r\nSadness'), 'sadness');
});

test('fences: a fence opened on the answer\'s own line is no language tag', () => {
  assert.equal(read('```Fear.\n```'), 'fear');
  assert.equal(read('```\nFear.\n```'), 'fear');
});

test('descriptions: a fenced description followed by a sign-off is the fence\'s content; a lone quote mark wraps nothing', () => {
  const smile = 'The person smiles warmly and looks relaxed.';
  assert.equal(readDescription({ text: `\`\`\`\n${smile}\n\`\`\`\nI hope this helps!` }).text, smile);
  assert.equal(readDescription({ text: `\`\`\`markdown\n${smile}\n\`\`\`   \n\nLet me know if you need more detail.` }).text, smile);
  // A tag with a digit or a hyphen is still a tag; a first line of one word is still content.
  assert.equal(readDescription({ text: `\`\`\`text-plain\n${smile}\n\`\`\`` }).text, smile);
  assert.equal(readDescription({ text: `\`\`\`\nSmiling.\n${smile}\n\`\`\`` }).text, `Smiling.\n${smile}`);
  // Backticks right after the closing fence are not a sign-off line: the text is kept as it came.
  assert.equal(readDescription({ text: '```\nA smile.\n```` extra' }).text, '```\nA smile.\n```` extra');
  // Qwen's fenced JSON with a blank before the line break: the object is unwrapped all the same.
  assert.equal(readDescription({ text: `\`\`\`json\n{"description": "${smile}"} \n\`\`\`` }).text, smile);
  // Cut at one token: a lone mark is what the model said.
  assert.equal(readDescription({ text: '"', finishReason: 'length' }).text, '"');
  assert.equal(readDescription({ text: '*' }).text, '*');
});
