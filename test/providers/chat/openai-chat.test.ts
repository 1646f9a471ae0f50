import { test, after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { createChatProvider } from '../../../src/providers/chat/registry.js';
import { hasNodeLlamaCpp, NODE_LLAMA_CPP_VERSION } from '../../../src/providers/chat/llamacpp-chat.js';
import { ConfigError, ProviderError } from '../../../src/errors.js';
import type { ResolvedModel } from '../../../src/types/providers.js';
import { fixedResponder, startOpenAIServer, REFUSAL_TEXT, type ChatReply, type OpenAIServer } from '../../helpers/openai-server.js';

let server: OpenAIServer;
before(async () => { server = await startOpenAIServer({ responder: fixedResponder('happiness') }); });
after(async () => { await server.close(); });
// One server for the file; each test starts from its initial state, whatever the previous one left.
beforeEach(() => server.reset());

const messages = [{ role: 'system' as const, content: 'Answer with one emotion.' }, { role: 'user' as const, content: 'Valence 0.8, arousal 0.3.' }];
const schema = { name: 'emotion_label', schema: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'], additionalProperties: false } };
const call = (model: ResolvedModel, env: Record<string, string> = {}, jsonSchema?: typeof schema) =>
  createChatProvider(model, { env, specDir: process.cwd() }).then((p) => p.call({ messages, jsonSchema, signal: new AbortController().signal }));

test('openai through ChatOpenAI over HTTP: sampling settings reach the server, usage and finish reason come back', async () => {
  server.resetCounts();
  const response = await call({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url, temperature: 0.7, topP: 0.9, maxTokens: 20, seed: 7 });
  assert.equal(response.text, 'happiness');
  assert.equal(response.finishReason, 'stop');
  assert.deepEqual(response.usage, { inputTokens: 8, outputTokens: 1 }, "the server counts words");
  const body = server.requests.bodies[0]!;
  assert.deepEqual([body.model, body.temperature, body.top_p, body.max_tokens, body.seed], ['gpt-test', 0.7, 0.9, 20, 7]);
  assert.equal(body.response_format, undefined);
  assert.equal(server.requests.authorizations[0], 'Bearer not-needed', 'a baseURL server without apiKeyEnv gets a placeholder');
});

test('structured output: JSON-schema response_format, the answer text verbatim; structuredOutput: false sends plain text', async () => {
  server.resetCounts();
  const structured = await call({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url }, {}, schema);
  assert.equal(structured.text, '{"label":"happiness"}');
  assert.equal(server.requests.bodies[0]!.response_format?.type, 'json_schema');
  const plain = await call({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url, structuredOutput: false }, {}, schema);
  assert.equal(plain.text, 'happiness');
  assert.equal(server.requests.bodies[1]!.response_format, undefined);
});

test('a refusal reported apart from the text (structured output) comes back in `refusal`', async () => {
  server.faults.push({ type: 'refusal' });
  const response = await call({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url }, {}, schema);
  assert.equal(response.refusal, REFUSAL_TEXT);
  assert.equal(response.text, '');
});

test('API keys: read from the variable apiKeyEnv names; without a base URL a missing one is a ConfigError naming it', async () => {
  server.resetCounts();
  await call({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url, apiKeyEnv: 'MY_KEY' }, { MY_KEY: 'sk-test-123' });
  assert.equal(server.requests.authorizations[0], 'Bearer sk-test-123');
  await assert.rejects(call({ id: 'gpt', provider: 'openai', model: 'gpt-4o-mini' }, {}),
    (e: unknown) => e instanceof ConfigError && /models\.gpt: environment variable OPENAI_API_KEY is not set/.test(e.message));
  await assert.rejects(call({ id: 'gpt', provider: 'openai', model: 'gpt-4o-mini', apiKeyEnv: 'MY_KEY' }, {}),
    (e: unknown) => e instanceof ConfigError && /MY_KEY is not set/.test(e.message));
  await assert.rejects(call({ id: 'gpt', provider: 'openai' }, {}), (e: unknown) => e instanceof ConfigError && /"model" is required/.test(e.message));
});

test('a local server needs no key: with the key variable unset the placeholder goes out, and the first answer says so once', async () => {
  server.resetCounts();
  const provider = await createChatProvider(
    { id: 'local', provider: 'openai', model: 'gpt-4o-mini', baseURL: server.url, apiKeyEnv: 'OPENAI_API_KEY' },
    { env: {}, specDir: process.cwd() },
  );
  const signal = new AbortController().signal;
  const first = await provider.call({ messages, signal });
  const second = await provider.call({ messages, signal });
  assert.equal(first.text, 'happiness');
  assert.deepEqual(first.notices, [{ level: 'info', message: `model local: OPENAI_API_KEY is not set; calling ${server.url} without an API key (a local server needs none)` }]);
  assert.equal(second.notices, undefined, 'said once');
  assert.deepEqual(server.requests.authorizations, ['Bearer not-needed', 'Bearer not-needed']);
});

test("a base URL without apiKeyEnv never gets the user's OPENAI_API_KEY", async () => {
  server.resetCounts();
  const response = await call({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url }, { OPENAI_API_KEY: 'sk-user-openai-key-0000' });
  assert.equal(response.notices, undefined);
  assert.deepEqual(server.requests.authorizations, ['Bearer not-needed']);
});

test('a 200 is an answer whatever its shape: plain text, a cut answer, a filtered one and reasoning fields come back as sent', async () => {
  const model: ResolvedModel = { id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url };
  const replies: [ChatReply | string, Partial<Record<'text' | 'finishReason' | 'reasoning', string>>][] = [
    ['Happiness.', { text: 'Happiness.', finishReason: 'stop' }],
    [{ content: '{"label": "sadn', finish_reason: 'length' }, { text: '{"label": "sadn', finishReason: 'length' }],
    [{ content: '', finish_reason: 'content_filter' }, { text: '', finishReason: 'content_filter' }],
    [{ content: 'Anger', reasoning_content: 'Maybe fear?' }, { text: 'Anger', reasoning: 'Maybe fear?' }],
    [{ content: 'Anger', reasoning: 'Ollama thinks: fear?' }, { text: 'Anger', reasoning: 'Ollama thinks: fear?' }],
    [{ content: null }, { text: '' }],
  ];
  try {
    for (const [reply, expected] of replies) {
      server.resetCounts();
      server.responder = () => reply;
      const response = await call(model, {}, schema);
      for (const [key, value] of Object.entries(expected)) assert.equal(response[key as keyof typeof expected], value, `${JSON.stringify(reply)}: ${key}`);
      assert.equal(server.requests.chat, 1);
    }
  } finally {
    server.responder = fixedResponder('happiness');
  }
});

test('ollama goes through the same OpenAI-compatible client and needs no key', async () => {
  server.resetCounts();
  const response = await call({ id: 'llama', provider: 'ollama', model: 'llama3.2', baseURL: server.url });
  assert.equal(response.text, 'happiness');
  assert.equal(server.requests.bodies[0]!.model, 'llama3.2');
});

test('failures come back as classified ProviderErrors (status, retryable, Retry-After)', async () => {
  const model: ResolvedModel = { id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url };
  server.faults.push({ type: 'status', status: 429, retryAfterSeconds: 3 });
  await assert.rejects(call(model), (e: unknown) => e instanceof ProviderError && e.code === 'VAFLOW_RATE_LIMITED' && e.retryable && e.retryAfterMs === 3000);
  server.faults.push({ type: 'status', status: 503 });
  await assert.rejects(call(model), (e: unknown) => e instanceof ProviderError && e.status === 503 && e.retryable);
  server.faults.push({ type: 'status', status: 403 });
  await assert.rejects(call(model), (e: unknown) => e instanceof ProviderError && e.status === 403 && !e.retryable);
  server.faults.push({ type: 'malformed-json' });
  await assert.rejects(call(model), (e: unknown) => e instanceof ProviderError && e.code === 'VAFLOW_BAD_RESPONSE' && e.retryable);
  server.faults.push({ type: 'empty-choices' });
  await assert.rejects(call(model), (e: unknown) => e instanceof ProviderError && e.code === 'VAFLOW_BAD_RESPONSE' && /empty choice list/.test(e.message));
  server.faults.push({ type: 'disconnect' });
  await assert.rejects(call(model), (e: unknown) => e instanceof ProviderError && e.code === 'VAFLOW_NETWORK' && e.retryable);
});

/** A loader hook under which node-llama-cpp cannot be resolved, as after `npm ci --omit=optional`. */
const WITHOUT_NODE_LLAMA_CPP = `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'node-llama-cpp' || specifier.startsWith('node-llama-cpp/')) {
    const error = new Error("Cannot find package '" + specifier + "'");
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`)}`;

test('llamacpp: a missing node-llama-cpp is a ConfigError with the install command', async () => {
  // From here on this test file's process cannot resolve node-llama-cpp, installed or not.
  register(WITHOUT_NODE_LLAMA_CPP);
  assert.equal(await hasNodeLlamaCpp(), false);
  const gguf = new URL(import.meta.url).pathname; // any existing file: the package check comes before loading
  await assert.rejects(createChatProvider({ id: 'local', provider: 'llamacpp', model: gguf }, { env: {}, specDir: '/' }),
    (e: unknown) => e instanceof ConfigError && e.message.includes(`npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`));
  await assert.rejects(createChatProvider({ id: 'local', provider: 'llamacpp', model: 'missing.gguf' }, { env: {}, specDir: '/tmp' }),
    (e: unknown) => e instanceof ConfigError && /GGUF file not found/.test(e.message));
});

test('the circumplex baseline has no chat model', async () => {
  await assert.rejects(createChatProvider({ id: 'c', provider: 'circumplex' }, { env: {}, specDir: '/' }), ConfigError);
});
