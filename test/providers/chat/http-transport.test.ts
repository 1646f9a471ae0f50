import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createChatProvider } from '../../../src/providers/chat/registry.js';
import { STALE_AFTER_MS } from '../../../src/providers/chat/http-fetch.js';
import { ProviderError } from '../../../src/errors.js';
import { DEFAULT_RETRY_POLICY, RetryBudget, withRetries } from '../../../src/scheduler/retry.js';

/**
 * What the server does when the next request arrives on a connection that already answered one:
 * `close` destroys it at the request's first bytes without a byte of answer (a server closing an
 * idle keep-alive socket just as the client reuses it); `partial-head` and `partial-body` send the
 * start of an answer (part of the status line and headers, or the headers and part of the body)
 * and then destroy it. `close-all` destroys every connection at its first request's first bytes.
 */
type OnReuse = 'close' | 'partial-head' | 'partial-body' | 'close-all';

interface ClosingServer {
  readonly url: string;
  /** Connections accepted. */
  readonly connections: () => number;
  /** Requests whose first bytes arrived (answered or not). */
  readonly requests: () => number;
  /** Requests answered in full (paid answers). */
  readonly answered: () => number;
  close(): Promise<void>;
}

const ANSWER = JSON.stringify({
  id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: 'happiness' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
});

/**
 * A loopback HTTP/1.1 server written on raw sockets, so the test decides exactly when a connection
 * dies: it answers the first request of each connection with a chat completion (keep-alive), and
 * treats the first bytes of a second request on that connection as `onReuse` says.
 */
async function startClosingServer(onReuse: OnReuse): Promise<ClosingServer> {
  let connections = 0;
  let requests = 0;
  let answered = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    let served = 0;
    socket.on('data', (chunk: Buffer) => {
      if (buffered === '') requests++;
      if (served > 0 || onReuse === 'close-all') {
        if (onReuse === 'partial-head') socket.write('HTTP/1.1 200 OK\r\ncontent-type: appl');
        if (onReuse === 'partial-body') socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${ANSWER.length}\r\n\r\n${ANSWER.slice(0, 20)}`);
        // Give the partial answer to the kernel before the connection goes (close has nothing to give).
        setImmediate(() => socket.destroy());
        return;
      }
      buffered += chunk.toString('latin1');
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? 0);
      if (buffered.length < headEnd + 4 + length) return;
      buffered = '';
      served++;
      answered++;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(ANSWER)}\r\nconnection: keep-alive\r\n\r\n${ANSWER}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    connections: () => connections,
    requests: () => requests,
    answered: () => answered,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

const messages = [{ role: 'user' as const, content: 'Valence 0.8, arousal 0.3.' }];

/** Lets the kept-alive socket sit idle long enough that a server could have closed it for idleness. */
const idle = () => new Promise((resolve) => setTimeout(resolve, STALE_AFTER_MS + 100));

async function provider(url: string) {
  return createChatProvider({ id: 'm', provider: 'openai', model: 'gpt-test', baseURL: url }, { env: {}, specDir: process.cwd() });
}

/** One call through the engine's retry layer, as an item makes it; counts the retries it took. */
async function callWithRetries(chat: Awaited<ReturnType<typeof provider>>): Promise<{ text: string; retries: number }> {
  let retries = 0;
  const { value } = await withRetries((signal) => chat.call({ messages, signal }), {
    policy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 1 },
    budget: new RetryBudget(100),
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    onRetry: () => retries++,
  });
  return { text: value.text, retries };
}

test('a kept-alive socket the server closed as the next request went out: sent again once on a new socket, one answer paid, no retry counted', async () => {
  const server = await startClosingServer('close');
  try {
    const chat = await provider(server.url);
    assert.equal((await callWithRetries(chat)).text, 'happiness');
    assert.equal(server.connections(), 1);
    await idle();
    const second = await callWithRetries(chat);
    assert.deepEqual(second, { text: 'happiness', retries: 0 }, 'the call succeeds without the retry layer seeing a failure');
    assert.equal(server.requests(), 3, 'the second request reached the dead socket, then a new one');
    assert.equal(server.connections(), 2, 'it was sent again on a new connection');
    assert.equal(server.answered(), 2, 'one answer per call: nothing paid twice');
  } finally {
    await server.close();
  }
});

for (const onReuse of ['partial-head', 'partial-body'] as const) {
  test(`a reset after the answer began (${onReuse}) is not sent again by the transport: the call fails as a network error`, async () => {
    const server = await startClosingServer(onReuse);
    try {
      const chat = await provider(server.url);
      await chat.call({ messages, signal: new AbortController().signal });
      await idle();
      await assert.rejects(chat.call({ messages, signal: new AbortController().signal }),
        (error: unknown) => error instanceof ProviderError && error.code === 'VAFLOW_NETWORK' && error.retryable);
      assert.equal(server.requests(), 2, 'the request was sent once: the server may have done the work');
      assert.equal(server.connections(), 1);
    } finally {
      await server.close();
    }
  });
}

test('a reset before any answer on a new connection is not sent again by the transport (only a reused socket can be a stale one)', async () => {
  const server = await startClosingServer('close-all');
  try {
    const chat = await provider(server.url);
    await assert.rejects(chat.call({ messages, signal: new AbortController().signal }),
      (error: unknown) => error instanceof ProviderError && error.code === 'VAFLOW_NETWORK');
    assert.equal(server.requests(), 1);
    assert.equal(server.connections(), 1);
  } finally {
    await server.close();
  }
});

test('a reset before any answer on a socket reused at once is the server failing the request: not sent again, a network error the engine retries and counts', async () => {
  const server = await startClosingServer('close');
  try {
    const chat = await provider(server.url);
    assert.equal((await callWithRetries(chat)).text, 'happiness');
    const second = await callWithRetries(chat);
    assert.deepEqual(second, { text: 'happiness', retries: 1 });
    assert.equal(server.requests(), 3);
    assert.equal(server.connections(), 2);
  } finally {
    await server.close();
  }
});
