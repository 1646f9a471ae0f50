import { test, after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import classify from '../../../nodes/classify/index.js';
import describeKind from '../../../nodes/describe/index.js';
import { getLabelSet } from '../../../src/labels/label-sets.js';
import { ProviderError } from '../../../src/errors.js';
import type { ResolvedModel } from '../../../src/types/providers.js';
import type { ClassifyParams } from '../../../nodes/classify/params.generated.js';
import { fixedResponder, nearestLabelResponder, refuseResponseFormat, startOpenAIServer, REFUSAL_TEXT, type ChatReply, type OpenAIServer } from '../../helpers/openai-server.js';
import { ANSWER_READER_VERSION } from '../../../src/labels/reader-version.js';
import type { KindLogEvent } from '../../../src/types/node-kind.js';
import { promptRecord, runItem } from './item-harness.js';

const basic7 = getLabelSet('basic7')!;
let server: OpenAIServer;
let model: ResolvedModel;
const params: ClassifyParams = { models: ['gpt'], labels: 'basic7' };
const happy = promptRecord('face-1', 0.87, 0.26, 'happiness');

before(async () => {
  server = await startOpenAIServer({ responder: nearestLabelResponder(basic7.points) });
  model = { id: 'gpt', provider: 'openai', model: 'gpt-test', baseURL: server.url, temperature: 0 };
});
after(async () => { await server.close(); });
// One server for the file; each test starts from its initial state, whatever the previous one left.
beforeEach(() => server.reset());

test('structured classification of every basic7 reference point, with usage and finish reason', async () => {
  server.resetCounts();
  for (const [label, [v, a]] of Object.entries(basic7.points)) {
    const { result, error } = await runItem(classify, promptRecord(label, v, a), { model, params });
    assert.equal(error, undefined);
    assert.equal(result!.fields.prediction, label);
    assert.equal(result!.fields.valid, true);
    assert.equal(result!.fields.labelSet, 'basic7');
    assert.equal(result!.fields.finishReason, 'stop');
    assert.ok(result!.usage && result!.usage.inputTokens > 0);
  }
  assert.equal(server.requests.chat, 7);
  assert.equal(server.requests.bodies[0]!.response_format?.type, 'json_schema');
});

test('plain text goes through the tolerant parser; an unmappable answer is kept verbatim and invalid', async () => {
  const plain: ClassifyParams = { ...params, structured: false };
  server.responder = fixedResponder('I think the person feels happy.');
  const ok = await runItem(classify, happy, { model, params: plain });
  assert.deepEqual([ok.result!.fields.prediction, ok.result!.fields.answer], ['happiness', 'I think the person feels happy.']);
  server.responder = fixedResponder('Contempt, mostly.');
  const odd = await runItem(classify, happy, { model, params: plain });
  assert.deepEqual([odd.result!.fields.prediction, odd.result!.fields.valid, odd.result!.fields.answer, odd.result!.fields.invalidReason],
    [null, false, 'Contempt, mostly.', 'no-label']);
  server.responder = nearestLabelResponder(basic7.points);
});

test('plain words, prose and reasoning sent back to a structured request are answers: one request, no retry, reasoning kept apart', async () => {
  const cases: [ChatReply | string, Record<string, unknown>][] = [
    ['Happiness.', { prediction: 'happiness', valid: true, answer: 'Happiness.' }],
    ['<think>\nCould be sadness.\n</think>\n\nHappiness', { prediction: 'happiness', valid: true, reasoning: 'Could be sadness.' }],
    [{ content: 'Happiness', reasoning_content: 'Not sadness.' }, { prediction: 'happiness', reasoning: 'Not sadness.' }],
    [{ content: '<think>\nThe answer is happiness, I', finish_reason: 'length' }, { prediction: null, valid: false, invalidReason: 'truncated', finishReason: 'length' }],
    [{ content: '' }, { prediction: null, valid: false, invalidReason: 'empty' }],
  ];
  try {
    for (const [reply, expected] of cases) {
      server.resetCounts();
      server.responder = () => reply;
      const outcome = await runItem(classify, happy, { model, params });
      assert.equal(outcome.error, undefined, JSON.stringify(reply));
      assert.deepEqual([outcome.attempts, server.requests.chat], [1, 1], JSON.stringify(reply));
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(outcome.result!.fields[key], value, `${JSON.stringify(reply)}: ${key}`);
      assert.equal(outcome.result!.fields.readerVersion, ANSWER_READER_VERSION);
    }
  } finally {
    server.responder = nearestLabelResponder(basic7.points);
  }
});

test('a server that refuses response_format: each item completes, the model is asked in plain text from then on, the kind logs it once', async () => {
  const refusing: ResolvedModel = { ...model, id: 'refusing', model: 'no-json-schema' };
  const logged: KindLogEvent[] = [];
  server.resetCounts();
  server.rule = refuseResponseFormat('llamacpp');
  server.responder = fixedResponder('Sadness');
  try {
    for (const id of ['a', 'b', 'c']) {
      const outcome = await runItem(classify, promptRecord(id, -0.7, -0.4), { model: refusing, params, log: (e) => logged.push(e) });
      assert.deepEqual([outcome.result?.fields.prediction, outcome.attempts], ['sadness', 1]);
    }
    assert.equal(server.requests.chat, 4, 'three items, one extra request for the first 400');
    assert.equal(logged.length, 1);
    assert.deepEqual([logged[0]!.level, logged[0]!.model], ['warn', 'refusing']);
    assert.match(logged[0]!.message, /refused response_format/);
  } finally {
    server.rule = undefined;
    server.responder = nearestLabelResponder(basic7.points);
  }
});

test('429 with Retry-After (seconds) is retried with the server\'s wait and succeeds', async () => {
  server.resetCounts();
  server.faults.push({ type: 'status', status: 429, retryAfterSeconds: 1 });
  const outcome = await runItem(classify, happy, { model, params });
  assert.equal(outcome.result?.fields.prediction, 'happiness');
  assert.equal(outcome.attempts, 2);
  assert.deepEqual(outcome.serverWaits, [1000]);
  assert.deepEqual(outcome.delays, [1000], 'the engine\'s retry layer waits what the server asked');
  assert.equal(server.requests.chat, 2);
});

test('429 with only OpenAI\'s x-ratelimit-* headers (no Retry-After) is retried with the engine\'s own backoff', async () => {
  server.resetCounts();
  server.faults.push({ type: 'status', status: 429 });
  const outcome = await runItem(classify, happy, { model, params });
  assert.equal(outcome.result?.fields.prediction, 'happiness');
  assert.deepEqual(outcome.serverWaits, [undefined], 'x-ratelimit-reset-* is not read as a Retry-After');
  assert.ok(outcome.delays.length === 1 && outcome.delays[0]! >= 0 && outcome.delays[0]! <= 500, `first backoff within the policy's 500 ms (${outcome.delays[0]})`);
  assert.equal(server.requests.chat, 2);
});

test('429 with Retry-After as an HTTP date is retried after the wait it names, through the engine', async () => {
  server.resetCounts();
  // HTTP dates have whole seconds, and the client reads it a little later: 30 s ahead leaves a wide
  // margin for a loaded machine (the harness cuts the sleep itself to 20 ms).
  server.faults.push({ type: 'status', status: 429, retryAfterDate: new Date(Date.now() + 30_000) });
  const outcome = await runItem(classify, happy, { model, params });
  assert.equal(outcome.result?.fields.prediction, 'happiness');
  const [wait] = outcome.serverWaits;
  assert.ok(wait !== undefined && wait > 0 && wait <= 30_000, `the date read as a wait in (0, 30 s] (${wait})`);
  assert.deepEqual(outcome.delays, [wait]);
});

test('429 with retry-after-ms is retried with that wait', async () => {
  server.faults.push({ type: 'status', status: 429, retryAfterMs: 40, retryAfterSeconds: 9 });
  const outcome = await runItem(classify, happy, { model, params });
  assert.deepEqual([outcome.result?.fields.prediction, outcome.serverWaits, outcome.delays], ['happiness', [40], [40]]);
});

test('500 is retried and succeeds; persistent 500s end as an item error with status and attempts', async () => {
  server.faults.push({ type: 'status', status: 500 });
  const once = await runItem(classify, happy, { model, params });
  assert.deepEqual([once.result?.fields.prediction, once.attempts], ['happiness', 2]);
  server.resetCounts();
  server.faults.push(...Array.from({ length: 3 }, () => ({ type: 'status' as const, status: 500 })));
  const always = await runItem(classify, happy, { model, params, retries: 2 });
  assert.ok(always.error instanceof ProviderError);
  assert.deepEqual([always.error.status, always.error.retryable, always.attempts, server.requests.chat], [500, true, 3, 3]);
});

test('a reply slower than the timeout is aborted, retried and then succeeds; always slow ends as VAFLOW_TIMEOUT', async () => {
  // Timeouts generous for a loopback answer on a loaded machine, far below the slow replies.
  server.faults.push({ type: 'delay', ms: 20_000 });
  const once = await runItem(classify, happy, { model, params, timeoutMs: 1500 });
  assert.deepEqual([once.result?.fields.prediction, once.attempts], ['happiness', 2]);
  server.faults.push({ type: 'delay', ms: 20_000 }, { type: 'delay', ms: 20_000 });
  const always = await runItem(classify, happy, { model, params, timeoutMs: 1000, retries: 1 });
  assert.ok(always.error instanceof ProviderError);
  assert.deepEqual([always.error.code, always.attempts], ['VAFLOW_TIMEOUT', 2]);
});

test('a malformed JSON body is retried (VAFLOW_BAD_RESPONSE is retryable) and succeeds', async () => {
  server.faults.push({ type: 'malformed-json' });
  const outcome = await runItem(classify, happy, { model, params });
  assert.deepEqual([outcome.result?.fields.prediction, outcome.attempts], ['happiness', 2]);
});

test('an empty choice list every time ends as an item error with code VAFLOW_BAD_RESPONSE', async () => {
  server.resetCounts();
  server.rule = () => ({ type: 'empty-choices' });
  try {
    const outcome = await runItem(classify, happy, { model, params, retries: 2 });
    assert.ok(outcome.error instanceof ProviderError);
    assert.equal(outcome.error.code, 'VAFLOW_BAD_RESPONSE');
    assert.match(outcome.error.message, /empty choice list/);
    assert.deepEqual([outcome.attempts, server.requests.chat], [3, 3]);
  } finally {
    server.rule = undefined;
  }
});

test('a refusal sentence is recorded as an invalid answer, not retried and not turned into a class', async () => {
  for (const structured of [true, false]) {
    server.resetCounts();
    server.faults.push({ type: 'refusal' });
    const outcome = await runItem(classify, happy, { model, params: { ...params, structured } });
    const fields = outcome.result!.fields;
    assert.deepEqual([fields.prediction, fields.valid, fields.answer, fields.invalidReason], [null, false, REFUSAL_TEXT, 'refusal'], `structured ${structured}`);
    assert.equal(server.requests.chat, 1);
  }
});

test('401 is not retried: one attempt, an item error with the status', async () => {
  server.resetCounts();
  server.faults.push({ type: 'status', status: 401 });
  const outcome = await runItem(classify, happy, { model, params });
  assert.ok(outcome.error instanceof ProviderError);
  assert.deepEqual([outcome.error.status, outcome.error.retryable, outcome.attempts, server.requests.chat], [401, false, 1, 1]);
});

test('the circumplex baseline answers from valence and arousal without any request', async () => {
  server.resetCounts();
  const circumplex: ResolvedModel = { id: 'circumplex', provider: 'circumplex' };
  const sad = await runItem(classify, promptRecord('f', -0.7, -0.4), { model: circumplex, params });
  assert.deepEqual([sad.result!.fields.prediction, sad.result!.fields.baseline, sad.result!.fields.valid], ['sadness', true, true]);
  const moved = await runItem(classify, promptRecord('f', 0, 0), { model: { ...circumplex, points: { neutral: [0, 0] } }, params });
  assert.equal(moved.result!.fields.prediction, 'neutral');
  const noVa = await runItem(classify, { id: 'x', node: 'p', coords: {}, valence: 'high' }, { model: circumplex, params });
  assert.match(String(noVa.error), /item x .*valence and arousal/);
  assert.equal(server.requests.total, 0);
});

test('repeats: each sample is its own call; summarize gives the majority, frequencies and agreement', async () => {
  assert.equal(classify.repeats!({ ...params, repeats: 3 }), 3);
  const answers = ['happiness', 'surprise', 'happiness'];
  let i = 0;
  server.responder = (request) => fixedResponder(answers[i++ % answers.length]!)(request);
  const samples = [];
  for (let repeat = 0; repeat < 3; repeat++) samples.push((await runItem(classify, happy, { model, params, repeat })).result!);
  server.responder = nearestLabelResponder(basic7.points);
  const summary = classify.summarize!(samples, happy, { ...params, repeats: 3 }).fields;
  assert.equal(summary.prediction, 'happiness');
  assert.deepEqual(summary.frequencies, { happiness: 2 / 3, surprise: 1 / 3 });
  assert.equal(summary.agreement, 2 / 3);
  assert.equal((summary.samples as unknown[]).length, 3);
  assert.ok(summary.usage);
});

test('check(): unknown sets, synonyms to unknown labels, circumplex without points, maxLabels on a single-label set', async () => {
  const spec = { version: 1 as const, name: 't', nodes: {}, models: { c: { provider: 'circumplex' as const } } };
  const ctx = { spec, nodeId: 'classify', specDir: '.' };
  assert.deepEqual(await classify.check!({ models: ['c'], labels: 'basic7' }, ctx), []);
  assert.equal((await classify.check!({ models: ['c'], labels: 'basic8' }, ctx)).length, 1);
  const noPoints = await classify.check!({ models: ['c'], labels: { name: 'm', labels: ['up', 'down'] } }, ctx);
  assert.deepEqual(noPoints.map((i) => i.path), [['models', 0]]);
  const bad = await classify.check!({ models: ['c'], labels: 'basic7', maxLabels: 2 }, ctx);
  assert.deepEqual(bad.map((i) => i.path), [['maxLabels']]);
});

test('warm caches stay warm: a better answer reader does not bump the kinds\' cache-key versions', async () => {
  // Bumping these would re-spend every cached call; see docs/answer-reading.md before changing them.
  assert.deepEqual([classify.version, describeKind.version], ['1', '1']);
});
