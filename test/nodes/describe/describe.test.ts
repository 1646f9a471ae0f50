import { test, after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import describeKind, { limitWords } from '../../../nodes/describe/index.js';
import type { ResolvedModel } from '../../../src/types/providers.js';
import { fixedResponder, startOpenAIServer, REFUSAL_TEXT, type OpenAIServer } from '../../helpers/openai-server.js';
import { promptRecord, runItem } from '../classify/item-harness.js';
import { ANSWER_READER_VERSION } from '../../../src/labels/reader-version.js';

let server: OpenAIServer;
let model: ResolvedModel;
const record = promptRecord('face-1', 0.6, 0.5);

before(async () => {
  server = await startOpenAIServer({ responder: fixedResponder('The person looks delighted and full of energy, smiling broadly at something.') });
  model = { id: 'gpt', provider: 'openai', model: 'gpt-test', baseURL: server.url };
});
after(async () => { await server.close(); });
// One server for the file; each test starts from its initial state, whatever the previous one left.
beforeEach(() => server.reset());

test('limitWords cuts to the limit and says so', () => {
  assert.deepEqual(limitWords('  one two  three ', 5), { text: 'one two  three', truncated: false });
  assert.deepEqual(limitWords('one two three four', 2), { text: 'one two', truncated: true });
});

test('a description over HTTP keeps text, finish reason and usage; the word limit truncates', async () => {
  const full = await runItem(describeKind, record, { model, params: { models: ['gpt'] } });
  assert.equal(full.result!.fields.text, 'The person looks delighted and full of energy, smiling broadly at something.');
  assert.deepEqual([full.result!.fields.truncated, full.result!.fields.finishReason], [false, 'stop']);
  assert.deepEqual(full.result!.usage, { inputTokens: 26, outputTokens: 12 });
  assert.equal(server.requests.bodies.at(-1)!.response_format, undefined, 'descriptions are plain text');
  const cut = await runItem(describeKind, record, { model, params: { models: ['gpt'], wordLimit: 4 } });
  assert.deepEqual([cut.result!.fields.text, cut.result!.fields.truncated], ['The person looks delighted', true]);
});

test('a 500 is retried; a refusal sentence stays as the text (it is what the model said)', async () => {
  server.faults.push({ type: 'status', status: 500 });
  const retried = await runItem(describeKind, record, { model, params: { models: ['gpt'] } });
  assert.equal(retried.attempts, 2);
  server.faults.push({ type: 'refusal' });
  const refused = await runItem(describeKind, record, { model, params: { models: ['gpt'] } });
  assert.equal(refused.result!.fields.text, REFUSAL_TEXT);
});

test('a reasoning model\'s reply is cleaned before the word limit: the text has no reasoning, the raw reply and the reasoning are kept', async () => {
  const raw = '<think>\nValence 0.6 and arousal 0.5: pleasant and energetic. Maybe surprise?\n</think>\n\n**Description:** "The person beams with excitement, eyes wide and bright, ready to laugh."';
  server.responder = () => raw;
  try {
    const outcome = await runItem(describeKind, record, { model, params: { models: ['gpt'], wordLimit: 5 } });
    const fields = outcome.result!.fields;
    assert.deepEqual([fields.text, fields.truncated], ['The person beams with excitement,', true], 'five words of the description, not of the reasoning');
    assert.equal(fields.answer, raw);
    assert.equal(fields.reasoning, 'Valence 0.6 and arousal 0.5: pleasant and energetic. Maybe surprise?');
    assert.equal(fields.readerVersion, ANSWER_READER_VERSION);
    server.responder = () => ({ content: 'A calm face.', reasoning_content: 'Low arousal.' });
    const field = (await runItem(describeKind, record, { model, params: { models: ['gpt'] } })).result!.fields;
    assert.deepEqual([field.text, field.reasoning], ['A calm face.', 'Low arousal.']);
  } finally {
    server.responder = fixedResponder('The person looks delighted and full of energy, smiling broadly at something.');
  }
});

test('the circumplex baseline writes a template description without a request', async () => {
  server.resetCounts();
  const outcome = await runItem(describeKind, record, { model: { id: 'circumplex', provider: 'circumplex' }, params: { models: ['circumplex'] } });
  const fields = outcome.result!.fields;
  assert.equal(fields.baseline, true);
  assert.equal(fields.quadrant, 'pleasant-activated');
  assert.match(String(fields.text), /pleasant and energised/);
  assert.equal(server.requests.total, 0);
});
