/**
 * The cache key names what produced an answer (issue 11 point 4), checked through real runs: model
 * and embedder files by content, the base URL the client really used wherever it came from, and one
 * entry for identical requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline, type RunResult } from '../../src/run/run-pipeline.js';
import { packageRoot } from '../../src/util/paths.js';
import { startOpenAIServer, fixedResponder } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { writeTinyBert } from '../providers/embedders/helpers/tiny-bert.js';
import { writeGloveText, TOY_VECTORS } from '../providers/embedders/helpers/vector-files.js';
import { pathToFileURL } from 'node:url';

const TERMS = path.join(packageRoot, 'data/sample/basic7-terms.csv');
const ECHO_KIND = path.join(packageRoot, 'test/cache/fixtures/model-echo.mjs');
/** The kind's own invocation counter: the engine imports the same module instance. */
const { calls: echoCalls } = (await import(pathToFileURL(ECHO_KIND).href)) as { calls: { count: number } };

function items(rows: number): string {
  return ['id,valence,arousal,label', ...Array.from({ length: rows }, (_, i) => `t${i},${(i / 10 - 0.2).toFixed(2)},0.1,happiness`)].join('\n') + '\n';
}

function classifyPipeline(model: string): string {
  return `version: 1
name: keys
models:
  m: { ${model} }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [items], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [m], labels: basic7, retries: 0 } }
`;
}

async function runIn(dir: string, cacheDir: string, env: Record<string, string> = {}): Promise<RunResult> {
  const result = await runPipeline({ file: path.join(dir, 'p.yaml'), runsDir: path.join(dir, 'runs'), cacheDir, env });
  assert.equal(result.status, 'completed', JSON.stringify(result.tasks));
  return result;
}

test('the base URL the client really used is in the key: from the pipeline, from baseURLEnv and from OPENAI_BASE_URL', async () => {
  const [a, b] = await Promise.all([startOpenAIServer({ responder: fixedResponder('happiness') }), startOpenAIServer({ responder: fixedResponder('sadness') })]);
  try {
    await withTempDir('key-url', async (dir) => {
      writeFileSync(path.join(dir, 'items.csv'), items(5));
      const cacheDir = path.join(dir, 'cache');
      const cases: { name: string; model: (url: string) => string; env: (url: string) => Record<string, string> }[] = [
        { name: 'baseURL', model: (url) => `provider: openai, model: x, baseURL: "${url}"`, env: () => ({}) },
        { name: 'baseURLEnv', model: () => 'provider: openai, model: y, baseURLEnv: VAFLOW_TEST_URL', env: (url) => ({ VAFLOW_TEST_URL: url }) },
        // Read by the client itself from the environment: the pipeline names no address at all.
        { name: 'OPENAI_BASE_URL', model: () => 'provider: openai, model: z', env: (url) => ({ OPENAI_BASE_URL: url, OPENAI_API_KEY: 'sk-test' }) },
      ];
      for (const c of cases) {
        writeFileSync(path.join(dir, 'p.yaml'), classifyPipeline(c.model(a.url)));
        await runIn(dir, cacheDir, c.env(a.url));
        assert.equal(a.requests.chat, 5, `${c.name}: server A answered the first run`);
        if (c.name === 'baseURL') writeFileSync(path.join(dir, 'p.yaml'), classifyPipeline(c.model(b.url)));
        const other = await runIn(dir, cacheDir, c.env(b.url));
        assert.equal(b.requests.chat, 5, `${c.name}: server B was asked, not served A's answers`);
        assert.equal(other.tasks['classify[model=m,variant=numeric]'].cacheHits, 0);
        if (c.name === 'baseURL') writeFileSync(path.join(dir, 'p.yaml'), classifyPipeline(c.model(a.url)));
        const again = await runIn(dir, cacheDir, c.env(a.url));
        assert.equal(a.requests.chat, 5, `${c.name}: back on A, every answer is a hit`);
        assert.equal(again.tasks['classify[model=m,variant=numeric]'].cacheHits, 5);
        a.resetCounts();
        b.resetCounts();
      }
    });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a GGUF model is keyed by its content: another file at the same relative path misses, the same bytes elsewhere hit', async () => {
  await withTempDir('key-gguf', async (dir) => {
    const cacheDir = path.join(dir, 'cache');
    const project = (name: string, modelPath: string, bytes: string) => {
      const root = path.join(dir, name);
      mkdirSync(path.dirname(path.join(root, modelPath)), { recursive: true });
      writeFileSync(path.join(root, modelPath), bytes);
      writeFileSync(path.join(root, 'items.csv'), items(4));
      writeFileSync(path.join(root, 'p.yaml'), `version: 1
name: gguf-key
models:
  tiny: { provider: llamacpp, model: ${modelPath}, temperature: 0 }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  echo: { kind: ${ECHO_KIND}, needs: [items], with: { models: [tiny] } }
`);
      return root;
    };
    const before = echoCalls.count;
    await runIn(project('a', 'models/m.gguf', 'GGUF weights of model one'), cacheDir);
    assert.equal(echoCalls.count - before, 4);
    const other = await runIn(project('b', 'models/m.gguf', 'GGUF weights of model two'), cacheDir);
    assert.equal(echoCalls.count - before, 8, 'a different model at the same relative path is computed, not served the first one\'s answers');
    assert.equal(other.tasks['echo[model=tiny]'].cacheHits, 0);
    const moved = await runIn(project('c', 'elsewhere/renamed.gguf', 'GGUF weights of model one'), cacheDir);
    assert.equal(echoCalls.count - before, 8, 'the same bytes under another name are the same model');
    assert.equal(moved.tasks['echo[model=tiny]'].cacheHits, 4);
  });
});

/** describe (circumplex templates, no LLM) → embed-score under one embedder; returns the texts it embedded now. */
async function embedRun(dir: string, cacheDir: string): Promise<{ embedded: number; raw: unknown[] }> {
  const result = await runIn(dir, cacheDir);
  const events = readFileSync(path.join(result.runDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; embedded?: number });
  const embedded = events.filter((e) => e.event === 'log' && typeof e.embedded === 'number').reduce((n, e) => n + e.embedded!, 0);
  const scored = readFileSync(path.join(result.runDir, 'tasks', 'similarity[embedder=e,model=base].jsonl'), 'utf8').split('\n').filter(Boolean);
  return { embedded, raw: scored.map((l) => (JSON.parse(l) as { similarity: { raw: unknown } }).similarity.raw) };
}

function embedPipeline(embedder: string): string {
  return `version: 1
name: embed-key
models:
  base: { provider: circumplex }
embedders:
  e: { ${embedder} }
nodes:
  terms: { kind: extract, with: { table: "${TERMS}" } }
  describe: { kind: describe, needs: [terms], with: { models: [base] } }
  similarity: { kind: embed-score, needs: [describe], with: { embedders: [e], nullSamples: 5 } }
`;
}

test('an ONNX model folder is keyed by the content of its files: replacing onnx/model.onnx or tokenizer.json misses', async () => {
  await withTempDir('key-onnx', async (dir) => {
    const cacheDir = path.join(dir, 'cache');
    const words = ['a', 'feeling', 'of', 'happy', 'sad', 'calm', 'excited', 'angry', 'fear', 'and', 'the', 'positive', 'negative'];
    const folder = path.join(dir, 'bert');
    await writeTinyBert({ dir: folder, words, hidden: 8, seed: 1 });
    writeFileSync(path.join(dir, 'p.yaml'), embedPipeline('type: onnx, path: bert'));
    const first = await embedRun(dir, cacheDir);
    assert.ok(first.embedded > 50, `${first.embedded} texts embedded on the first run`);
    assert.equal((await embedRun(dir, cacheDir)).embedded, 0, 'an unchanged folder is served from the cache');

    // New weights, same folder, same file names.
    const other = path.join(dir, 'bert-2');
    await writeTinyBert({ dir: other, words, hidden: 8, seed: 2 });
    writeFileSync(path.join(folder, 'onnx', 'model.onnx'), readFileSync(path.join(other, 'onnx', 'model.onnx')));
    const replaced = await embedRun(dir, cacheDir);
    assert.equal(replaced.embedded, first.embedded, 'every text is embedded again by the new model');
    assert.notDeepEqual(replaced.raw, first.raw, 'and the scores are the new model\'s');

    // Same weights, another vocabulary: the tokenizer decides the vectors too.
    await writeTinyBert({ dir: other, words: [...words].reverse(), hidden: 8, seed: 2 });
    writeFileSync(path.join(folder, 'tokenizer.json'), readFileSync(path.join(other, 'tokenizer.json')));
    assert.equal((await embedRun(dir, cacheDir)).embedded, first.embedded, 'a new tokenizer.json misses too');
  });
});

test('a word-vector file is keyed by its content: another GloVe file at the same path misses', async () => {
  await withTempDir('key-glove', async (dir) => {
    const cacheDir = path.join(dir, 'cache');
    await writeGloveText(path.join(dir, 'vectors.txt'));
    writeFileSync(path.join(dir, 'p.yaml'), embedPipeline('type: word-vectors, path: vectors.txt, format: glove-text'));
    const first = await embedRun(dir, cacheDir);
    // Texts without a known word have no vector and are never cached: they are embedded on every run.
    const unchanged = await embedRun(dir, cacheDir);
    assert.ok(unchanged.embedded < first.embedded, 'an unchanged file is served from the cache');
    assert.ok(first.raw.some((r) => typeof r === 'number'), 'some texts were scored');
    await writeGloveText(path.join(dir, 'vectors.txt'), TOY_VECTORS.map(([word, values]) => [word, values.map((v, i) => (i === 0 ? v + 1 : v))] as const));
    const replaced = await embedRun(dir, cacheDir);
    assert.equal(replaced.embedded, first.embedded, 'every text is embedded again with the new vectors');
    assert.notDeepEqual(replaced.raw, first.raw);
  });
});

test('identical requests share one entry: a matrix over describe\'s wordLimit sends each prompt once', async () => {
  const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen';
  const server = await startOpenAIServer({ responder: fixedResponder(long) });
  try {
    await withTempDir('key-shared', async (dir) => {
      writeFileSync(path.join(dir, 'items.csv'), items(6));
      writeFileSync(path.join(dir, 'p.yaml'), `version: 1
name: shared
models:
  m: { provider: openai, model: x, baseURL: "${server.url}" }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [items], with: { task: describe, variants: { numeric: { format: numeric } } } }
  describe: { kind: describe, needs: [prompts], with: { models: [m] }, matrix: { wordLimit: [3, 5, 8] } }
`);
      const result = await runIn(dir, path.join(dir, 'cache'));
      assert.equal(server.requests.chat, 6, 'three tasks, six prompts, six requests');
      for (const limit of [3, 5, 8]) {
        const file = path.join(result.runDir, 'tasks', `describe[model=m,variant=numeric,wordLimit=${limit}].jsonl`);
        const texts = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
        assert.deepEqual(texts, Array(6).fill(long.split(' ').slice(0, limit).join(' ')), `wordLimit ${limit} is applied to the shared answer`);
      }
      const tasks = Object.entries(result.tasks).filter(([id]) => id.startsWith('describe'));
      assert.equal(tasks.reduce((n, [, s]) => n + s.cacheMisses, 0), 6, 'each request is paid once');
      assert.equal(tasks.reduce((n, [, s]) => n + s.inputTokens, 0), tasks.find(([, s]) => s.inputTokens > 0)![1].inputTokens, 'and its tokens are counted once');
    });
  } finally {
    await server.close();
  }
});

test('an edited input row or prompt misses for that item only; structuredOutput is part of the model identity', async () => {
  const server = await startOpenAIServer({ responder: fixedResponder('happiness') });
  try {
    await withTempDir('key-input', async (dir) => {
      const cacheDir = path.join(dir, 'cache');
      writeFileSync(path.join(dir, 'items.csv'), items(5));
      writeFileSync(path.join(dir, 'p.yaml'), classifyPipeline(`provider: openai, model: x, baseURL: "${server.url}"`));
      await runIn(dir, cacheDir);
      assert.equal(server.requests.chat, 5);
      writeFileSync(path.join(dir, 'items.csv'), items(5).replace('t2,0.00,', 't2,0.05,'));
      const edited = await runIn(dir, cacheDir);
      assert.equal(server.requests.chat, 6, 'only the edited row is asked again');
      assert.equal(edited.tasks['classify[model=m,variant=numeric]'].cacheHits, 4);
      writeFileSync(path.join(dir, 'p.yaml'), classifyPipeline(`provider: openai, model: x, baseURL: "${server.url}"`).replace('format: numeric', 'format: numeric, precision: 3'));
      await runIn(dir, cacheDir);
      assert.equal(server.requests.chat, 11, 'a new prompt format is a new request for every item');
      writeFileSync(path.join(dir, 'p.yaml'), classifyPipeline(`provider: openai, model: x, baseURL: "${server.url}", structuredOutput: false`).replace('format: numeric', 'format: numeric, precision: 3'));
      await runIn(dir, cacheDir);
      assert.equal(server.requests.chat, 16, 'without structured output the model is asked again');
      assert.ok(server.requests.bodies.slice(11).every((b) => b.response_format === undefined));
    });
  } finally {
    await server.close();
  }
});
