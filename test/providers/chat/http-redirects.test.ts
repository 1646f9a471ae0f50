/**
 * Redirects through vaflow's own node:http transport (src/providers/chat/http-fetch.ts), which
 * replaces fetch on the chat path and must follow them as fetch does: a base URL behind a proxy
 * that redirects (a trailing slash, a moved endpoint) must not turn every call into a failure.
 * Two real loopback servers on different ports are two origins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpTransport } from '../../../src/providers/chat/http-fetch.js';
import { createChatProvider } from '../../../src/providers/chat/registry.js';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly contentType?: string;
  readonly body: string;
}

/** A server that records every request and answers with `route(path)`: a redirect, or JSON. */
async function startServer(route: (path: string, origin: string) => { status: number; location?: string; body?: string }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
      const answer = route(req.url!, origin);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.location ? { location: answer.location } : {}) });
      res.end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const post = { 'content-type': 'application/json', authorization: 'Bearer sk-redirect-test-0000' };
const BODY = '{"model":"m"}';

for (const status of [307, 308]) {
  test(`a ${status} keeps the method, the body and the credentials on the same origin; the answer names the final URL`, async () => {
    const server = await startServer((p) => (p === '/v1/chat' ? { status, location: '/v2/chat' } : { status: 200, body: '{"ok":true}' }));
    try {
      const answer = await createHttpTransport().request(new URL(`${server.origin}/v1/chat`), 'POST', post, BODY, undefined);
      assert.equal(answer.status, 200);
      assert.equal(answer.data.toString(), '{"ok":true}');
      assert.equal(answer.url, `${server.origin}/v2/chat`);
      assert.equal(answer.redirected, true);
      assert.deepEqual(server.seen.map((s) => [s.method, s.path, s.body, s.authorization]), [
        ['POST', '/v1/chat', BODY, post.authorization],
        ['POST', '/v2/chat', BODY, post.authorization],
      ]);
    } finally {
      await server.close();
    }
  });
}

for (const status of [301, 302, 303]) {
  test(`a POST answered ${status} goes on as a GET, without its body or content type (as fetch does)`, async () => {
    const server = await startServer((p) => (p === '/v1/chat' ? { status, location: '/moved' } : { status: 200 }));
    try {
      const answer = await createHttpTransport().request(new URL(`${server.origin}/v1/chat`), 'POST', post, BODY, undefined);
      assert.equal(answer.status, 200);
      const [, second] = server.seen;
      assert.deepEqual([second.method, second.path, second.body, second.contentType], ['GET', '/moved', '', undefined]);
    } finally {
      await server.close();
    }
  });
}

test('a redirect to another origin drops the Authorization header and uses an absolute Location as given', async () => {
  const target = await startServer(() => ({ status: 200, body: '{"there":true}' }));
  const source = await startServer(() => ({ status: 307, location: `${target.origin}/elsewhere?x=1` }));
  try {
    const answer = await createHttpTransport().request(new URL(`${source.origin}/v1/chat`), 'POST', post, BODY, undefined);
    assert.equal(answer.data.toString(), '{"there":true}');
    assert.equal(answer.url, `${target.origin}/elsewhere?x=1`);
    assert.equal(source.seen[0].authorization, post.authorization);
    assert.deepEqual(target.seen.map((s) => [s.method, s.path, s.body, s.authorization]), [['POST', '/elsewhere?x=1', BODY, undefined]]);
  } finally {
    await source.close();
    await target.close();
  }
});

test('a 3xx without a Location is an answer, not a redirect; a plain answer is not redirected', async () => {
  const server = await startServer((p) => (p === '/three' ? { status: 304 } : { status: 200 }));
  try {
    const transport = createHttpTransport();
    const notModified = await transport.request(new URL(`${server.origin}/three`), 'GET', {}, undefined, undefined);
    assert.deepEqual([notModified.status, notModified.redirected, server.seen.length], [304, false, 1]);
    const plain = await transport.request(new URL(`${server.origin}/plain`), 'GET', {}, undefined, undefined);
    assert.deepEqual([plain.status, plain.redirected, plain.url], [200, false, `${server.origin}/plain`]);
  } finally {
    await server.close();
  }
});

test('a redirect loop fails like fetch after 20 redirects (21 requests), a network error', async () => {
  const server = await startServer((p) => ({ status: 302, location: p === '/a' ? '/b' : '/a' }));
  try {
    await assert.rejects(createHttpTransport().request(new URL(`${server.origin}/a`), 'GET', {}, undefined, undefined), (error: unknown) =>
      error instanceof TypeError && error.message === 'fetch failed' && /redirect count exceeded/.test(String((error as { cause?: unknown }).cause)));
    assert.equal(server.seen.length, 21);
  } finally {
    await server.close();
  }
});

test('the SDK-facing fetch follows redirects too: Response.url and redirected are the final ones', async () => {
  const server = await startServer((p) => (p === '/old' ? { status: 308, location: '/new' } : { status: 200, body: '{"n":1}' }));
  try {
    const response = await createHttpTransport().fetch(`${server.origin}/old`, { method: 'POST', headers: post, body: BODY });
    assert.deepEqual([response.status, response.url, response.redirected], [200, `${server.origin}/new`, true]);
    assert.deepEqual(await response.json(), { n: 1 });
  } finally {
    await server.close();
  }
});

test('a chat model whose base URL redirects (a proxy moved the API) still gets its answer, sent once to the new place', async () => {
  const completion = JSON.stringify({
    id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-test',
    choices: [{ index: 0, message: { role: 'assistant', content: 'happiness' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
  });
  const server = await startServer((p) => (p.startsWith('/old/') ? { status: 308, location: p.replace('/old/', '/v1/') } : { status: 200, body: completion }));
  try {
    const chat = await createChatProvider({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: `${server.origin}/old` }, { env: {}, specDir: process.cwd() });
    const answer = await chat.call({ messages: [{ role: 'user', content: 'Valence 0.8, arousal 0.3.' }], signal: new AbortController().signal });
    assert.equal(answer.text, 'happiness');
    assert.deepEqual(server.seen.map((s) => [s.method, s.path]), [['POST', '/old/chat/completions'], ['POST', '/v1/chat/completions']]);
    assert.deepEqual(JSON.parse(server.seen[1].body).messages, JSON.parse(server.seen[0].body).messages, 'the redirected request carries the same prompt');
  } finally {
    await server.close();
  }
});
