import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { embedCached, embedTexts, type EmbedCachedOptions } from '../../src/scheduler/embed-cached.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { CacheEntryMeta } from '../../src/cache/store.js';
import type { TextEmbedding, VaflowEmbeddings } from '../../src/types/embeddings.js';

/** A vaflow-style embedder (embedWithStats): a 2-d vector per text and an OOV rate per text; records every batch it is given. */
class StatsEmbedder implements VaflowEmbeddings {
  readonly dimension = 2;
  readonly batches: string[][] = [];
  constructor(readonly identity: Readonly<Record<string, unknown>>, private readonly oov: (text: string) => number | undefined = () => undefined) {}
  async embedWithStats(texts: readonly string[]): Promise<TextEmbedding[]> {
    this.batches.push([...texts]);
    return texts.map((text) => {
      const oovRate = this.oov(text);
      const vector = Float32Array.from([text.length, 1]);
      return oovRate === undefined ? { vector } : { vector, oovRate };
    });
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return (await this.embedWithStats(texts)).map((e) => [...(e.vector ?? [])]);
  }
  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedDocuments([text]))[0];
  }
}

/** A plain LangChain embedder returning whatever the test scripts per text; counts calls and texts sent. */
class ScriptedEmbedder implements EmbeddingsInterface {
  calls = 0;
  sent: string[] = [];
  constructor(private readonly answer: (text: string) => unknown) {}
  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls++;
    this.sent.push(...texts);
    return texts.map((t) => this.answer(t)) as number[][];
  }
  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedDocuments([text]))[0];
  }
}

/** A MemoryCacheStore that remembers the metadata of every write. */
class RecordingStore extends MemoryCacheStore {
  readonly writes: (CacheEntryMeta & { kind: 'json' | 'bytes'; value?: unknown })[] = [];
  override put(key: string, value: unknown, meta: CacheEntryMeta): void {
    this.writes.push({ ...meta, kind: 'json', value });
    super.put(key, value, meta);
  }
  override putBytes(key: string, value: Uint8Array, meta: CacheEntryMeta): void {
    this.writes.push({ ...meta, kind: 'bytes' });
    super.putBytes(key, value, meta);
  }
}

function options(embedder: EmbeddingsInterface, over: Partial<EmbedCachedOptions> = {}): EmbedCachedOptions & { loads: () => number } {
  let loads = 0;
  return {
    embedder: async () => {
      loads++;
      return embedder;
    },
    identity: { type: 'test', model: 'm' },
    cache: null,
    mode: { read: true, write: true },
    batchSize: 2,
    signal: new AbortController().signal,
    origin: 'embedder:test',
    loads: () => loads,
    ...over,
  };
}

test('a fully cached rerun never loads the embedder; a new text loads it once and embeds only that text', async () => {
  const cache = new MemoryCacheStore();
  const embedder = new StatsEmbedder({ type: 'test' });
  const first = options(embedder, { cache });
  const one = await embedCached(['a', 'bb', 'a', 'ccc'], first);
  assert.deepEqual({ embedded: one.embedded, cached: one.cached, loads: first.loads() }, { embedded: 3, cached: 0, loads: 1 });

  const second = options(embedder, { cache });
  const two = await embedCached(['ccc', 'a', 'bb'], second);
  assert.deepEqual({ embedded: two.embedded, cached: two.cached, loads: second.loads() }, { embedded: 0, cached: 3, loads: 0 });
  assert.deepEqual([...two.embeddings.get('ccc')!.vector!], [3, 1]);

  const third = options(embedder, { cache });
  const three = await embedCached(['a', 'dddd', 'bb'], third);
  assert.deepEqual({ embedded: three.embedded, cached: three.cached, loads: third.loads() }, { embedded: 1, cached: 2, loads: 1 });
  assert.deepEqual(embedder.batches.at(-1), ['dddd']);
});

test('distinct texts are embedded in sorted batches of batchSize, with no empty call', async () => {
  for (const [texts, expected] of [
    [['e', 'd', 'c', 'b', 'a', 'f'], [['a', 'b'], ['c', 'd'], ['e', 'f']]],
    [['e', 'd', 'c', 'b', 'a'], [['a', 'b'], ['c', 'd'], ['e']]],
  ] as const) {
    const embedder = new StatsEmbedder({ type: 'test' });
    await embedCached(texts, options(embedder));
    assert.deepEqual(embedder.batches, expected);
  }
});

test('cache entries: one vector per text and an OOV entry only where the embedder gave a rate, labelled "embedding" with their origin', async () => {
  const cache = new RecordingStore();
  const withRates = new StatsEmbedder({ type: 'words' }, (t) => (t === 'a' ? 0.5 : 0));
  await embedCached(['a', 'b'], options(withRates, { cache, identity: withRates.identity, origin: 'embedder:words' }));
  assert.deepEqual(cache.writes.map((w) => [w.kind, w.namespace, w.origin, w.value]), [
    ['bytes', 'embedding', 'embedder:words', undefined],
    ['json', 'embedding', 'embedder:words', { oovRate: 0.5 }],
    ['bytes', 'embedding', 'embedder:words', undefined],
    ['json', 'embedding', 'embedder:words', { oovRate: 0 }],
  ]);
  const plain = new RecordingStore();
  const noRates = new StatsEmbedder({ type: 'sentences' });
  await embedCached(['a', 'b'], options(noRates, { cache: plain, identity: noRates.identity }));
  assert.deepEqual(plain.writes.map((w) => w.kind), ['bytes', 'bytes'], 'no OOV entry for an embedder without OOV rates');
  assert.deepEqual(plain.stats().byNamespace, { embedding: { entries: 2, bytes: plain.stats().bytes } });
});

test('OOV rates are cached per embedder identity: two vocabularies never read each other\'s rate', async () => {
  const cache = new MemoryCacheStore();
  const small = new StatsEmbedder({ type: 'word-vectors', file: 'small' }, () => 0.5);
  const large = new StatsEmbedder({ type: 'word-vectors', file: 'large' }, () => 0);
  await embedCached(['a happy zebra'], options(small, { cache, identity: small.identity }));
  await embedCached(['a happy zebra'], options(large, { cache, identity: large.identity }));
  const again = options(small, { cache, identity: small.identity });
  const read = await embedCached(['a happy zebra'], again);
  assert.equal(again.loads(), 0, 'served from the cache');
  assert.equal(read.embeddings.get('a happy zebra')!.oovRate, 0.5);
  const other = await embedCached(['a happy zebra'], options(large, { cache, identity: large.identity }));
  assert.equal(other.embeddings.get('a happy zebra')!.oovRate, 0);
});

test('a LangChain embedder never receives an empty or blank text; a batch of only blanks makes no call', async () => {
  const embedder = new ScriptedEmbedder(() => [1, 0]);
  const results = await embedTexts(embedder, ['', '  \n', 'x']);
  assert.deepEqual(embedder.sent, ['x']);
  assert.deepEqual(results.map((r) => r.reason ?? 'ok'), ['empty text', 'empty text', 'ok']);
  const blanks = new ScriptedEmbedder(() => [1, 0]);
  assert.deepEqual(await embedTexts(blanks, ['', ' ']), [{ vector: null, reason: 'empty text' }, { vector: null, reason: 'empty text' }]);
  assert.equal(blanks.calls, 0);
});

test('malformed and zero vectors from a LangChain embedder become "no vector" with a reason', async () => {
  const answers: Record<string, unknown> = { empty: [], nan: [1, Number.NaN], inf: [Infinity, 0], none: undefined, text: 'oops', zero: [0, 0], good: [3, 4] };
  const results = await embedTexts(new ScriptedEmbedder((t) => answers[t]), Object.keys(answers));
  assert.deepEqual(Object.fromEntries(Object.keys(answers).map((t, i) => [t, results[i].vector === null ? results[i].reason : [...results[i].vector!]])), {
    empty: 'the embedder returned a malformed vector',
    nan: 'the embedder returned a malformed vector',
    inf: 'the embedder returned a malformed vector',
    none: 'the embedder returned a malformed vector',
    text: 'the embedder returned a malformed vector',
    zero: 'the embedder returned a zero vector',
    good: [3, 4],
  });
});
