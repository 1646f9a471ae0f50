import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createHttpTransport } from '../../../src/providers/chat/http-fetch.js';

/**
 * The transport hands node:http its headers as a list (headerLines in http-fetch.ts), which Node
 * writes as given, adding nothing of its own but Connection; the oracle here is Node itself: the
 * bytes http.request writes for the same headers given as an object, on a keep-alive agent, as the
 * transport did before.
 */

/** A raw TCP server that keeps each request's head (request line and header lines, as bytes) and answers 200. */
async function headServer(): Promise<{ port: number; heads: string[]; close: () => Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffered = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      heads.push(head);
      buffered = buffered.slice(end + 4 + length);
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}');
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, heads, close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }) };
}

/** What http.request writes for `headers` as an object (the transport's defaults added as it added them). */
function nodeWrites(url: URL, method: string, headers: Record<string, string>, body: string | undefined, agent: http.Agent): Promise<void> {
  const sent: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...headers };
  if (body !== undefined) sent['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const request = http.request({
      hostname: url.hostname, port: Number(url.port), path: `${url.pathname}${url.search}`, method, headers: sent, agent,
      ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
    }, (res) => { res.resume(); res.on('end', resolve); });
    request.on('error', reject);
    request.end(body);
  });
}

test('the transport writes the header bytes http.request writes for the same headers as an object: order, case, Host, Basic auth from the URL, content-length', async () => {
  const server = await headServer();
  const agent = new http.Agent({ keepAlive: true });
  try {
    const base = `127.0.0.1:${server.port}`;
    const cases: { url: string; method: string; headers: Record<string, string>; body?: string }[] = [
      { url: `http://${base}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', 'user-agent': 'OpenAI/JS 5', 'x-stainless-retry-count': '0' }, body: '{"model":"m","messages":[{"content":"é"}]}' },
      { url: `http://us%20er:p%40ss@${base}/v1/models?x=1`, method: 'GET', headers: { accept: 'application/json' } },
      { url: `http://user:pw@${base}/v1/x`, method: 'POST', headers: { authorization: 'Bearer mine', 'accept-encoding': 'identity' }, body: '' },
      { url: `http://${base}/v1/y`, method: 'POST', headers: { host: 'proxy.example:8080', 'content-type': 'text/plain' }, body: 'hi' },
    ];
    const heads: string[] = [];
    for (const [index, c] of cases.entries()) {
      const transport = createHttpTransport();
      // Twice: the second request goes out on the kept-alive socket.
      for (let i = 0; i < 2; i++) await transport.request(new URL(c.url), c.method, c.headers, c.body, undefined);
      await nodeWrites(new URL(c.url), c.method, c.headers, c.body, agent);
      const [first, second, node] = server.heads.splice(0);
      assert.equal(first, node, `case ${index}: the bytes Node writes for the object`);
      assert.equal(second, node, `case ${index}: again, on the kept-alive socket`);
      heads.push(first!);
    }
    // The cases reach each of Node's additions (and its exceptions).
    assert.match(heads[0]!, new RegExp(`\\r\\nHost: ${base}\\r\\nConnection: keep-alive$`));
    assert.match(heads[0]!, /\r\ncontent-length: 43\r\n/);
    assert.match(heads[1]!, new RegExp(`\\r\\nAuthorization: Basic ${Buffer.from('us er:p@ss').toString('base64')}\\r\\n`));
    assert.doesNotMatch(heads[1]!, /content-length/);
    assert.doesNotMatch(heads[2]!, /Basic/);
    assert.match(heads[2]!, /^POST \/v1\/x HTTP\/1.1\r\naccept-encoding: identity\r\nauthorization: Bearer mine\r\ncontent-length: 0\r\n/);
    assert.doesNotMatch(heads[3]!, /\r\nHost:/);
  } finally {
    agent.destroy();
    await server.close();
  }
});

test('a header value with a line break is refused before anything is sent, as http.request refuses it', async () => {
  const server = await headServer();
  try {
    const url = new URL(`http://127.0.0.1:${server.port}/v1/chat/completions`);
    const transport = createHttpTransport();
    const bad = { authorization: 'Bearer sk\r\nx-injected: 1' };
    const ours = await transport.request(url, 'POST', bad, '{}', undefined).then(() => undefined, (e: unknown) => e as NodeJS.ErrnoException);
    const nodes = await nodeWrites(url, 'POST', bad, '{}', new http.Agent()).then(() => undefined, (e: unknown) => e as NodeJS.ErrnoException);
    assert.equal(ours?.code, 'ERR_INVALID_CHAR');
    assert.equal(ours?.code, nodes?.code);
    const badName = await transport.request(url, 'POST', { 'x bad': '1' }, '{}', undefined).then(() => undefined, (e: unknown) => e as NodeJS.ErrnoException);
    assert.equal(badName?.code, 'ERR_INVALID_HTTP_TOKEN');
    assert.deepEqual(server.heads, [], 'nothing reached the server');
  } finally {
    await server.close();
  }
});
