import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { langchainOpenAI } from '../../../src/providers/langchain-openai.js';
import { AnswerCompletions } from '../../../src/providers/chat/answer-completions.js';
import { createHttpTransport } from '../../../src/providers/chat/http-fetch.js';

// The build of @langchain/openai that openai-chat.ts uses (see langchain-openai.ts).
const { ChatOpenAI } = langchainOpenAI;

interface Seen { readonly method: string; readonly url: string; readonly headers: http.IncomingHttpHeaders; readonly body: string }

const ANSWER = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: 'happiness' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
};

/** Records every request as it arrived and answers it with `reply` (status, body, headers). */
async function recordingServer(reply: () => { status: number; body: string; headers?: Record<string, string> }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const { status, body: text, headers } = reply();
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_1', ...headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, seen, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** ChatOpenAI over AnswerCompletions, configured as openai-chat.ts does; `direct` gives the completions the transport. */
function client(url: string, direct: boolean) {
  const transport = createHttpTransport();
  const fields = {
    model: 'gpt-test', apiKey: 'sk-test', configuration: { baseURL: url, fetch: transport.fetch }, maxRetries: 0,
    temperature: 0, maxTokens: 5, useResponsesApi: false, __includeRawResponse: true,
  };
  const completions = new AnswerCompletions(fields);
  const statuses: number[] = [];
  completions.onResponse = (_signal, status, headers) => statuses.push(status, Number(headers.get('x-ratelimit-remaining-requests')));
  if (direct) completions.transport = transport;
  return { chat: new ChatOpenAI({ ...fields, completions }), statuses };
}

const messages = [[{ role: 'user', content: 'Valence 0.8, arousal 0.3.' }]];

test('the direct path sends the request the openai SDK sends (method, URL, every header, the body) and LangChain reads the answer the same', async () => {
  const server = await recordingServer(() => ({ status: 200, body: JSON.stringify(ANSWER), headers: { 'x-ratelimit-remaining-requests': '41' } }));
  try {
    const results = [];
    for (const direct of [false, true]) {
      const { chat, statuses } = client(server.url, direct);
      const result = await chat.generate(messages, { signal: new AbortController().signal, seed: 3 });
      results.push({ text: result.generations[0]![0]!.text, llmOutput: result.llmOutput, statuses });
    }
    assert.equal(server.seen.length, 2);
    const [sdk, direct] = server.seen as [Seen, Seen];
    assert.equal(direct.method, sdk.method);
    assert.equal(direct.url, '/v1/chat/completions');
    assert.equal(direct.url, sdk.url);
    assert.deepEqual(direct.headers, sdk.headers, 'same header names and values');
    assert.equal(direct.headers.authorization, 'Bearer sk-test');
    assert.equal(direct.headers['content-type'], 'application/json');
    assert.equal(direct.body, sdk.body);
    assert.equal(JSON.parse(direct.body).seed, 3);
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[1]!.statuses, [200, 41], 'onResponse hears the status and the headers');
  } finally {
    await server.close();
  }
});

test('the direct path fails as the SDK does: an HTTP error is the SDK\'s status error with the server\'s message and headers; a body that is not JSON throws', async () => {
  let reply = { status: 429, body: JSON.stringify({ error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } }), headers: { 'retry-after-ms': '250' } as Record<string, string> };
  const server = await recordingServer(() => reply);
  try {
    const failures = [];
    for (const direct of [false, true]) {
      const { chat, statuses } = client(server.url, direct);
      const error = await chat.generate(messages, { signal: new AbortController().signal }).then(() => undefined, (e: unknown) => e as Error & { status?: number; headers?: Headers });
      assert.ok(error);
      failures.push({ name: error.constructor.name, status: error.status, message: error.message, retryAfterMs: error.headers?.get('retry-after-ms'), statuses });
    }
    assert.deepEqual(failures[1], failures[0]);
    assert.equal(failures[1]!.status, 429);
    assert.match(failures[1]!.message, /slow down/);
    assert.equal(failures[1]!.retryAfterMs, '250');
    reply = { status: 200, body: '{"id": "chatcmpl-1", "choi', headers: {} };
    for (const direct of [false, true]) {
      const { chat } = client(server.url, direct);
      await assert.rejects(chat.generate(messages, { signal: new AbortController().signal }), SyntaxError);
    }
  } finally {
    await server.close();
  }
});
