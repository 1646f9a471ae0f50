/**
 * LLM overhead: 10,000 classify items at concurrency 16 against the loopback OpenAI-compatible
 * server (test/helpers/openai-server.ts), at 0 ms and 50 ms server latency, cache on: a cold
 * `vaflow run` (extract → prompt-variant → classify), then a fully cached rerun, each timed as the
 * whole `node bin/vaflow.js run` process. Beside it, the floor: a bare `fetch` loop sending the
 * same 10,000 request bodies at the same concurrency. Server, floor and vaflow are separate
 * processes, so none shares an event loop with another.
 *
 *   npx tsx bench/llm-overhead.ts            (needs dist/: npx tsc -p tsconfig.json)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/util/paths.js';
import { getLabelSet } from '../src/labels/label-sets.js';
import { answerSchema } from '../nodes/classify/index.js';
import { nearestLabelResponder, startOpenAIServer } from '../test/helpers/openai-server.js';

const ITEMS = 10_000;
const CONCURRENCY = 16;
const LATENCIES = [0, 50];
const SELF = fileURLToPath(import.meta.url);
const BIN = path.join(packageRoot, 'bin', 'vaflow.js');
const RSS_HOOK = path.join(packageRoot, 'bench', 'rss-hook.mjs');
const basic7 = getLabelSet('basic7')!;

/** Child mode: serve on 127.0.0.1 with the given latency; print the URL; exit when stdin closes. */
async function serve(latencyMs: number): Promise<void> {
  const server = await startOpenAIServer({ responder: nearestLabelResponder(basic7.points), latencyMs });
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

/** Child mode: the floor. POSTs every body at the given concurrency with bare fetch; prints seconds. */
async function floor(url: string, bodiesFile: string): Promise<void> {
  const bodies = readFileSync(bodiesFile, 'utf8').split('\n').filter(Boolean);
  const started = performance.now();
  let next = 0;
  let failures = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-needed' }, body });
      const json = (await response.json()) as { choices?: unknown[] };
      if (!response.ok || !json.choices?.length) failures++;
    }
  }));
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - started) / 1000, failures }) + '\n');
}

interface ChildResult { seconds: number; maxRssMb: number; code: number | null; stdout: string; stderr: string }

/** Runs node with the RSS hook, asynchronously (the parent keeps no server, but stays responsive). */
function runNode(args: readonly string[], options: { cwd: string; rss?: boolean }): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(os.tmpdir(), `vaflow-llm-rss-${process.pid}-${Date.now()}`);
    const started = performance.now();
    const child = spawn(process.execPath, [...(options.rss ? ['--import', RSS_HOOK] : []), ...args], {
      cwd: options.cwd, env: { ...process.env, VAFLOW_BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      let maxRssMb = NaN;
      try { maxRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024; } catch { /* no hook or died early */ }
      void rm(rssFile, { force: true });
      resolve({ seconds, maxRssMb, code, stdout, stderr });
    });
  });
}

function startServerProcess(latencyMs: number): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--serve', String(latencyMs)], { cwd: packageRoot, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.once('data', (c: Buffer) => resolve({ url: c.toString().trim(), stop: () => child.stdin.end() }));
    child.on('error', reject);
  });
}

function pipelineYaml(url: string): string {
  return `version: 1
name: llm-overhead
defaults: { concurrency: ${CONCURRENCY}, limits: { openai: { concurrency: ${CONCURRENCY} } } }
models:
  gpt: { provider: openai, model: bench-model, baseURL: "${url}", temperature: 0 }
nodes:
  faces: { kind: extract, with: { table: faces.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [gpt], labels: basic7 } }
`;
}

/** Deterministic VA values (a fixed LCG), so every run classifies the same items. */
function facesCsv(): string {
  let state = 12345;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const rows = ['id,valence,arousal'];
  for (let i = 0; i < ITEMS; i++) rows.push(`face-${i},${rand().toFixed(3)},${rand().toFixed(3)}`);
  return rows.join('\n') + '\n';
}

async function runVaflow(dir: string): Promise<ChildResult & { runDir: string }> {
  const result = await runNode([BIN, 'run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache', '--concurrency', String(CONCURRENCY)], { cwd: dir, rss: true });
  if (result.code !== 0) throw new Error(`vaflow run failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  const runs = (await readdir(path.join(dir, 'runs'))).sort();
  return { ...result, runDir: path.join(dir, 'runs', runs.at(-1)!) };
}

/** The exact bodies classify sends: the prompt records' messages, the model's settings, the JSON schema. */
async function requestBodies(runDir: string, file: string): Promise<void> {
  const tasks = path.join(runDir, 'tasks');
  const prompts = (await readdir(tasks)).find((f) => f.startsWith('prompts') && f.endsWith('.jsonl') && !f.endsWith('.errors.jsonl'))!;
  const schema = answerSchema(basic7);
  const lines = (await readFile(path.join(tasks, prompts), 'utf8')).split('\n').filter(Boolean).map((line) => {
    const { messages } = JSON.parse(line) as { messages: unknown };
    return JSON.stringify({
      model: 'bench-model', temperature: 0, messages,
      response_format: { type: 'json_schema', json_schema: { name: schema.name, schema: schema.schema, strict: true } },
    });
  });
  await writeFile(file, lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const latency of LATENCIES) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-llm-bench-'));
    const server = await startServerProcess(latency);
    try {
      await writeFile(path.join(dir, 'faces.csv'), facesCsv());
      await writeFile(path.join(dir, 'p.yaml'), pipelineYaml(server.url));
      const cold = await runVaflow(dir);
      const cached = await runVaflow(dir);
      const bodies = path.join(dir, 'bodies.jsonl');
      await requestBodies(cold.runDir, bodies);
      const floorRun = await runNode(['--import', 'tsx', SELF, '--floor', server.url, bodies], { cwd: packageRoot });
      const floorResult = JSON.parse(floorRun.stdout) as { seconds: number; failures: number };
      if (floorResult.failures) throw new Error(`floor: ${floorResult.failures} failed requests`);
      const overheadMs = ((cold.seconds - floorResult.seconds) / ITEMS) * 1000;
      const line = `| ${latency} ms | ${floorResult.seconds.toFixed(2)} s | ${cold.seconds.toFixed(2)} s | ${overheadMs.toFixed(3)} ms | ${(cold.seconds / floorResult.seconds).toFixed(2)}× | ${cached.seconds.toFixed(2)} s | ${cold.maxRssMb.toFixed(0)} MB / ${cached.maxRssMb.toFixed(0)} MB |`;
      console.log(line);
      rows.push(line);
    } finally {
      server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  console.log(`\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log('| server latency | floor (bare fetch, c=16) | vaflow cold (whole process) | overhead per item above floor | cold / floor | cached rerun (whole process) | peak RSS cold / cached |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === '--serve') await serve(Number(args[0] ?? 0));
else if (mode === '--floor') await floor(args[0]!, args[1]!);
else await main();
