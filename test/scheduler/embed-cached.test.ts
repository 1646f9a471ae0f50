import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { cachedEmbedder } from '../../src/scheduler/embed-cached.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { ResolvedEmbedder } from '../../src/types/providers.js';

/** Each text's vector is [length, 1]; counts loads and the batches it was sent. */
function countingEmbedder() {
  const batches: string[][] = [];
  let loads = 0;
  const embedder: EmbeddingsInterface = {
    embedDocuments: async (texts) => {
      batches.push([...texts]);
      return texts.map((t) => [t.length, 1]);
    },
    embedQuery: async (t) => [t.length, 1],
  };
  return { batches, loads: () => loads, load: async () => (loads++, embedder) };
}

const entry: ResolvedEmbedder = { id: 'e', type: 'openai', model: 'm', batchSize: 2 };
const signal = new AbortController().signal;

test('the engine embeds each distinct text once, in sorted batches, and serves it from the cache afterwards without loading the embedder', async () => {
  const cache = new MemoryCacheStore();
  const first = countingEmbedder();
  const out = await cachedEmbedder(entry, { load: first.load, cache, mode: { read: true, write: true } }).embed(['ccc', 'a', 'bb', 'a'], signal);
  assert.deepEqual(first.batches, [['a', 'bb'], ['ccc']]);
  assert.deepEqual([out.embedded, out.cached], [3, 0]);
  assert.deepEqual([...out.embeddings.get('bb')!.vector!], [2, 1]);
  const second = countingEmbedder();
  const again = await cachedEmbedder(entry, { load: second.load, cache, mode: { read: true, write: true } }).embed(['bb', 'a', 'ccc'], signal);
  assert.deepEqual([again.embedded, again.cached, second.loads()], [0, 3, 0]);
  assert.deepEqual([...again.embeddings.get('ccc')!.vector!], [3, 1]);
});

test('--refresh embeds again and stores the new vectors; a plan (no writing) stores nothing', async () => {
  const cache = new MemoryCacheStore();
  await cachedEmbedder(entry, { load: countingEmbedder().load, cache, mode: { read: true, write: true } }).embed(['a'], signal);
  const refresh = countingEmbedder();
  const refreshed = await cachedEmbedder(entry, { load: refresh.load, cache, mode: { read: false, write: true } }).embed(['a', 'b'], signal);
  assert.deepEqual([refreshed.embedded, refreshed.cached, refresh.batches], [2, 0, [['a', 'b']]]);
  const plan = countingEmbedder();
  await cachedEmbedder(entry, { load: plan.load, cache, mode: { read: true, write: false } }).embed(['a', 'b', 'c'], signal);
  assert.deepEqual(plan.batches, [['c']], 'a and b were stored by the refresh');
  const after = countingEmbedder();
  await cachedEmbedder(entry, { load: after.load, cache, mode: { read: true, write: true } }).embed(['c'], signal);
  assert.deepEqual(after.batches, [['c']], 'the plan stored nothing');
});
