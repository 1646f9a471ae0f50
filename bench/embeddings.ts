// Embedder benchmark. Run: npx tsx bench/embeddings.ts
// Figures are ratios against baselines measured in the same run:
//   throughput — sentences/s per embedder on the same 256 descriptions (word vectors, USE lite, ONNX)
//   onnx       — batched (32 per call) vs unbatched (1 per call) on the same texts and model
//   load       — word vectors from the binary cache vs `require` of the bundled JSON, each in a fresh process
// No real BERT exists offline: the ONNX model is written by the benchmark (BERT-shaped: WordPiece
// vocabulary, token + type embeddings, 4 residual feed-forward blocks of 256×256 matmuls, no
// attention), so its absolute speed stands for "a small transformer", not for bert-base.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createEmbedder } from '../src/providers/embedders/registry.js';
import type { VaflowEmbeddings } from '../src/providers/embedders/types.js';
import { bundledVectorsPath, loadWordVectors } from '../src/providers/embedders/word-vectors/load.js';
import { packageRoot } from '../src/util/paths.js';
import { writeTinyBert } from '../test/providers/embedders/helpers/tiny-bert.js';

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

async function rate(embedder: VaflowEmbeddings, texts: string[], repeats = 1): Promise<{ ms: number; perSecond: number }> {
  await embedder.embedWithStats(texts.slice(0, 8)); // warm-up (JIT, first-call allocations)
  const started = performance.now();
  for (let r = 0; r < repeats; r++) await embedder.embedWithStats(texts);
  const ms = (performance.now() - started) / repeats;
  return { ms, perSecond: (texts.length / ms) * 1000 };
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const texts = sentences(256);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-bench-emb-'));
  try {
    const words = [...new Set(texts.join(' ').toLowerCase().match(/[a-z]+/g) ?? [])];
    await writeTinyBert({ dir: path.join(dir, 'bench-bert'), words, hidden: 256, layers: 4, inner: 256 });
    const options = { specDir: dir, env: {}, cacheDir: VECTOR_CACHE };

    // Make sure the binary cache exists before timing loads (the first conversion is slow by design).
    const conversionStart = performance.now();
    const prepared = await loadWordVectors({ cacheDir: VECTOR_CACHE });
    const conversionMs = prepared.fromCache ? null : performance.now() - conversionStart;

    const rows: string[] = [];
    console.log(`node ${process.version}, ${os.cpus().length} cores, ${texts.length} sentences (mean ${fmt(texts.reduce((s, t) => s + t.length, 0) / texts.length, 0)} chars)`);

    const glove = await createEmbedder({ id: 'glove', type: 'word-vectors' }, options);
    const use = await createEmbedder({ id: 'use', type: 'use-lite' }, options);
    const batched = await createEmbedder({ id: 'bert32', type: 'onnx', path: 'bench-bert', batchSize: 32 }, options);
    const single = await createEmbedder({ id: 'bert1', type: 'onnx', path: 'bench-bert', batchSize: 1 }, options);
    const throughput = {
      'word-vectors (bundled 100-d, binary cache)': await rate(glove, texts, 5),
      'use-lite (512-d, TF.js CPU)': await rate(use, texts),
      'onnx bench model, batch 32': await rate(batched, texts, 3),
      'onnx bench model, batch 1': await rate(single, texts, 3),
    };
    const baseline = throughput['onnx bench model, batch 1'].perSecond;
    rows.push('| embedder | ms for 256 | sentences/s | ratio to onnx batch 1 |', '|---|---:|---:|---:|');
    for (const [name, r] of Object.entries(throughput)) rows.push(`| ${name} | ${fmt(r.ms)} | ${fmt(r.perSecond, 0)} | ${fmt(r.perSecond / baseline, 2)}× |`);
    const onnxRatio = throughput['onnx bench model, batch 32'].perSecond / baseline;

    const fromCache = measureChild('cache');
    const fromJson = measureChild('json');
    rows.push('', '| word-vector load (fresh process) | ms | resident MB | ratio to JSON require |', '|---|---:|---:|---:|');
    rows.push(`| require bundled JSON (baseline) | ${fmt(fromJson.ms)} | ${fmt(fromJson.rssMB, 0)} | 1.00× |`);
    rows.push(`| binary cache | ${fmt(fromCache.ms)} | ${fmt(fromCache.rssMB, 0)} | ${fmt(fromJson.ms / fromCache.ms, 1)}× faster |`);
    if (conversionMs !== null) rows.push(``, `one-time conversion of the bundled JSON into the binary cache (this run): ${fmt(conversionMs / 1000, 1)} s`);
    console.log(rows.join('\n'));
    console.log(`\nONNX batched/unbatched: ${fmt(onnxRatio, 2)}× (target ≥ 3×); binary-cache load ${fmt(fromCache.ms, 0)} ms (target ≤ 1000 ms)`);
    await batched.dispose?.();
    await single.dispose?.();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childIndex = process.argv.indexOf('--child');
await (childIndex !== -1 ? child(process.argv[childIndex + 1]) : main());
