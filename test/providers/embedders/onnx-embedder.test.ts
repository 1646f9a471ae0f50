import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEmbedder } from '../../../src/providers/embedders/registry.js';
import type { VaflowEmbeddings } from '../../../src/types/embeddings.js';
import { cosine } from '../../../src/providers/embedders/vector-math.js';
import { ConfigError } from '../../../src/errors.js';
import type { ResolvedEmbedder } from '../../../src/types/providers.js';
import { writeTinyBert, type TinyBert, type TinyBertOptions } from './helpers/tiny-bert.js';

const WORDS = ['happy', 'sad', 'face', 'smil', '##ing'];

async function withModel(run: (dir: string, model: TinyBert) => Promise<void>, options: Partial<TinyBertOptions> = {}): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-onnx-'));
  try {
    const model = await writeTinyBert({ dir: path.join(dir, 'tiny-bert'), words: WORDS, hidden: 4, ...options });
    await run(dir, model);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function embed(dir: string, overrides: Partial<ResolvedEmbedder> = {}): Promise<VaflowEmbeddings> {
  return createEmbedder({ id: 'bert', type: 'onnx', path: 'tiny-bert', ...overrides }, { specDir: dir, env: {}, cacheDir: dir });
}

/** Token state by hand: word-table row + token-type-0 row (the model has no layers). */
function state(model: TinyBert, token: string): number[] {
  const id = model.vocab.get(token);
  assert.ok(id !== undefined, token);
  return Array.from({ length: model.hidden }, (_, h) => model.wordTable[id * model.hidden + h] + model.typeTable[h]);
}

function mean(rows: number[][]): number[] {
  return rows[0].map((_, h) => rows.reduce((sum, row) => sum + row[h], 0) / rows.length);
}

function assertClose(actual: Float32Array | null, expected: number[]): void {
  assert.ok(actual, 'expected a vector');
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `component ${i}: ${v} vs ${expected[i]}`));
}

test('mean pooling over WordPiece tokens matches the hand computation, padding excluded by the mask', async () => {
  await withModel(async (dir, model) => {
    const embedder = await embed(dir, { pooling: 'mean', normalize: false });
    // One batch: the first text is padded to the second's 5 tokens.
    const [short, long] = await embedder.embedWithStats(['Happy face', 'sad smiling']);
    assertClose(short.vector, mean(['[CLS]', 'happy', 'face', '[SEP]'].map((t) => state(model, t))));
    assertClose(long.vector, mean(['[CLS]', 'sad', 'smil', '##ing', '[SEP]'].map((t) => state(model, t))));
    assert.equal(embedder.dimension, 4);
  });
});

test('batched and one-by-one embeddings agree', async () => {
  await withModel(async (dir) => {
    const texts = ['happy', 'sad face smiling happy', 'face', 'zebra face'];
    const batched = await (await embed(dir, { batchSize: 32 })).embedWithStats(texts);
    const single = await (await embed(dir, { batchSize: 1 })).embedWithStats(texts);
    batched.forEach((b, i) => assertClose(b.vector, Array.from(single[i].vector ?? [])));
  });
});

test('cls pooling takes the first token; normalize gives unit vectors; identical texts score 1', async () => {
  await withModel(async (dir, model) => {
    const cls = await embed(dir, { pooling: 'cls', normalize: false });
    const [a] = await cls.embedWithStats(['sad face']);
    assertClose(a.vector, state(model, '[CLS]'));
    const normalized = await embed(dir, { pooling: 'mean', normalize: true });
    const [u, v] = await normalized.embedWithStats(['happy face', 'happy face']);
    const length = Math.hypot(...(u.vector ?? []));
    assert.ok(Math.abs(length - 1) < 1e-6);
    assert.equal(cosine(u.vector!, v.vector!), 1);
  });
});

test('maxLength truncates the token sequence', async () => {
  await withModel(async (dir, model) => {
    const embedder = await embed(dir, { pooling: 'mean', normalize: false, maxLength: 3 });
    const [truncated] = await embedder.embedWithStats(['sad smiling face']);
    assertClose(truncated.vector, mean(['[CLS]', 'sad', 'smil'].map((t) => state(model, t))));
  });
});

test('an empty text gives no vector and a reason, never NaN', async () => {
  await withModel(async (dir) => {
    const embedder = await embed(dir);
    const [empty, ok] = await embedder.embedWithStats(['  ', 'happy']);
    assert.deepEqual(empty, { vector: null, reason: 'empty text' });
    assert.ok(ok.vector && ok.vector.every(Number.isFinite));
    assert.deepEqual(await embedder.embedQuery(''), [0, 0, 0, 0]);
  });
});

for (const omit of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const) {
  test(`a folder without ${omit} is a ConfigError naming it`, async () => {
    await withModel(
      async (dir) => {
        await assert.rejects(embed(dir), (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, omit === 'onnx/model.onnx' ? /lacks a model: onnx\/model\.onnx \(Hugging Face layout\) or model\.onnx \(optimum-cli export onnx\)/ : new RegExp(`lacks ${omit.replace('.', '\\.')}`));
          return true;
        });
      },
      { omit },
    );
  });
}

test('malformed JSON, a broken model file and a missing folder are ConfigErrors naming the file', async () => {
  await withModel(async (dir) => {
    await writeFile(path.join(dir, 'tiny-bert', 'config.json'), '{ "hidden_size": ');
    await assert.rejects(embed(dir), /tiny-bert\/config\.json: not valid JSON/);
  });
  await withModel(async (dir) => {
    await writeFile(path.join(dir, 'tiny-bert', 'onnx', 'model.onnx'), 'not a protobuf');
    await assert.rejects(embed(dir), /onnx\/model\.onnx: onnxruntime cannot load the model/);
  });
  await withModel(async (dir) => {
    await assert.rejects(embed(dir, { path: 'nowhere' }), /nowhere: model folder not found/);
    await assert.rejects(createEmbedder({ id: 'x', type: 'onnx' }, { specDir: dir, env: {}, cacheDir: dir }), /embedders\.x: type onnx needs `path`/);
  });
});

/** The hand-computed mean-pooled vector of `text`'s tokens under `model` (no normalisation). */
function expectedMean(model: TinyBert, tokens: readonly string[]): number[] {
  return mean(['[CLS]', ...tokens, '[SEP]'].map((t) => state(model, t)));
}

test('folder layouts as exporters write them: onnx/model.onnx, optimum-cli\'s model.onnx at the top, quantized variants chosen by `file`', async () => {
  await withModel(async (dir) => {
    // optimum-cli export onnx: the model beside config.json.
    const root = await writeTinyBert({ dir: path.join(dir, 'optimum'), words: WORDS, hidden: 4, seed: 2, modelFile: 'model.onnx' });
    const [a] = await (await embed(dir, { path: 'optimum', normalize: false })).embedWithStats(['happy face']);
    assertClose(a.vector, expectedMean(root, ['happy', 'face']));

    // A sentence-transformers folder: onnx/model.onnx plus quantized exports with other weights.
    const plain = await writeTinyBert({ dir: path.join(dir, 'st'), words: WORDS, hidden: 4, seed: 3 });
    const quantized = await writeTinyBert({ dir: path.join(dir, 'st'), words: WORDS, hidden: 4, seed: 4, modelFile: 'onnx/model_quantized.onnx' });
    const avx512 = await writeTinyBert({ dir: path.join(dir, 'st'), words: WORDS, hidden: 4, seed: 5, modelFile: 'onnx/model_qint8_avx512.onnx' });
    const vector = async (file?: string) => (await (await embed(dir, { path: 'st', normalize: false, ...(file ? { file } : {}) })).embedWithStats(['sad face']))[0].vector;
    assertClose(await vector(), expectedMean(plain, ['sad', 'face']));
    assertClose(await vector('onnx/model_quantized.onnx'), expectedMean(quantized, ['sad', 'face']));
    assertClose(await vector('model_qint8_avx512.onnx'), expectedMean(avx512, ['sad', 'face']));
  });
});

test('an ambiguous, missing or escaping model file is a ConfigError that lists what the folder holds', async () => {
  await withModel(async (dir) => {
    await writeTinyBert({ dir: path.join(dir, 'tiny-bert'), words: WORDS, hidden: 4, modelFile: 'model.onnx' });
    await assert.rejects(embed(dir), /tiny-bert: the model folder holds both onnx\/model\.onnx and model\.onnx: say which with `file:`/);
    await assert.rejects(embed(dir, { file: 'model.onnx' }), /file "model\.onnx" is ambiguous: the folder holds both model\.onnx and onnx\/model\.onnx/);
    assert.ok(await embed(dir, { file: 'onnx/model.onnx' }));
    await assert.rejects(embed(dir, { file: 'model_O4.onnx' }), /lacks model_O4\.onnx \(and onnx\/model_O4\.onnx\); the folder holds model\.onnx, onnx\/model\.onnx/);
    await assert.rejects(embed(dir, { file: '../elsewhere.onnx' }), ConfigError);
    await assert.rejects(embed(dir, { file: '../elsewhere.onnx' }), /expected a path inside the model folder/);
  });
});
