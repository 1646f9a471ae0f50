/**
 * Servers that refuse `response_format`, over HTTP through the openai provider: the refused call is
 * sent once more without it, the model is asked in plain text for the rest of the run (one extra
 * request per run, however many calls were in flight), and the run is told once. A 400 about
 * something else stays an error.
 */
import { test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createChatProvider } from '../../../src/providers/chat/registry.js';
import { refusesStructuredOutput } from '../../../src/providers/chat/structured-output.js';
import { ProviderError, TimeoutError } from '../../../src/errors.js';
import { limitChat, ProviderLimiter, type LimitedChat } from '../../../src/scheduler/provider-limiter.js';
import { fixedResponder, refuseResponseFormat, RESPONSE_FORMAT_REFUSALS, startOpenAIServer, type OpenAIServer } from '../../helpers/openai-server.js';

let server: OpenAIServer;
before(async () => { server = await startOpenAIServer({ responder: fixedResponder('happiness') }); });
after(async () => { await server.close(); });
// One server for the file; each test starts from its initial state, whatever the previous one left.
beforeEach(() => server.reset());

const messages = [{ role: 'user' as const, content: 'Valence 0.8, arousal 0.3. Which emotion?' }];
const jsonSchema = { name: 'emotion_label', schema: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'], additionalProperties: false } };
let models = 0;
/** A provider as the engine makes one: once per model per run, behind its provider's limiter (which awaits its admission). */
const freshProvider = async (): Promise<LimitedChat> =>
  limitChat(await createChatProvider({ id: `m${++models}`, provider: 'openai', model: 'local-model', baseURL: server.url }, { env: {}, specDir: process.cwd() }), new ProviderLimiter({ concurrency: 16 }));
const ask = (provider: LimitedChat, signal = new AbortController().signal) => provider.call({ messages, jsonSchema, signal });

for (const shape of Object.keys(RESPONSE_FORMAT_REFUSALS) as (keyof typeof RESPONSE_FORMAT_REFUSALS)[]) {
  test(`a ${shape}-style 400 for response_format: that call is sent again without it, later calls never carry it, the run is told once`, async () => {
    server.resetCounts();
    server.rule = refuseResponseFormat(shape);
    try {
      const provider = await freshProvider();
      const answers = [await ask(provider), await ask(provider), await ask(provider)];
      assert.deepEqual(answers.map((a) => a.text), ['happiness', 'happiness', 'happiness'], 'the plain answer to a JSON-schema request');
      assert.equal(server.requests.chat, 4, 'three calls, one extra request for the first 400');
      assert.deepEqual(server.requests.bodies.map((b) => b.response_format?.type ?? 'none'), ['json_schema', 'none', 'none', 'none']);
      assert.equal(answers[0]!.notices?.length, 1);
      assert.equal(answers[0]!.notices![0]!.level, 'warn');
      assert.match(answers[0]!.notices![0]!.message, /^model m\d+: the server refused response_format \(HTTP 400.*\); asking in plain text for the rest of the run$/);
      assert.deepEqual([answers[1]!.notices, answers[2]!.notices], [undefined, undefined], 'said once');
    } finally {
      server.rule = undefined;
    }
  });
}

test('with calls in flight at once, a refusing server costs one extra request in all, not one per call', async () => {
  server.resetCounts();
  server.rule = refuseResponseFormat('openai');
  server.latencyMs = 30;
  try {
    const provider = await freshProvider();
    const answers = await Promise.all(Array.from({ length: 8 }, () => ask(provider)));
    assert.ok(answers.every((a) => a.text === 'happiness'));
    assert.equal(server.requests.chat, 9);
    assert.equal(answers.filter((a) => a.notices).length, 1, 'one notice for the run');
  } finally {
    server.rule = undefined;
    server.latencyMs = 0;
  }
});

test('a server that accepts response_format keeps getting it, concurrently after the first answer', async () => {
  server.resetCounts();
  const provider = await freshProvider();
  await Promise.all(Array.from({ length: 5 }, () => ask(provider)));
  assert.equal(server.requests.chat, 5);
  assert.ok(server.requests.bodies.every((b) => b.response_format?.type === 'json_schema'));
});

test('a server that starts refusing mid-run (a proxy switching backends): the calls in flight all fall back, the run is told once', async () => {
  server.resetCounts();
  const provider = await freshProvider();
  await ask(provider);
  server.rule = refuseResponseFormat('openai');
  // All four calls are in flight before the first 400 comes back.
  server.holdUntilInFlight(4);
  try {
    const answers = await Promise.all(Array.from({ length: 4 }, () => ask(provider)));
    assert.ok(answers.every((a) => a.text === 'happiness'));
    assert.equal(server.requests.chat, 1 + 4 * 2, 'each call in flight got its 400 and its plain retry');
    assert.equal(answers.filter((a) => a.notices).length, 1, 'one notice for the run');
    await ask(provider);
    assert.equal(server.requests.bodies.at(-1)!.response_format, undefined, 'remembered');
  } finally {
    server.rule = undefined;
  }
});

test('a 400 about something else (here LangChain turns it into a ContextOverflowError) is an error: no second request, no retry, and response_format is still asked for', async () => {
  server.resetCounts();
  const provider = await freshProvider();
  server.faults.push({ type: 'status', status: 400, message: "This model's maximum context length is 8192 tokens.", param: 'messages' });
  await assert.rejects(ask(provider), (e: unknown) => e instanceof ProviderError && e.status === 400 && !e.retryable);
  assert.equal(server.requests.chat, 1);
  await ask(provider);
  assert.equal(server.requests.bodies[1]!.response_format?.type, 'json_schema');
});

test('an unreadable 400 is tried once without response_format; when that fails too it is an error and nothing is remembered', async () => {
  server.resetCounts();
  const provider = await freshProvider();
  server.faults.push({ type: 'status', status: 400, body: RESPONSE_FORMAT_REFUSALS.vllm.body }, { type: 'status', status: 400, body: { object: 'error' } });
  await assert.rejects(ask(provider), (e: unknown) => e instanceof ProviderError && e.status === 400);
  assert.deepEqual(server.requests.bodies.map((b) => b.response_format?.type ?? 'none'), ['json_schema', 'none']);
  const next = await ask(provider);
  assert.equal(next.notices, undefined);
  assert.equal(server.requests.bodies[2]!.response_format?.type, 'json_schema', 'not remembered as refused');
});

test('a call waiting for the first structured answer honours its own timeout', async () => {
  server.resetCounts();
  const provider = await freshProvider();
  // The first answer comes long after the waiting call's 50 ms, whatever the machine's load.
  server.faults.push({ type: 'delay', ms: 2000 });
  const first = ask(provider);
  const waiting = new AbortController();
  setTimeout(() => waiting.abort(new TimeoutError(50)), 50);
  await assert.rejects(ask(provider, waiting.signal), (e: unknown) => e instanceof TimeoutError);
  assert.equal((await first).text, '{"label":"happiness"}');
  assert.equal(server.requests.chat, 1, 'the waiting call sent nothing');
});

test('only a 400 or 422 can be a refusal of response_format', () => {
  // The cause is shaped as the OpenAI SDK's APIError: status, param and the parsed `error` body.
  const refused = (status: number, body: Record<string, unknown>) =>
    refusesStructuredOutput(new ProviderError('VAFLOW_PROVIDER_HTTP', 'x', { status, retryable: false, cause: { status, ...body } }));
  assert.equal(refused(400, { param: 'response_format', error: { message: 'bad' } }), true);
  assert.equal(refused(422, { error: { detail: [{ loc: ['body', 'response_format'], msg: 'extra fields not permitted' }] } }), true);
  assert.equal(refused(400, { error: 'json_schema is not supported by this backend' }), true);
  assert.equal(refused(400, { error: undefined }), true, 'an unreadable body is a suspicion, confirmed by the retry');
  assert.equal(refused(400, { error: { message: 'messages must not be empty' } }), false);
  assert.equal(refused(429, { error: { message: 'response_format rate limit' } }), false);
  assert.equal(refused(401, { param: 'response_format' }), false);
  assert.equal(refusesStructuredOutput(new Error('400 response_format')), false);
});
