import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import kind from '../../../nodes/embed-score/index.js';
import type { EmbedScoreParams } from '../../../nodes/embed-score/params.generated.js';
import { MemoryCacheStore } from '../../../src/cache/memory-store.js';
import { openCache } from '../../../src/cache/open.js';
import type { CacheEntryMeta, CacheStore } from '../../../src/cache/store.js';
import type { FlowRecord } from '../../../src/types/records.js';
import type { ResolvedEmbedder } from '../../../src/types/providers.js';
import type { TextEmbedding } from '../../../src/types/embeddings.js';
import { ConfigError } from '../../../src/errors.js';
import { compareText } from '../../../src/stats/stable-order.js';
import { collect, taskContext } from '../../helpers/kind-context.js';
import { writeGloveText } from '../../providers/embedders/helpers/vector-files.js';

/** A LangChain-style embedder (no vaflow extras): each text is a unit vector at a known angle. Counts what it embeds. */
class AngleEmbedder implements EmbeddingsInterface {
  calls = 0;
  embeddedTexts: string[] = [];
  constructor(private readonly degrees: Readonly<Record<string, number>>) {}
  async embedDocuments(documents: string[]): Promise<number[][]> {
    this.calls++;
    this.embeddedTexts.push(...documents);
    return documents.map((text) => {
      const angle = this.degrees[text];
      if (angle === undefined) throw new Error(`no angle for ${text}`);
      return [Math.cos((angle * Math.PI) / 180), Math.sin((angle * Math.PI) / 180)];
    });
  }
  async embedQuery(document: string): Promise<number[]> {
    return (await this.embedDocuments([document]))[0];
  }
}

const ANGLES = { A: 0, B: 90, C: 20, RA: 0, RB: 60, RC: 90, D: 45, RD: 180, same: 33 };
const TOY_ENTRY: ResolvedEmbedder = { id: 'toy', type: 'openai', model: 'angles', batchSize: 2 };

function description(id: string, text: unknown, reference: unknown): FlowRecord {
  return { id, coords: { model: 'm1' }, node: 'describe', text, reference, label: 'happy' };
}

const ITEMS = [description('a', 'A', 'RA'), description('b', 'B', 'RB'), description('c', 'C', 'RC')];

async function score(records: readonly FlowRecord[], options: { embedder: EmbeddingsInterface; cache?: CacheStore | null; entry?: ResolvedEmbedder; params?: Partial<EmbedScoreParams>; specDir?: string }) {
  const entry = options.entry ?? TOY_ENTRY;
  const base = taskContext<EmbedScoreParams>({
    params: { embedders: [entry.id], ...options.params },
    embedder: entry,
    coords: { model: 'm1', embedder: entry.id },
    cache: options.cache ?? null,
    specDir: options.specDir,
    // The test's embedder stands in for the toy entry; other entries are real.
    embedders: { [TOY_ENTRY.id]: options.embedder },
  });
  return collect(kind.batch(async function* () { yield* records; }, base));
}

const cos = (degrees: number) => Math.cos((degrees * Math.PI) / 180);
function sampleStats(values: number[]) {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, std };
}

function assertNear(actual: unknown, expected: number, label: string): void {
  assert.equal(typeof actual, 'number', label);
  assert.ok(Math.abs((actual as number) - expected) < 1e-6, `${label}: ${String(actual)} vs ${expected}`);
}

test('raw cosine, null mean/std, z and percentile against other items\' references, by hand', async () => {
  const out = await score(ITEMS, { embedder: new AngleEmbedder(ANGLES) });
  assert.deepEqual(out.map((r) => r.id), ['a', 'b', 'c']);
  // text angle, own reference angle, other references' angles
  const expected = { a: [0, 0, [60, 90]], b: [90, 60, [0, 90]], c: [20, 90, [0, 60]] } as const;
  for (const record of out) {
    const [text, own, others] = expected[record.id as keyof typeof expected];
    const raw = cos(text - own);
    const nulls = others.map((r) => cos(text - r));
    const { mean, std } = sampleStats(nulls);
    const s = record.similarity as Record<string, unknown>;
    assertNear(s.raw, raw, `${record.id} raw`);
    assertNear(s.nullMean, mean, `${record.id} nullMean`);
    assertNear(s.nullStd, std, `${record.id} nullStd`);
    assertNear(s.z, (raw - mean) / std, `${record.id} z`);
    assertNear(s.percentile, (100 * nulls.filter((v) => v < raw - 1e-9).length + 50 * nulls.filter((v) => Math.abs(v - raw) <= 1e-9).length) / nulls.length, `${record.id} percentile`);
    assert.equal(s.nullSize, 2);
    assert.equal(record.embedder, 'toy');
    assert.equal(record.label, 'happy', 'input fields pass through');
  }
});

test('identical text and reference score exactly 1', async () => {
  const out = await score([description('x', 'same', 'same'), ...ITEMS], { embedder: new AngleEmbedder(ANGLES) });
  assert.equal((out[0].similarity as { raw: number }).raw, 1);
});

test('fewer than two items: the null is undefined, reported as nulls with a reason', async () => {
  const [only] = await score([ITEMS[0]], { embedder: new AngleEmbedder(ANGLES) });
  const s = only.similarity as Record<string, unknown>;
  assert.equal(s.raw, 1);
  assert.deepEqual([s.nullMean, s.nullStd, s.z, s.percentile, s.nullSize], [null, null, null, null, 0]);
  assert.match(String(s.reason), /at least 2 items/);
});

test('empty, missing and non-string texts are item problems with a reason; no NaN anywhere', async () => {
  const embedder = new AngleEmbedder(ANGLES);
  const out = await score([...ITEMS, description('e', '', 'RD'), description('f', undefined, 'RD'), description('g', 'D', 42)], { embedder });
  const byId = Object.fromEntries(out.map((r) => [r.id, r.similarity as Record<string, unknown>]));
  assert.equal(byId.e.raw, null);
  assert.equal(byId.e.reason, 'text: empty text');
  assert.equal(byId.f.reason, 'no "text" text in the record');
  assert.equal(byId.g.reason, 'no "reference" text in the record');
  assert.ok(!embedder.embeddedTexts.includes(''), 'empty texts are never sent to the embedder');
  // e and f have a usable reference (RD): partners are other items, so both join a's null beside b and c.
  assert.equal(byId.a.nullSize, 4);
  assert.doesNotMatch(JSON.stringify(out), /NaN/);
  for (const s of Object.values(byId)) for (const v of Object.values(s)) assert.ok(!(typeof v === 'number' && Number.isNaN(v)));
});

test('embeddings are cached by (embedder identity, text): rescoring embeds nothing, a new item embeds only its texts', async () => {
  const cache = new MemoryCacheStore();
  const first = new AngleEmbedder(ANGLES);
  const out1 = await score(ITEMS, { embedder: first, cache });
  assert.equal(first.embeddedTexts.length, 6);
  assert.equal(first.calls, 3, 'batches of batchSize 2');

  const second = new AngleEmbedder(ANGLES);
  const out2 = await score(ITEMS, { embedder: second, cache });
  assert.equal(second.calls, 0);
  assert.deepEqual(out2, out1);

  const third = new AngleEmbedder(ANGLES);
  await score([...ITEMS, description('d', 'D', 'RD')], { embedder: third, cache });
  assert.deepEqual(third.embeddedTexts.sort(), ['D', 'RD']);

  // Another embedder (another identity: a different model) shares no entries.
  const fresh = new AngleEmbedder(ANGLES);
  await scoreWithEntry(ITEMS, fresh, cache, { ...TOY_ENTRY, id: 'toy2', model: 'angles-v2' });
  assert.equal(fresh.embeddedTexts.length, 6);
});

test('each embedding the task stores is labelled "embedding" with its origin embedder:<id> (EntryFacts in src/cache/entry-filter.ts)', async () => {
  const metas: { namespace: string; origin?: string }[] = [];
  class RecordingStore extends MemoryCacheStore {
    override put(key: string, value: unknown, meta: CacheEntryMeta): void {
      metas.push(meta);
      super.put(key, value, meta);
    }
    override putBytes(key: string, value: Uint8Array, meta: CacheEntryMeta): void {
      metas.push(meta);
      super.putBytes(key, value, meta);
    }
  }
  await scoreWithEntry(ITEMS, new AngleEmbedder(ANGLES), new RecordingStore(), { ...TOY_ENTRY, id: 'angles-e1' });
  assert.equal(metas.length, 6, 'one vector per text');
  assert.deepEqual([...new Set(metas.map((m) => `${m.namespace} ${m.origin}`))], ['embedding embedder:angles-e1']);
});

async function scoreWithEntry(records: readonly FlowRecord[], embedder: EmbeddingsInterface, cache: CacheStore, entry: ResolvedEmbedder) {
  const ctx = taskContext<EmbedScoreParams>({ params: { embedders: [entry.id] }, embedder: entry, cache, embedders: { [entry.id]: embedder } });
  return collect(kind.batch(async function* () { yield* records; }, ctx));
}

test('the null is a seeded sample of nullSamples when there are many items, reproducible for a seed', async () => {
  const angles: Record<string, number> = {};
  const records = Array.from({ length: 40 }, (_, i) => {
    angles[`t${i}`] = i * 7;
    angles[`r${i}`] = i * 7 + 5;
    return description(`i${i}`, `t${i}`, `r${i}`);
  });
  const a = await score(records, { embedder: new AngleEmbedder(angles), params: { nullSamples: 5 } });
  const b = await score(records, { embedder: new AngleEmbedder(angles), params: { nullSamples: 5 } });
  assert.deepEqual(a, b);
  for (const r of a) assert.equal((r.similarity as { nullSize: number }).nullSize, 5);
});

test('word vectors end to end: OOV rates per record, "no known words" as an item problem, vectors cached beside the cache database', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-es-'));
  const cache = await openCache({ dir: path.join(dir, '.vaflow') });
  try {
    await writeGloveText(path.join(dir, 'toy.txt'));
    const entry: ResolvedEmbedder = { id: 'wv', type: 'word-vectors', path: 'toy.txt' };
    const records = [description('a', 'a happy zebra', 'joyful'), description('b', 'table', 'the table'), description('c', 'zebra giraffe', 'happy')];
    const out = await score(records, { embedder: new AngleEmbedder({}), cache, entry, specDir: dir });
    const [a, b, c] = out;
    assertNear((a.similarity as { raw: number }).raw, 0.8, 'happy vs joyful');
    assert.equal(a.oovRate, 0.5);
    assert.equal(a.referenceOovRate, 0);
    assert.equal((b.similarity as { raw: number }).raw, 1);
    assert.deepEqual(c.similarity, { raw: null, nullMean: null, nullStd: null, z: null, percentile: null, nullSize: 0, reason: 'text: no known words' });
    assert.equal(c.oovRate, 1);
    assert.deepEqual(await readdir(path.join(dir, '.vaflow', 'vectors')).then((files) => files.filter((f) => f.endsWith('.vfv')).length), 1);
    // Second scoring reads vectors and OOV rates back from the cache.
    const again = await score(records, { embedder: new AngleEmbedder({}), cache, entry, specDir: dir });
    assert.deepEqual(again, out);
  } finally {
    cache.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the null leaves out items whose reference text is the same as the item\'s own', async () => {
  // b shares a's reference text: "a's text against b's reference" is a's own pair again, not chance.
  const records = [description('a', 'A', 'RA'), description('b', 'B', 'RA'), description('c', 'C', 'RC'), description('d', 'D', 'RD')];
  const out = await score(records, { embedder: new AngleEmbedder(ANGLES) });
  const a = out.find((r) => r.id === 'a')!.similarity as Record<string, number>;
  // a: text at 0°, null = references RC (90°) and RD (180°) only: cos 90° = 0, cos 180° = −1.
  assert.equal(a.nullSize, 2);
  assertNear(a.nullMean, -0.5, 'a nullMean');
  const c = out.find((r) => r.id === 'c')!.similarity as Record<string, number>;
  // c keeps both RA references (a's and b's): its null is RA, RA, RD.
  assert.equal(c.nullSize, 3);
  assertNear(c.nullMean, (2 * cos(20 - 0) + cos(20 - 180)) / 3, 'c nullMean');
});

test('scores do not depend on record order, with a sampled null on both sampling paths', async () => {
  const angles: Record<string, number> = {};
  const records = Array.from({ length: 40 }, (_, i) => {
    angles[`t${i}`] = (i * 37) % 360;
    angles[`r${i}`] = (i * 53 + 11) % 360;
    return description(`i${String(i).padStart(2, '0')}`, `t${i}`, `r${i}`);
  });
  const permutations = [[...records].reverse(), records.map((_, i) => records[(i * 17) % 40])];
  const byId = (rs: FlowRecord[]) => JSON.stringify([...rs].sort((x, y) => (x.id < y.id ? -1 : 1)));
  // nullSamples 5: 40 candidates ≥ 4 × 5, rejection sampling; 12: fewer, a shuffle of the admissible ones.
  for (const nullSamples of [5, 12]) {
    const reference = byId(await score(records, { embedder: new AngleEmbedder(angles), params: { nullSamples } }));
    for (const order of permutations) {
      assert.equal(byId(await score(order, { embedder: new AngleEmbedder(angles), params: { nullSamples } })), reference, `nullSamples ${nullSamples}`);
    }
    // The sample is a real sample: items' nulls are not all the same partners.
    const nulls = (JSON.parse(reference) as { similarity: { nullMean: number } }[]).map((r) => r.similarity.nullMean);
    assert.ok(new Set(nulls).size > 30);
  }
});

test('batches hold the same texts whatever the record order', async () => {
  const first = new AngleEmbedder(ANGLES);
  await score(ITEMS, { embedder: first });
  const second = new AngleEmbedder(ANGLES);
  await score([...ITEMS].reverse(), { embedder: second });
  assert.deepEqual(second.embeddedTexts, first.embeddedTexts);
});

test('scores do not depend on record order when records share their text and reference (identical descriptions)', async () => {
  // Models often give the same description for several faces, and a class has one reference text:
  // such records differ only by id, so only the id can order them.
  const angles: Record<string, number> = {};
  const records = Array.from({ length: 40 }, (_, i) => {
    const text = `t${i % 4}`;
    const reference = `r${i % 3}`;
    angles[text] = (i % 4) * 40;
    angles[reference] = (i % 3) * 70 + 15;
    return description(`i${String(i).padStart(2, '0')}`, text, reference);
  });
  angles.tx = 300;
  angles.rx = 200;
  records.push(...Array.from({ length: 12 }, (_, i) => description(`x${String(i).padStart(2, '0')}`, 'tx', `rx`)));
  const permutations = [[...records].reverse(), records.map((_, i) => records[(i * 19) % records.length])];
  const byId = (rs: FlowRecord[]) => JSON.stringify([...rs].sort((x, y) => (x.id < y.id ? -1 : 1)));
  for (const nullSamples of [5, 20]) {
    const reference = byId(await score(records, { embedder: new AngleEmbedder(angles), params: { nullSamples } }));
    for (const order of permutations) {
      assert.equal(byId(await score(order, { embedder: new AngleEmbedder(angles), params: { nullSamples } })), reference, `nullSamples ${nullSamples}`);
    }
  }
});

test('scores do not depend on record order when faces recur with identical descriptions under other references', async () => {
  // Each face twice: once with the shared description "tA" of reference "rA", once with its own text
  // and reference. The twins of "tA"/"rA" differ only by id; where they stand in the candidate list
  // decides which draw an item of the same id must reject, so they must be ordered by id (the key)
  // before reference and text, never left in arrival order.
  const angles: Record<string, number> = { tA: 10, rA: 50 };
  const records: FlowRecord[] = [];
  for (let i = 0; i < 24; i++) {
    const id = `f${String(i).padStart(2, '0')}`;
    records.push(description(id, 'tA', 'rA'));
    angles[`t${i}`] = (i * 29) % 360;
    angles[`r${i}`] = (i * 47 + 7) % 360;
    records.push(description(id, `t${i}`, `r${i}`));
  }
  const byKey = (rs: FlowRecord[]) => JSON.stringify([...rs].sort((x, y) => compareText(`${x.id} ${x.text}`, `${y.id} ${y.text}`)));
  for (const nullSamples of [3, 6]) {
    const reference = byKey(await score(records, { embedder: new AngleEmbedder(angles), params: { nullSamples } }));
    for (const order of [[...records].reverse(), records.map((_, i) => records[(i * 19) % records.length])]) {
      assert.equal(byKey(await score(order, { embedder: new AngleEmbedder(angles), params: { nullSamples } })), reference, `nullSamples ${nullSamples}`);
    }
  }
});

test('the null never pairs an item with another record of the same id (the same face twice)', async () => {
  // Two records of face "a" (say, two prompt repeats kept as records) with different references.
  const records = [description('a', 'A', 'RA'), description('a', 'C', 'RC'), description('b', 'B', 'RB'), description('d', 'D', 'RD')];
  const out = await score(records, { embedder: new AngleEmbedder(ANGLES) });
  const [a1, a2] = out.filter((r) => r.id === 'a').map((r) => r.similarity as Record<string, number>);
  // a1: text 0°, partners RB (60°) and RD (180°) only, not a2's RC.
  assert.equal(a1.nullSize, 2);
  assertNear(a1.nullMean, (cos(60) + cos(180)) / 2, 'a1 nullMean');
  assert.equal(a2.nullSize, 2);
  assertNear(a2.nullMean, (cos(20 - 60) + cos(20 - 180)) / 2, 'a2 nullMean');
});

test('records carry oovRate fields only when the embedder reports OOV rates', async () => {
  const out = await score(ITEMS, { embedder: new AngleEmbedder(ANGLES) });
  for (const record of out) {
    assert.ok(!('oovRate' in record) && !('referenceOovRate' in record), `${record.id}: ${Object.keys(record).join(', ')}`);
  }
});

test('the task logs how many texts it embedded and how many came from the cache', async () => {
  const cache = new MemoryCacheStore();
  const run = async () => {
    const base = taskContext<EmbedScoreParams>({ params: { embedders: [TOY_ENTRY.id] }, embedder: TOY_ENTRY, cache, embedders: { [TOY_ENTRY.id]: new AngleEmbedder(ANGLES) } });
    await collect(kind.batch(async function* () { yield* ITEMS; }, base));
    return base.events;
  };
  assert.deepEqual(await run(), [{ level: 'info', message: 'embed-score: 6 texts embedded, 0 from the cache', embedder: 'toy', embedded: 6, cached: 0 }]);
  assert.deepEqual(await run(), [{ level: 'info', message: 'embed-score: 0 texts embedded, 6 from the cache', embedder: 'toy', embedded: 0, cached: 6 }]);
});

test('without an embedder the task fails with a ConfigError that says where to list one', async () => {
  const ctx = taskContext<EmbedScoreParams>({ params: { embedders: ['e1'] }, nodeId: 'scores' });
  await assert.rejects(collect(kind.batch(async function* () { yield* ITEMS; }, ctx)), (e: unknown) =>
    e instanceof ConfigError && e.message === 'nodes.scores: embed-score runs per embedder; list them in `with.embedders`');
});

test('an upstream that yields a different record on the second read is an error naming it', async () => {
  let reads = 0;
  const ctx = taskContext<EmbedScoreParams>({ params: { embedders: [TOY_ENTRY.id] }, embedder: TOY_ENTRY, coords: { model: 'm1', embedder: 'toy' }, embedders: { [TOY_ENTRY.id]: new AngleEmbedder(ANGLES) } });
  const inputs = async function* () {
    reads++;
    yield* reads === 1 ? ITEMS : [ITEMS[0], description('late', 'A', 'RA')];
  };
  await assert.rejects(collect(kind.batch(inputs, ctx)), /^Error: embed-score: upstream record late appeared on the second read only$/);
});

test('an embedder that breaks its contract (missing results, zero vectors) gives item problems, never NaN or a crash', async () => {
  // A vaflow-style embedder (embedWithStats) trusted to report per-text problems itself, that does not.
  const broken = {
    identity: { type: 'broken' },
    dimension: 2,
    async embedWithStats(texts: readonly string[]): Promise<TextEmbedding[]> {
      return texts.filter((t) => t !== 'lost').map((t) => ({ vector: t.startsWith('zero') ? new Float32Array(2) : Float32Array.from([1, t.length]) }));
    },
    async embedDocuments(): Promise<number[][]> { throw new Error('unused'); },
    async embedQuery(): Promise<number[]> { throw new Error('unused'); },
  };
  const records = [description('a', 'aa', 'bbb'), description('b', 'zero-text', 'cc'), description('c', 'dddd', 'zero-ref'), description('d', 'a', 'e')];
  const out = await score(records, { embedder: broken });
  const byId = Object.fromEntries(out.map((r) => [r.id, r.similarity as Record<string, unknown>]));
  assert.equal(byId.b.reason, 'a zero vector has no direction');
  assert.equal(byId.c.reason, 'a zero vector has no direction');
  // c's zero reference is a candidate partner but gives no null value: a's null is b's and d's references.
  assert.equal(byId.a.nullSize, 2);
  assert.doesNotMatch(JSON.stringify(out), /NaN/);
  // The embedder drops 'lost' from its answer: without a cache, the items say so.
  const lost = await score([description('x', 'lost', 'ab'), description('y', 'ab', 'lost')], { embedder: broken });
  assert.deepEqual(lost.map((r) => (r.similarity as { reason?: string }).reason), ['text: not embedded', 'reference: not embedded']);
});
