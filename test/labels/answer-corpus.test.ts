/**
 * The answer corpus (answer-corpus.ts) through the real path: the loopback server sends each reply
 * as a real server would (content, reasoning field, refusal, finish reason) to a JSON-schema request
 * it ignores, the openai provider passes it on, the classify kind reads it. Every entry must be one
 * request, no error, and read as the corpus says.
 */
import { test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import classify from '../../nodes/classify/index.js';
import type { ResolvedModel } from '../../src/types/providers.js';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.js';
import { promptRecord, runItem } from '../nodes/classify/item-harness.js';
import { ANSWER_CORPUS, hasReasoning } from './answer-corpus.js';

let server: OpenAIServer;
let model: ResolvedModel;
before(async () => {
  server = await startOpenAIServer();
  model = { id: 'm', provider: 'openai', model: 'any-family', baseURL: server.url, temperature: 0 };
});
after(async () => { await server.close(); });
// One server for the file; each test starts from its initial state, whatever the previous one left.
beforeEach(() => server.reset());

const record = promptRecord('item', 0.5, 0.2);

test('the corpus holds at least 150 shapes from every family, both label sets and every invalid reason', () => {
  assert.ok(ANSWER_CORPUS.length >= 150, `${ANSWER_CORPUS.length} entries`);
  const families = new Set(ANSWER_CORPUS.map((e) => e.family));
  assert.deepEqual([...families].sort(), ['deepseek-r1', 'gemma', 'gpt-4o-mini', 'gpt-4o-mini+schema', 'llama3.2-1b', 'llama3.2-3b', 'mistral-7b', 'qwen2.5', 'qwen3']);
  assert.ok(ANSWER_CORPUS.filter((e) => e.set === 'emotic26').length >= 40);
  const reasons = new Set(ANSWER_CORPUS.flatMap((e) => (typeof e.expect === 'object' && 'invalid' in e.expect ? [e.expect.invalid] : [])));
  assert.deepEqual([...reasons].sort(), ['ambiguous', 'content-filter', 'empty', 'no-label', 'refusal', 'truncated']);
});

test('every corpus answer, served over HTTP to a structured request, is read right with one request and no error', async () => {
  const failures: string[] = [];
  for (const entry of ANSWER_CORPUS) {
    server.resetCounts();
    server.responder = () => entry.reply;
    const outcome = await runItem(classify, record, { model, params: { models: ['m'], labels: entry.set }, retries: 0, timeoutMs: 60_000 });
    const where = `${entry.family} ${JSON.stringify(entry.reply)}`;
    if (outcome.error !== undefined) {
      failures.push(`${where}: error ${String(outcome.error)}`);
      continue;
    }
    const fields = outcome.result!.fields;
    const got = fields.valid ? fields.prediction : { invalid: fields.invalidReason };
    if (JSON.stringify(got) !== JSON.stringify(entry.expect)) failures.push(`${where}: read ${JSON.stringify(got)}, expected ${JSON.stringify(entry.expect)}`);
    if (fields.valid !== (typeof entry.expect !== 'object' || Array.isArray(entry.expect))) failures.push(`${where}: valid ${String(fields.valid)}`);
    if ((fields.truncated === true) !== (entry.truncatedList === true)) failures.push(`${where}: truncated list ${String(fields.truncated)}`);
    if (hasReasoning(entry) !== (typeof fields.reasoning === 'string' && fields.reasoning.length > 0)) failures.push(`${where}: reasoning ${JSON.stringify(fields.reasoning)}`);
    if (server.requests.chat !== 1) failures.push(`${where}: ${server.requests.chat} requests`);
    if (server.requests.bodies[0]?.response_format?.type !== 'json_schema') failures.push(`${where}: structured output was not requested`);
  }
  assert.deepEqual(failures, []);
});
