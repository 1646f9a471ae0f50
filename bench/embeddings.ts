// Embedder benchmark. Run: npx tsx bench/embeddings.ts
// Figures are ratios against baselines measured in the same run:
//   throughput — sentences/s per embedder on the same 256 descriptions (word vectors, USE lite, ONNX)
//   onnx       — batched (32 per call) vs unbatched (1 per call) on the same texts and model, passes
//                interleaved and the median taken, for three models the benchmark writes: bert-base-like
//                (768 wide, 12 heads, 4 layers), MiniLM-like (384, 12 heads, 6 layers: all-MiniLM-L6-v2's
//                shape) and the tests' tiny feed-forward model (no attention)
//   profile    — tokenizer + tensor set-up vs onnxruntime session.run per call, batch 1 vs 32
//   load       — word vectors from the binary cache vs `require` of the bundled JSON, each in a fresh process
// No trained BERT exists offline: the BERT-shaped models are random weights with BERT's ops and
// shapes (bench/helpers/bert-like.ts), so their speed is real and their vectors are meaningless.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createEmbedder } from '../src/providers/embedders/registry.js';
import type { VaflowEmbeddings } from '../src/types/embeddings.js';
import { bundledVectorsPath, loadWordVectors } from '../src/providers/embedders/word-vectors/load.js';
import { packageRoot } from '../src/util/paths.js';
import { writeTinyBert } from '../test/providers/embedders/helpers/tiny-bert.js';
import { writeBertLike } from './helpers/bert-like.js';
import { profileCalls, type CallProfile } from './helpers/onnx-profile.js';
import { median } from './lib.js';

const VECTOR_CACHE = path.join(packageRoot, 'node_modules', '.cache', 'vaflow-bench', 'vectors');

/** Child mode: measure one load in a fresh process and print JSON. */
async function child(mode: string): Promise<void> {
  const started = performance.now();
  if (mode === 'json') {
    const vectors = createRequire(import.meta.url)(bundledVectorsPath()) as { size: number };
    if (!vectors.size) throw new Error('empty');
  } else {
    const loaded = await loadWordVectors({ cacheDir: VECTOR_CACHE });
    if (!loaded.fromCache) throw new Error('expected the binary cache to exist');
    if (loaded.table.lookup('happy') < 0) throw new Error('happy missing');
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, rssMB: process.memoryUsage().rss / 2 ** 20 }));
}

function measureChild(mode: string): { ms: number; rssMB: number } {
  const result = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--child', mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`child ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number; rssMB: number };
}

const ADJECTIVES = ['happy', 'joyful', 'calm', 'tense', 'sad', 'angry', 'afraid', 'surprised', 'relaxed', 'bored', 'excited', 'content', 'gloomy', 'nervous', 'serene', 'irritated'];
const FEATURES = ['a slight smile', 'raised eyebrows', 'a furrowed brow', 'tight lips', 'wide eyes', 'a relaxed jaw', 'downturned mouth corners', 'a steady gaze'];

function sentences(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const a = ADJECTIVES[i % ADJECTIVES.length];
    const b = ADJECTIVES[(i * 7 + 3) % ADJECTIVES.length];
    const f = FEATURES[(i * 5) % FEATURES.length];
    const tail = i % 3 === 0 ? ' The overall impression is of someone who is quite engaged with their surroundings.' : '';
    return `The person appears ${a} and somewhat ${b}, with ${f}.${tail}`;
  });
}

/** Time of one pass over `texts` (the embedder is warmed up once beforehand by the caller). */
async function pass(embedder: VaflowEmbeddings, texts: string[]): Promise<number> {
  const started = performance.now();
  const results = await embedder.embedWithStats(texts);
  const ms = performance.now() - started;
  if (results.some((r) => r.vector === null)) throw new Error('an embedder returned no vector for a non-empty text');
  return ms;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () => os.loadavg().map((n) => n.toFixed(2)).join(', ');

interface OnnxModel {
  readonly name: string;
  readonly folder: string;
  readonly parameters: string;
}

const REPEATS = 3;

async function main(): Promise<void> {
  const texts = sentences(256);
  const loadBefore = load();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-bench-emb-'));
  try {
    const words = [...new Set(texts.join(' ').toLowerCase().match(/[a-z]+/g) ?? [])];
    const base = await writeBertLike({ dir: path.join(dir, 'bert-base-like'), words, hidden: 768, heads: 12, layers: 4 });
    const mini = await writeBertLike({ dir: path.join(dir, 'minilm-like'), words, hidden: 384, heads: 12, layers: 6 });
    await writeTinyBert({ dir: path.join(dir, 'tiny-ffn'), words, hidden: 256, layers: 4, inner: 256 });
    const models: OnnxModel[] = [
      { name: 'bert-base-like: 768 wide, 12 heads, 4 layers, FFN 3072', folder: 'bert-base-like', parameters: `${fmt(base.parameters / 1e6)} M` },
      { name: 'MiniLM-like: 384 wide, 12 heads, 6 layers, FFN 1536', folder: 'minilm-like', parameters: `${fmt(mini.parameters / 1e6)} M` },
      { name: 'tiny feed-forward (old bench model): 256 wide, 4 blocks, no attention', folder: 'tiny-ffn', parameters: '0.5 M' },
    ];
    const options = { specDir: dir, env: {}, cacheDir: VECTOR_CACHE };

    // Make sure the binary cache exists before timing loads (the first conversion is slow by design).
    const conversionStart = performance.now();
    const prepared = await loadWordVectors({ cacheDir: VECTOR_CACHE });
    const conversionMs = prepared.fromCache ? null : performance.now() - conversionStart;

    const rows: string[] = [];
    const tokens = texts.reduce((s, t) => s + t.length, 0) / texts.length;
    console.log(`node ${process.version}, ${os.cpus().length} cores (nproc), load average before: ${loadBefore}; ${texts.length} sentences (mean ${fmt(tokens, 0)} chars)`);

    // Every embedder is created and warmed up first; then the passes are interleaved so that a
    // change in machine load hits batch 1 and batch 32 alike.
    const contenders = new Map<string, VaflowEmbeddings>();
    contenders.set('word-vectors (bundled 100-d, binary cache)', await createEmbedder({ id: 'glove', type: 'word-vectors' }, options));
    for (const model of models) {
      for (const batchSize of [32, 1]) contenders.set(`${model.folder} b${batchSize}`, await createEmbedder({ id: `${model.folder}-${batchSize}`, type: 'onnx', path: model.folder, batchSize }, options));
    }
    for (const embedder of contenders.values()) await embedder.embedWithStats(texts.slice(0, 8));
    const times = new Map<string, number[]>([...contenders.keys()].map((k) => [k, []]));
    for (let r = 0; r < REPEATS; r++) {
      for (const [name, embedder] of contenders) times.get(name)?.push(await pass(embedder, texts));
    }
    const use = await createEmbedder({ id: 'use', type: 'use-lite' }, options);
    await use.embedWithStats(texts.slice(0, 8));
    times.set('use-lite (512-d, TF.js CPU)', [await pass(use, texts)]);

    const med = (name: string) => median(times.get(name) ?? [NaN]);
    rows.push('| embedder | median ms for 256 | sentences/s | passes |', '|---|---:|---:|---:|');
    for (const [name, list] of times) rows.push(`| ${name} | ${fmt(median(list))} | ${fmt((texts.length / median(list)) * 1000, 0)} | ${list.length} |`);

    rows.push('', '| onnx model | parameters | batch 32 ms (median) | batch 1 ms (median) | batch 32 / batch 1 speed-up | per-pass ratios |', '|---|---:|---:|---:|---:|---|');
    const ratios: string[] = [];
    for (const model of models) {
      const b32 = times.get(`${model.folder} b32`) ?? [];
      const b1 = times.get(`${model.folder} b1`) ?? [];
      const ratio = median(b1) / median(b32);
      ratios.push(`${model.folder} ${fmt(ratio, 2)}×`);
      rows.push(`| ${model.name} | ${model.parameters} | ${fmt(median(b32))} | ${fmt(median(b1))} | **${fmt(ratio, 2)}×** | ${b1.map((t, i) => fmt(t / b32[i], 2)).join(', ')} |`);
    }
    for (const embedder of contenders.values()) await embedder.dispose?.();

    // Where the time of one call goes (same tokenizer calls and tensors as OnnxEmbedder.runBatch).
    const profiles: Array<CallProfile & { model: string }> = [];
    // Thread variants: onnxruntime's default (one thread per core, spin-waiting between ops), the
    // same without spinning, and one thread — on a shared 2-core machine these differ a lot.
    const variants = [['bert-base-like', 0, true], ['minilm-like', 0, true], ['minilm-like', 0, false], ['minilm-like', 1, true]] as const;
    for (const [folder, threads, spinning] of variants) {
      for (const batchSize of [32, 1]) profiles.push({ model: folder, ...(await profileCalls({ modelDir: path.join(dir, folder), texts, batchSize, threads, spinning })) });
    }
    rows.push('', '| profile (one pass of 256) | intra-op threads | spinning | calls | tokenizer + tensors ms | session.run ms | real tokens | padded tokens | run µs per real token |', '|---|---:|---|---:|---:|---:|---:|---:|---:|');
    for (const p of profiles) {
      rows.push(`| ${p.model} b${p.batchSize} | ${p.threads === 0 ? 'default (2)' : p.threads} | ${p.spinning ? 'on' : 'off'} | ${p.calls} | ${fmt(p.tokenizeMs)} | ${fmt(p.runMs)} | ${p.realTokens} | ${p.paddedTokens} | ${fmt((p.runMs * 1000) / p.realTokens, 0)} |`);
    }

    const fromCache = measureChild('cache');
    const fromJson = measureChild('json');
    rows.push('', '| word-vector load (fresh process) | ms | resident MB | ratio to JSON require |', '|---|---:|---:|---:|');
    rows.push(`| require bundled JSON (baseline) | ${fmt(fromJson.ms)} | ${fmt(fromJson.rssMB, 0)} | 1.00× |`);
    rows.push(`| binary cache | ${fmt(fromCache.ms)} | ${fmt(fromCache.rssMB, 0)} | ${fmt(fromJson.ms / fromCache.ms, 1)}× faster |`);
    if (conversionMs !== null) rows.push(``, `one-time conversion of the bundled JSON into the binary cache (this run): ${fmt(conversionMs / 1000, 1)} s`);
    console.log(rows.join('\n'));
    console.log(`\nONNX batched/unbatched: ${ratios.join(', ')} (target ≥ 3×); binary-cache load ${fmt(fromCache.ms, 0)} ms (target ≤ 1000 ms); word-vectors ${fmt(med('word-vectors (bundled 100-d, binary cache)'), 0)} ms`);
    console.log(`load average after: ${load()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childIndex = process.argv.indexOf('--child');
await (childIndex !== -1 ? child(process.argv[childIndex + 1]) : main());
