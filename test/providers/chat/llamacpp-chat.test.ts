/**
 * The llamacpp provider on a real GGUF file: a tiny random-weight llama model that the test writes
 * itself (test/helpers/gguf). Its answers are gibberish by construction, so classify must keep them
 * verbatim and count them invalid; a rerun must come from the cache. Runs CPU-only and offline
 * (NODE_LLAMA_CPP_GPU=false, NODE_LLAMA_CPP_SKIP_DOWNLOAD=true: the prebuilt binaries or nothing).
 * node-llama-cpp is an optional dependency that `npm ci` installs (.ci/run does): when it cannot be
 * imported these tests fail and say so; they never skip. The CLI part needs dist/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/util/paths.js';
import { ConfigError } from '../../../src/errors.js';
import type { ChatMessage } from '../../../src/types/records.js';
import type { ChatProvider, ResolvedModel } from '../../../src/types/providers.js';
import { createChatProvider } from '../../../src/providers/chat/registry.js';
import { createLlamaCppChat, hasNodeLlamaCpp, NODE_LLAMA_CPP_VERSION, THREADS_ENV } from '../../../src/providers/chat/llamacpp-chat.js';
import { GIBBERISH_WORDS, writeTinyLlama } from '../../helpers/gguf/tiny-llama.js';

// Read by node-llama-cpp when it is first imported (below, by hasNodeLlamaCpp), and passed to the CLI.
// One thread: ggml's spinning workers crawl on a busy 2-core machine (see threadsOf in llamacpp-chat.ts).
const OFFLINE_CPU_ENV = { NODE_LLAMA_CPP_GPU: 'false', NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true', [THREADS_ENV]: '1' };
Object.assign(process.env, OFFLINE_CPU_ENV);

const MAX_TOKENS = 8;
const TINY: ResolvedModel = { id: 'tiny', provider: 'llamacpp', model: 'tiny.gguf', maxTokens: MAX_TOKENS, temperature: 0 };
let available = false;
let dir: string;
let loaded: Promise<ChatProvider> | undefined;

/** The tiny model loaded once in this process (loading costs seconds; the tests share it). */
function tinyChat(): Promise<ChatProvider> {
  loaded ??= createChatProvider(TINY, { env: {}, specDir: dir });
  return loaded;
}

before(async () => {
  available = await hasNodeLlamaCpp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-llamacpp-'));
  await writeTinyLlama(path.join(dir, 'tiny.gguf'));
  await writeFile(path.join(dir, 'faces.csv'), 'id,valence,arousal,label\nf1,0.87,0.26,happiness\nf2,-0.73,-0.38,sadness\nf3,-0.62,0.3,anger\n');
  await writeFile(path.join(dir, 'p.yaml'), `version: 1
name: llamacpp-e2e
models:
  tiny: { provider: llamacpp, model: tiny.gguf, maxTokens: ${MAX_TOKENS}, temperature: 0 }
nodes:
  faces: { kind: extract, with: { table: faces.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [tiny], labels: basic7 } }
`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The GGUF tests need node-llama-cpp: without it they fail with what to install, never pass or skip silently. */
function requireNodeLlamaCpp(): void {
  assert.ok(available, `node-llama-cpp cannot be imported: it is an optional dependency; install it with npm ci (or npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION})`);
}

/** Every word of the text is one the tiny model can emit: the model answered, nothing else did. */
function isGibberish(text: string): boolean {
  const words = text.trim().split(/\s+/);
  return words.length > 0 && words.every((w) => (GIBBERISH_WORDS as readonly string[]).includes(w));
}

async function run(): Promise<{ code: number; stdout: string; stderr: string; runDir: string }> {
  let code = 0;
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(packageRoot, 'bin/vaflow.js'), 'run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], {
      cwd: dir, env: { ...process.env, ...OFFLINE_CPU_ENV }, encoding: 'utf8',
    }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    code = failed.code ?? 1;
    stdout = failed.stdout ?? '';
    stderr = failed.stderr ?? '';
  }
  const runs = (await readdir(path.join(dir, 'runs'))).sort();
  return { code, stdout, stderr, runDir: path.join(dir, 'runs', runs.at(-1)!) };
}

async function taskRecords(runDir: string, node: string, suffix: '.jsonl' | '.errors.jsonl'): Promise<Record<string, unknown>[]> {
  const tasks = path.join(runDir, 'tasks');
  const files = (await readdir(tasks)).filter((f) => f.startsWith(node) && f.endsWith(suffix) && (suffix !== '.jsonl' || !f.endsWith('.errors.jsonl')));
  const lines: Record<string, unknown>[] = [];
  for (const file of files) {
    const text = await readFile(path.join(tasks, file), 'utf8');
    lines.push(...text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>));
  }
  return lines;
}

test('llamacpp: the provider answers from the GGUF file with text, usage and a length finish', async () => {
  requireNodeLlamaCpp();
  const chat = await tinyChat();
  const messages: ChatMessage[] = [{ role: 'user', content: 'Which emotion is this face showing? Answer with one word.' }];
  const first = await chat.call({ messages, signal: AbortSignal.timeout(60_000) });
  assert.ok(isGibberish(first.text), `gibberish from the tiny model: ${JSON.stringify(first.text)}`);
  assert.equal(first.usage?.outputTokens, MAX_TOKENS, 'the tiny model never ends its answer early');
  assert.ok(first.usage!.inputTokens > messages[0]!.content.length / 2, `the prompt was counted: ${JSON.stringify(first.usage)}`);
  assert.equal(first.finishReason, 'length');

  // A second call on the same provider must work too (each call gets a fresh context sequence), and
  // greedy sampling gives the same answer; a request's own maxTokens overrides the model's.
  const again = await chat.call({ messages, signal: AbortSignal.timeout(60_000) });
  assert.equal(again.text, first.text);
  const short = await chat.call({ messages, maxTokens: 3, signal: AbortSignal.timeout(60_000) });
  assert.equal(short.usage?.outputTokens, 3);
  assert.equal(short.text.trim().split(/\s+/).length, 3, JSON.stringify(short.text));
});

test('llamacpp: a GGUF file llama.cpp cannot load is a ConfigError naming the file', async () => {
  requireNodeLlamaCpp();
  const broken = path.join(dir, 'broken.gguf');
  await writeFile(broken, (await readFile(path.join(dir, 'tiny.gguf'))).subarray(0, 4096));
  await assert.rejects(createChatProvider({ id: 'broken', provider: 'llamacpp', model: broken }, { env: {}, specDir: dir }),
    (e: unknown) => e instanceof ConfigError && e.message.includes('models.broken') && e.message.includes(broken));
});

test('llamacpp: a bad thread count is a ConfigError naming the variable', async () => {
  await assert.rejects(createLlamaCppChat(TINY, { specDir: dir, env: { [THREADS_ENV]: 'two' } }),
    (e: unknown) => e instanceof ConfigError && e.message.includes(THREADS_ENV) && e.message.includes('"two"'));
});

test('llamacpp: extract → prompt-variant → classify through the CLI counts gibberish invalid (truncated), verbatim; a rerun is cached', async () => {
  requireNodeLlamaCpp();
  const first = await run();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(await taskRecords(first.runDir, 'classify', '.errors.jsonl'), []);
  const records = await taskRecords(first.runDir, 'classify', '.jsonl');
  assert.deepEqual(records.map((r) => r.id).sort(), ['f1', 'f2', 'f3']);
  const chat = await tinyChat();
  for (const record of records) {
    assert.equal(record.valid, false, `${record.id}: gibberish is never a class`);
    assert.equal(record.prediction, null);
    assert.equal(record.invalidReason, 'truncated', 'cut at maxTokens before naming a label');
    assert.equal(typeof record.answer, 'string');
    assert.ok(isGibberish(record.answer as string), `${record.id}: ${JSON.stringify(record.answer)}`);
    assert.equal((record.usage as { outputTokens: number }).outputTokens, MAX_TOKENS);
    assert.equal(record.finishReason, 'length');
    // Verbatim: the same prompt asked in this process gets exactly the recorded text (greedy decoding).
    const direct = await chat.call({ messages: record.messages as ChatMessage[], signal: AbortSignal.timeout(60_000) });
    assert.equal(record.answer, direct.text, `${record.id}: the answer is kept as the model wrote it`);
  }

  // The rerun is served from the cache: no call, no miss.
  const rerun = await run();
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  const manifest = JSON.parse(await readFile(path.join(rerun.runDir, 'manifest.json'), 'utf8')) as { tasks: Record<string, { cacheHits: number; cacheMisses: number }> };
  const classify = Object.entries(manifest.tasks).find(([id]) => id.startsWith('classify'))![1];
  assert.deepEqual([classify.cacheHits, classify.cacheMisses], [3, 0]);
  const answers = (rs: Record<string, unknown>[]) => rs.map((r) => [r.id, r.answer, r.valid]).sort();
  assert.deepEqual(answers(await taskRecords(rerun.runDir, 'classify', '.jsonl')), answers(records));

  // Another file at the same path is another model: the cache key holds the file's content, so
  // nothing is served from the first model's answers (this file cannot even be loaded: every item fails).
  const gguf = path.join(dir, 'tiny.gguf');
  await rename(gguf, `${gguf}.away`);
  await writeFile(gguf, 'not a GGUF file any more');
  try {
    const replaced = await run();
    assert.equal(replaced.code, 1, replaced.stdout + replaced.stderr);
    assert.deepEqual(await taskRecords(replaced.runDir, 'classify', '.jsonl'), []);
    assert.equal((await taskRecords(replaced.runDir, 'classify', '.errors.jsonl')).length, 3);
  } finally {
    await rm(gguf);
    await rename(`${gguf}.away`, gguf);
  }
});
