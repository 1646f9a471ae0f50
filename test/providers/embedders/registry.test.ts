import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmbedder } from '../../../src/providers/embedders/registry.js';
import { cosine } from '../../../src/providers/embedders/vector-math.js';
import { ConfigError, ProviderError } from '../../../src/errors.js';
import { packageRoot } from '../../../src/util/paths.js';
import { bundledVectorDir } from '../../helpers/vector-cache.js';
import { startOpenAIServer } from '../../helpers/openai-server.js';

/** The bundled vectors' binary form, prepared once per suite run (test/helpers/vector-cache.ts). */
const VECTOR_CACHE = bundledVectorDir();
const options = { specDir: packageRoot, env: {}, cacheDir: VECTOR_CACHE };

async function similarities(embedder: Awaited<ReturnType<typeof createEmbedder>>): Promise<{ joyful: number; table: number; same: number }> {
  const [happy, joyful, table, again] = await embedder.embedWithStats(['happy', 'joyful', 'table', 'happy']);
  const score = (a: typeof happy, b: typeof happy) => {
    assert.ok(a.vector && b.vector);
    const value = cosine(a.vector, b.vector);
    assert.ok(value !== null);
    return value;
  };
  return { joyful: score(happy, joyful), table: score(happy, table), same: score(happy, again) };
}

test('bundled GloVe-derived vectors: "happy" is nearer "joyful" than "table"', async () => {
  const embedder = await createEmbedder({ id: 'glove', type: 'word-vectors' }, options);
  assert.equal(embedder.dimension, 100);
  const s = await similarities(embedder);
  assert.ok(s.joyful > s.table, `happy/joyful ${s.joyful} should beat happy/table ${s.table}`);
  assert.equal(s.same, 1);
  const [sentence] = await embedder.embedWithStats(['The person looks happy and qwzxv']);
  assert.equal(sentence.oovRate, 1 / 4); // person, looks, happy known; qwzxv unknown; the/and dropped
});

test('bundled USE lite: "happy" is nearer "joyful" than "table"; an empty text is reported, not embedded', async () => {
  const embedder = await createEmbedder({ id: 'use', type: 'use-lite' }, options);
  assert.equal(embedder.dimension, 512);
  const s = await similarities(embedder);
  assert.ok(s.joyful > s.table, `happy/joyful ${s.joyful} should beat happy/table ${s.table}`);
  assert.ok(Math.abs(s.same - 1) < 1e-6);
  const [empty] = await embedder.embedWithStats(['']);
  assert.deepEqual(empty, { vector: null, reason: 'empty text' });
});

test('openai: an OpenAI-compatible server by baseURL, key from the named variable, one batched request', async () => {
  const server = await startOpenAIServer({ embeddingDimensions: 8 });
  try {
    const entry = { id: 'oa', type: 'openai', model: 'test-embedding', baseURL: server.url, apiKeyEnv: 'TEST_EMBED_KEY' } as const;
    const embedder = await createEmbedder(entry, { ...options, env: { TEST_EMBED_KEY: 'sk-test' } });
    const [a, b, c, empty] = await embedder.embedWithStats(['a calm face', 'an angry face', 'a calm face', '']);
    assert.equal(server.requests.embeddings, 1, 'one batched request');
    assert.equal(server.requests.authorizations[0], 'Bearer sk-test');
    assert.equal(a.vector?.length, 8);
    assert.equal(cosine(a.vector!, c.vector!), 1);
    assert.ok(cosine(a.vector!, b.vector!)! < 1);
    assert.equal(empty.vector, null);

  } finally {
    await server.close();
  }
});

test('openai: failures are ProviderErrors classified by HTTP status, with Retry-After, and never retried inside LangChain', async () => {
  const statuses = [429, 401];
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    const status = statuses.shift() ?? 500;
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after-ms': '250' } : {}) });
    res.end(JSON.stringify({ error: { message: 'refused', type: 'test' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const embedder = await createEmbedder({ id: 'oa', type: 'openai', model: 'm', baseURL: `http://127.0.0.1:${port}/v1` }, { ...options, env: { OPENAI_API_KEY: 'k' } });
    await assert.rejects(embedder.embedWithStats(['x']), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.status, 429);
      assert.equal(error.retryable, true);
      assert.equal(error.retryAfterMs, 250);
      return true;
    });
    await assert.rejects(embedder.embedWithStats(['x']), (error: unknown) => error instanceof ProviderError && error.retryable === false && error.status === 401);
    assert.equal(requests, 2);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('configuration problems are ConfigErrors naming the entry', async () => {
  await assert.rejects(createEmbedder({ id: 'oa', type: 'openai', model: 'm' }, options), (error: unknown) => error instanceof ConfigError && /embedders\.oa: environment variable OPENAI_API_KEY is not set/.test(error.message));
  await assert.rejects(createEmbedder({ id: 'oa', type: 'openai' }, options), /embedders\.oa: type openai needs `model`/);
  await assert.rejects(createEmbedder({ id: 'wv', type: 'word-vectors', path: 'no/such/file.txt' }, options), /no\/such\/file\.txt: word-vector file not found/);
});
