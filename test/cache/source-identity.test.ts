import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { modelSource, embedderSource, renderedRequest } from '../../src/providers/identity.js';
import { OLLAMA_DEFAULT_BASE_URL } from '../../src/providers/chat/base-url.js';
import { FileDigests } from '../../src/cache/file-digest.js';
import { ConfigError } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';

const digests = new FileDigests(null);
const context = (env: Record<string, string> = {}, specDir = '/') => ({ env, specDir, digests });

test('the base URL is the one the client uses: the entry, else OPENAI_API_BASE / OPENAI_BASE_URL, else api.openai.com; Ollama\'s default', async () => {
  const openai = { id: 'm', provider: 'openai' as const, model: 'gpt-4o-mini' };
  assert.deepEqual(await modelSource(openai, context()), { baseURL: 'https://api.openai.com/v1' });
  assert.deepEqual(await modelSource(openai, context({ OPENAI_BASE_URL: 'http://b/v1' })), { baseURL: 'http://b/v1' });
  assert.deepEqual(await modelSource(openai, context({ OPENAI_BASE_URL: 'http://b/v1', OPENAI_API_BASE: 'http://a/v1' })), { baseURL: 'http://a/v1' }, 'LangChain reads OPENAI_API_BASE first');
  assert.deepEqual(await modelSource({ ...openai, baseURL: 'http://p/v1' }, context({ OPENAI_BASE_URL: 'http://b/v1' })), { baseURL: 'http://p/v1' });
  const ollama = { id: 'l', provider: 'ollama' as const, model: 'llama3.2' };
  assert.deepEqual(await modelSource(ollama, context({ OPENAI_BASE_URL: 'http://b/v1' })), { baseURL: OLLAMA_DEFAULT_BASE_URL });
  assert.deepEqual(await modelSource({ ...ollama, baseURL: 'http://gpu:11434/v1' }, context()), { baseURL: 'http://gpu:11434/v1' });
  assert.deepEqual(await modelSource({ id: 'c', provider: 'circumplex' }, context()), {});
  assert.deepEqual(await embedderSource({ id: 'e', type: 'openai', model: 'text-embedding-3-small' }, context({ OPENAI_BASE_URL: 'http://b/v1' })), { baseURL: 'http://b/v1' });
});

test('model files are named by digest; a missing one is a ConfigError naming the entry and the file', async () => {
  await withTempDir('sources', async (dir) => {
    mkdirSync(path.join(dir, 'models'));
    writeFileSync(path.join(dir, 'models', 'x.gguf'), 'weights');
    const gguf = await modelSource({ id: 'tiny', provider: 'llamacpp', model: 'models/x.gguf' }, context({}, dir));
    assert.match(gguf.files?.gguf ?? '', /^[0-9a-f]{64}$/);
    await assert.rejects(modelSource({ id: 'tiny', provider: 'llamacpp', model: 'models/gone.gguf' }, context({}, dir)),
      (e: unknown) => e instanceof ConfigError && e.message.includes('models.tiny') && e.message.includes(path.join(dir, 'models', 'gone.gguf')));
    const folder = path.join(dir, 'bert');
    mkdirSync(path.join(folder, 'onnx'), { recursive: true });
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model.onnx_data', 'README.md']) writeFileSync(path.join(folder, name), name);
    const onnx = await embedderSource({ id: 'bert', type: 'onnx', path: folder }, context());
    assert.deepEqual(Object.keys(onnx.files ?? {}), ['config.json', 'onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json', 'tokenizer_config.json'], 'what the embedder reads, external weights included, not the README');
    const useLite = await embedderSource({ id: 'use', type: 'use-lite' }, context());
    assert.ok(Object.keys(useLite.files ?? {}).includes('model.json') && Object.keys(useLite.files ?? {}).some((n) => n.startsWith('group1-shard')));
  });
});

test('the rendered request holds what is sent: no JSON schema for a model that does not ask for one', () => {
  const request = { messages: [{ role: 'user' as const, content: 'valence 0.5' }], jsonSchema: { name: 'l', schema: { type: 'object' } }, signal: new AbortController().signal };
  const openai = { id: 'm', provider: 'openai' as const, model: 'x' };
  assert.deepEqual(renderedRequest(openai, request), { messages: [{ role: 'user', content: 'valence 0.5' }], maxTokens: undefined, jsonSchema: request.jsonSchema });
  assert.equal(renderedRequest({ ...openai, structuredOutput: false }, request).jsonSchema, undefined);
  assert.equal(renderedRequest({ id: 't', provider: 'llamacpp', model: 'x.gguf' }, request).jsonSchema, undefined);
  assert.equal('signal' in renderedRequest(openai, request), false);
});
