/**
 * The answer corpus read directly by readLabelAnswer, the function classify calls on every reply:
 * the same expectations as answer-corpus.test.ts (which serves each entry over HTTP through the
 * provider and the kind), in milliseconds, so that mutation testing of src/labels reaches a verdict
 * quickly. The reply fields are passed as the OpenAI provider names them (ChatResponse).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLabelAnswer } from '../../src/labels/parse-answer.js';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { ANSWER_CORPUS, hasReasoning } from './answer-corpus.js';
import { ANSWER_READER_VERSION } from '../../src/labels/reader-version.js';

test('every corpus answer reads as the corpus says, read directly, its reasoning kept apart', () => {
  const failures: string[] = [];
  for (const entry of ANSWER_CORPUS) {
    const reply = typeof entry.reply === 'string' ? { content: entry.reply } : entry.reply;
    const reading = readLabelAnswer(
      { text: reply.content ?? '', reasoning: reply.reasoning_content ?? reply.reasoning, refusal: reply.refusal, finishReason: reply.finish_reason ?? 'stop' },
      getLabelSet(entry.set)!,
    );
    const got = reading.valid ? reading.prediction : { invalid: reading.reason };
    if (JSON.stringify(got) !== JSON.stringify(entry.expect)) failures.push(`${entry.family} ${JSON.stringify(entry.reply)}: read ${JSON.stringify(got)}, expected ${JSON.stringify(entry.expect)}`);
    if (hasReasoning(entry) !== (typeof reading.reasoning === 'string' && reading.reasoning.length > 0)) failures.push(`${entry.family} ${JSON.stringify(entry.reply)}: reasoning ${JSON.stringify(reading.reasoning)}`);
    if ((reading.truncated === true) !== (entry.truncatedList === true)) failures.push(`${entry.family} ${JSON.stringify(entry.reply)}: truncated list ${String(reading.truncated)}`);
  }
  assert.deepEqual(failures, []);
});

test('the reader has a version to record with every reading (manifest answerReader, records readerVersion)', () => {
  assert.match(ANSWER_READER_VERSION, /^[1-9][0-9]*$/);
});
