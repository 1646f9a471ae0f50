import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEmbedder } from '../../../src/providers/embedders/registry.js';
import { cosine } from '../../../src/providers/embedders/vector-math.js';
import type { ResolvedEmbedder } from '../../../src/types/providers.js';
import { writeGloveText } from './helpers/vector-files.js';

async function toyEmbedder(overrides: Partial<ResolvedEmbedder> = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-wve-'));
  await writeGloveText(path.join(dir, 'toy.txt'));
  const embedder = await createEmbedder({ id: 'toy', type: 'word-vectors', path: 'toy.txt', ...overrides }, { specDir: dir, env: {}, cacheDir: path.join(dir, 'vectors') });
  return { embedder, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

test('mean-pools known words after dropping stop-words; cosines match the hand values', async () => {
  const { embedder, cleanup } = await toyEmbedder();
  try {
    const [happy, joyful, table, both] = await embedder.embedWithStats(['The happy!', 'joyful', 'TABLE', 'happy table']);
    assert.deepEqual(Array.from(happy.vector ?? []), [1, 0, 0]); // "the" dropped
    assert.ok(Math.abs(cosine(happy.vector!, joyful.vector!)! - 0.8) < 1e-6);
    assert.equal(cosine(happy.vector!, table.vector!), 0);
    assert.deepEqual(Array.from(both.vector ?? []), [0.5, 0, 0.5]);
    assert.equal(happy.oovRate, 0);
    assert.equal(embedder.dimension, 3);
  } finally {
    await cleanup();
  }
});

test('identical texts score exactly 1', async () => {
  const { embedder, cleanup } = await toyEmbedder();
  try {
    const [a, b] = await embedder.embedWithStats(['a joyful café table', 'a joyful café table']);
    assert.equal(cosine(a.vector!, b.vector!), 1);
  } finally {
    await cleanup();
  }
});

test('OOV rate counts unknown content words; unknown-only and empty texts give no vector and a reason', async () => {
  const { embedder, cleanup } = await toyEmbedder();
  try {
    const [half, unknown, empty, punctuation] = await embedder.embedWithStats(['happy zebra', 'zebra giraffe', '', ' ... ']);
    assert.equal(half.oovRate, 0.5);
    assert.deepEqual(Array.from(half.vector ?? []), [1, 0, 0]);
    assert.deepEqual(unknown, { vector: null, oovRate: 1, reason: 'no known words' });
    assert.deepEqual(empty, { vector: null, oovRate: null, reason: 'empty text' });
    assert.deepEqual(punctuation, { vector: null, oovRate: null, reason: 'empty text' });
    // LangChain's interface has no "no vector": the zero vector, never NaN.
    assert.deepEqual(await embedder.embedQuery('zebra'), [0, 0, 0]);
  } finally {
    await cleanup();
  }
});

test('a compound unknown as a whole pools its known parts', async () => {
  const { embedder, cleanup } = await toyEmbedder();
  try {
    const [compound] = await embedder.embedWithStats(['Well-being']);
    assert.deepEqual(Array.from(compound.vector ?? []), [0, 0.5, 0.5]);
    assert.equal(compound.oovRate, 0);
  } finally {
    await cleanup();
  }
});

test('stopWords: false keeps function words; a text of only stop-words is pooled over all of them', async () => {
  const { embedder, cleanup } = await toyEmbedder({ stopWords: false });
  const defaults = await toyEmbedder();
  try {
    const [withThe] = await embedder.embedWithStats(['the happy']);
    assert.deepEqual(Array.from(withThe.vector ?? []), [3, 2.5, 2.5]);
    const [onlyThe] = await defaults.embedder.embedWithStats(['The']);
    assert.deepEqual(Array.from(onlyThe.vector ?? []), [5, 5, 5]);
  } finally {
    await cleanup();
    await defaults.cleanup();
  }
});

test('identity holds what decides the vectors, not batch size', async () => {
  const { embedder, cleanup } = await toyEmbedder({ batchSize: 7 });
  try {
    assert.equal(embedder.identity.type, 'word-vectors');
    assert.equal(embedder.identity.path, 'toy.txt');
    assert.equal('batchSize' in embedder.identity, false);
  } finally {
    await cleanup();
  }
});
