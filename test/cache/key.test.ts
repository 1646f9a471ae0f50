import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemCacheKey, itemCacheKeyFor, modelIdentity, embedderIdentity, embeddingCacheKey, chatCacheKey, chatCacheKeyFor } from '../../src/cache/key.js';
import { createHash } from 'node:crypto';
import { canonicalJson, hashJson, sha256 } from '../../src/util/hash.js';

const model = { provider: 'openai', model: 'gpt-4o-mini', baseURL: 'http://127.0.0.1:1/v1', temperature: 0, topP: 1, maxTokens: 20, seed: 7, apiKeyEnv: 'OPENAI_API_KEY' };
const record = { id: 'a', coords: { variant: 'numeric' }, node: 'prompts', messages: [{ role: 'user', content: 'valence 0.5' }] };
const keyOf = (over: { model?: object; record?: object; repeat?: number; params?: object; version?: string } = {}) =>
  itemCacheKey({
    kind: 'classify',
    kindVersion: over.version ?? '1',
    params: over.params ?? { labels: 'basic7' },
    identity: { model: modelIdentity({ ...model, ...(over.model ?? {}) }) },
    inputHash: hashJson(over.record ?? record),
    repeat: over.repeat ?? 0,
  });

test('canonical JSON ignores key order and undefined fields', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: undefined, b: [3, { z: 1, y: 2 }] } }), '{"a":{"b":[3,{"y":2,"z":1}],"d":2},"b":1}');
});

test('everything that decides an answer changes the key', () => {
  const base = keyOf();
  const changed = {
    model: keyOf({ model: { model: 'gpt-4o' } }),
    provider: keyOf({ model: { provider: 'ollama' } }),
    temperature: keyOf({ model: { temperature: 0.7 } }),
    topP: keyOf({ model: { topP: 0.9 } }),
    maxTokens: keyOf({ model: { maxTokens: 21 } }),
    seed: keyOf({ model: { seed: 8 } }),
    baseURL: keyOf({ model: { baseURL: 'http://127.0.0.1:2/v1' } }),
    prompt: keyOf({ record: { ...record, messages: [{ role: 'user', content: 'valence 0.6' }] } }),
    input: keyOf({ record: { ...record, id: 'b' } }),
    repeat: keyOf({ repeat: 1 }),
    params: keyOf({ params: { labels: 'emotic26' } }),
    logicVersion: keyOf({ version: '2' }),
  };
  for (const [what, key] of Object.entries(changed)) assert.notEqual(key, base, `${what} must change the key`);
  assert.equal(new Set(Object.values(changed)).size, Object.keys(changed).length);
});

test('the API key variable, price and limits never enter the key', () => {
  const base = keyOf();
  assert.equal(keyOf({ model: { apiKeyEnv: 'OTHER_KEY' } }), base);
  assert.equal(keyOf({ model: { price: { inputPerMTok: 1 } } }), base);
  assert.equal(JSON.stringify(modelIdentity(model)).includes('OPENAI_API_KEY'), false);
});

test('embedding keys depend on embedder identity and text, not batch size', () => {
  const e = { type: 'onnx', path: '/m', pooling: 'mean', normalize: true, maxLength: 128 };
  const k = embeddingCacheKey(embedderIdentity(e), 'hello');
  assert.equal(embeddingCacheKey(embedderIdentity({ ...e, batchSize: 1 } as typeof e), 'hello'), k);
  assert.notEqual(embeddingCacheKey(embedderIdentity({ ...e, pooling: 'cls' }), 'hello'), k);
  assert.notEqual(embeddingCacheKey(embedderIdentity(e), 'hello!'), k);
});

test('the per-task key factory gives exactly itemCacheKey', () => {
  const base = { kind: 'classify', kindVersion: '1', params: { labels: 'basic7', z: [1, { b: 2, a: undefined }] }, identity: { model: modelIdentity(model), embedder: undefined } };
  const keyFor = itemCacheKeyFor(base);
  for (const [hash, repeat] of [['abc', 0], ['d"e', 3]] as const) assert.equal(keyFor(hash, repeat), itemCacheKey({ ...base, inputHash: hash, repeat }));
});

test('the per-model chat key factory gives exactly chatCacheKey', () => {
  const identities = [modelIdentity(model), modelIdentity({ ...model, structuredOutput: false, temperature: undefined }), { provider: 'openai', z: ['é', { b: 'x"y', a: undefined }] }];
  const requests = [
    { messages: [{ role: 'user', content: 'valence 0.5' }], maxTokens: undefined, jsonSchema: undefined },
    { messages: [{ role: 'system', content: 'be "brief"\n' }, { role: 'user', content: [{ type: 'text', text: '😀' }] }], maxTokens: 7, jsonSchema: { type: 'object', required: ['label'] } },
  ];
  for (const identity of identities) {
    const keyFor = chatCacheKeyFor(identity);
    for (const request of requests) {
      for (const [repeat, occurrence] of [[0, 0], [2, 0], [0, 3], [1, 1]] as const) {
        assert.equal(keyFor(request, repeat, occurrence), chatCacheKey({ identity, request, repeat, occurrence }));
      }
    }
  }
});

test('canonicalJson writes the bytes JSON.stringify writes for every string, escapes and lone surrogates included', () => {
  // Keys and values with everything JSON.stringify escapes (quote, backslash, controls, lone surrogates) and what it leaves alone.
  const texts = ['plain', 'é', 'a"b', 'back\\slash', 'tab\tnew\nline', '\u0000\u001f', '\u007f', '\u2028\u2029', '\ud83d', '\ude00x', '😀', '</script>', ''];
  for (const text of texts) {
    assert.equal(canonicalJson(text), JSON.stringify(text), text);
    assert.equal(canonicalJson({ [text]: text }), JSON.stringify({ [text]: text }), text);
  }
  assert.equal(canonicalJson([1.5, -0, 1e21, 5e-7, NaN, -Infinity, true, false]), JSON.stringify([1.5, -0, 1e21, 5e-7, NaN, -Infinity, true, false]));
  // Frozen quirks of the first version, which every stored key was hashed with: a hole is written as nothing, a boxed primitive as {}.
  // eslint-disable-next-line no-sparse-arrays
  assert.equal(canonicalJson([1, , 3]), '[1,,3]');
  assert.equal(canonicalJson({ a: new Number(3) }), '{"a":{}}');
  assert.throws(() => canonicalJson({ a: 1n }), TypeError);
});

test('sha256 is the hex SHA-256 of the UTF-8 bytes, for strings and bytes', () => {
  for (const input of ['', 'abc', 'é😀', new Uint8Array([0, 1, 255])]) assert.equal(sha256(input), createHash('sha256').update(input).digest('hex'));
});

test('a resolved source replaces paths by file digests and names the base URL the client uses', () => {
  const gguf = (path: string, digest: string) => modelIdentity({ provider: 'llamacpp', model: path, resolved: { files: { gguf: digest } } });
  assert.deepEqual(gguf('a/m.gguf', 'd1'), gguf('b/other.gguf', 'd1'), 'the same bytes anywhere are the same model');
  assert.notDeepEqual(gguf('a/m.gguf', 'd1'), gguf('a/m.gguf', 'd2'), 'other bytes at the same path are another model');
  assert.equal(modelIdentity({ provider: 'openai', model: 'x', resolved: { baseURL: 'http://env/v1' } }).baseURL, 'http://env/v1');
  const onnx = (path: string, files: Record<string, string>) => embedderIdentity({ type: 'onnx', path, resolved: { files } });
  assert.deepEqual(onnx('/a', { 'onnx/model.onnx': 'x' }), onnx('/b', { 'onnx/model.onnx': 'x' }));
  assert.notDeepEqual(onnx('/a', { 'onnx/model.onnx': 'x' }), onnx('/a', { 'onnx/model.onnx': 'y' }));
});

test('chat keys: the request, the identity, the sample and the occurrence decide; structuredOutput is identity', () => {
  const request = { messages: [{ role: 'user', content: 'hi' }] };
  const base = { identity: modelIdentity(model), request, repeat: 0, occurrence: 0 };
  const key = chatCacheKey(base);
  assert.equal(chatCacheKey({ ...base, request: { messages: [{ role: 'user', content: 'hi' }] } }), key);
  for (const changed of [
    { ...base, request: { messages: [{ role: 'user', content: 'hello' }] } },
    { ...base, repeat: 1 },
    { ...base, occurrence: 1 },
    { ...base, identity: modelIdentity({ ...model, structuredOutput: false }) },
    { ...base, identity: modelIdentity({ ...model, temperature: 1 }) },
  ]) assert.notEqual(chatCacheKey(changed), key);
});

// Written against survivors of `npm run mutate -- cache-key` (issue 19).

test('canonicalJson writes what JSON.stringify writes, keys sorted: null, dropped functions and symbols, toJSON, holes as null', () => {
  const value = { n: null, f: () => 1, s: Symbol('x'), d: new Date(Date.UTC(2026, 0, 2)), list: [1, undefined, () => 2, Symbol('y'), null], z: { toJSON: () => ({ b: 2, a: 1 }) } };
  assert.equal(canonicalJson(value), '{"d":"2026-01-02T00:00:00.000Z","list":[1,null,null,null,null],"n":null,"z":{"a":1,"b":2}}');
  assert.equal(canonicalJson(value), JSON.stringify({ d: value.d, list: value.list, n: null, z: { a: 1, b: 2 } }));
  assert.equal(canonicalJson(null), 'null');
  assert.equal(canonicalJson(undefined), 'null', 'nothing hashes as null, never as the string "undefined"');
  assert.equal(canonicalJson(() => 1), 'null');
});

test('cache keys of a fixed request are stable: a changed layout must bump CACHE_FORMAT_VERSION (every cached answer would be paid again silently)', () => {
  // Update these together with a CACHE_FORMAT_VERSION bump, never alone.
  assert.equal(chatCacheKey({ identity: { provider: 'openai', model: 'gpt-4o-mini' }, request: { messages: [{ role: 'user', content: 'valence 0.5' }] }, repeat: 0, occurrence: 0 }),
    '7666566a503951b2a9790bb3305d42c7623f96722bd51e8edc2ef3f2d26d81d0');
  assert.equal(embeddingCacheKey({ type: 'openai', model: 'text-embedding-3-small' }, 'a smiling face'),
    'c49f7c76497db415bea28a87bac9bde1556a3af604f3d213e7897cd44cc5a5a2');
});

test('embedderIdentity keeps the configured base URL when none was resolved, and the resolved one when it was', () => {
  assert.equal(embedderIdentity({ type: 'openai', model: 'e', baseURL: 'http://127.0.0.1:9/v1' }).baseURL, 'http://127.0.0.1:9/v1');
  assert.equal(embedderIdentity({ type: 'openai', model: 'e', baseURL: 'http://127.0.0.1:9/v1', resolved: { baseURL: 'http://127.0.0.1:7/v1' } }).baseURL, 'http://127.0.0.1:7/v1');
});
