// Throughput on the side-by-side workload (../shared/bench/side-by-side: two prompt templates × N
// cases → classify at concurrency 16 → aggregate with its report), at 0 ms server latency:
// `vaflow run` cold (empty cache) and cached (a rerun, whole process including aggregate and the
// report), against the floor measured in the same round: a bare `fetch` loop sending the same
// request bodies at the same concurrency. Server, floor and vaflow are separate processes. Wall,
// CPU (user + system) and peak RSS of each process; the figures are ratios to the same round's floor.
// Run: npm run build && node dist/bench/throughput.js [cases, default 5000 (10,000 calls)] [rounds, default 2] [--compare <other vaflow bin>] [--cold-only]
// --compare: each round also runs the other build's cold run (the two cold runs alternate in order
// from round to round), so a change is measured against the build before it under the same load.
// --cold-only: no cached rerun in the rounds, so the floor and the cold runs of a round sit closer in
// time (on a loaded machine the load moves between them less).
// Helpers for timing one build's cached rerun by hand: `--serve` starts the loopback server (prints its
// URL, ends with stdin) and `--project <dir> <url> [cases]` writes the pipeline and its cases into <dir>.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { BIN, machine, median } from './lib.js';
import { packageRoot } from '../src/util/paths.js';

const SELF = fileURLToPath(import.meta.url);
const HOOK = path.join(packageRoot, 'bench', 'rss-hook.mjs');
const CONCURRENCY = 16;
const MAX_TOKENS = 5;

/** Child: the loopback server (nearest-label answers, no latency). Prints its URL; exits when stdin ends. */
async function serve(): Promise<void> {
  const { startOpenAIServer, nearestLabelResponder } = await import('../test/helpers/openai-server.js');
  const { getLabelSet } = await import('../src/labels/label-sets.js');
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points) });
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

/** Child: the floor. POSTs every body at the concurrency with bare fetch. */
async function floor(url: string, bodiesFile: string): Promise<void> {
  const bodies = readFileSync(bodiesFile, 'utf8').split('\n').filter(Boolean);
  let next = 0;
  let failures = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const response = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-needed' }, body: bodies[next++]! });
      const json = (await response.json()) as { choices?: unknown[] };
      if (!response.ok || !json.choices?.length) failures++;
    }
  }));
  if (failures > 0) throw new Error(`floor: ${failures} failed requests`);
}

interface Usage { readonly wall: number; readonly cpu: number; readonly rssMb: number }

function runNode(args: readonly string[], cwd: string): Promise<Usage> {
  return new Promise((resolve, reject) => {
    const usageFile = path.join(os.tmpdir(), `vaflow-throughput-${process.pid}-${Date.now()}.json`);
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', HOOK, ...args], { cwd, env: { ...process.env, CI: '1', VAFLOW_BENCH_USAGE_FILE: usageFile }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}:\n${stderr}`));
      const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; userMs: number; systemMs: number };
      rmSync(usageFile, { force: true });
      resolve({ wall, cpu: (usage.userMs + usage.systemMs) / 1000, rssMb: usage.maxRssKb / 1024 });
    });
  });
}

function startServer(): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.once('data', (c: Buffer) => resolve({ url: c.toString().trim(), stop: () => child.stdin.end() }));
    child.on('error', reject);
  });
}

/** The side-by-side pipeline: its cases, two templates, classify without structured output, aggregate. */
function project(dir: string, url: string, cases: number): void {
  let state = 12345;
  const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const labels = ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral'];
  const rows = ['id,valence,arousal,label'];
  for (let i = 0; i < cases; i++) rows.push(`case-${i},${rand().toFixed(2)},${rand().toFixed(2)},${labels[Math.floor(((rand() + 1) / 2) * 7) % 7]}`);
  writeFileSync(path.join(dir, 'cases.csv'), rows.join('\n') + '\n');
  writeFileSync(path.join(dir, 'p.yaml'), `version: 1
name: throughput
models:
  stub: { provider: openai, model: stub-model, temperature: 0, maxTokens: ${MAX_TOKENS}, baseURL: "${url}" }
defaults: { concurrency: ${CONCURRENCY}, limits: { openai: { concurrency: ${CONCURRENCY} } } }
nodes:
  cases: { kind: extract, with: { table: cases.csv } }
  prompts:
    kind: prompt-variant
    needs: [cases]
    with:
      task: classify
      labels: basic7
      variants:
        direct: { format: numeric, precision: 2, template: "Given valence {{valence}} and arousal {{arousal}}, which emotion is being expressed? Answer with exactly one word from: happiness, sadness, anger, fear, surprise, disgust, neutral." }
        circumplex: { format: numeric, precision: 2, template: "Valence (pleasantness, -1..1): {{valence}}\\nArousal (activation, -1..1): {{arousal}}\\nWhich emotion fits best: happiness, sadness, anger, fear, surprise, disgust or neutral? Reply with the label only." }
  classify: { kind: classify, needs: [prompts], with: { models: [stub], labels: basic7, structured: false } }
  scores: { kind: aggregate, needs: [classify] }
`);
}

/** The bodies classify sent: the prompt records' messages with the model's settings. */
function requestBodies(dir: string, file: string): void {
  const runs = readdirSync(path.join(dir, 'runs')).filter((name) => !name.includes('.')).sort();
  const tasks = path.join(dir, 'runs', runs.at(-1)!, 'tasks');
  const lines: string[] = [];
  for (const name of readdirSync(tasks).filter((f) => f.startsWith('prompts') && f.endsWith('.jsonl') && !f.endsWith('.errors.jsonl')).sort()) {
    for (const line of readFileSync(path.join(tasks, name), 'utf8').split('\n').filter(Boolean)) {
      const { messages } = JSON.parse(line) as { messages: unknown };
      lines.push(JSON.stringify({ model: 'stub-model', messages, temperature: 0, max_tokens: MAX_TOKENS }));
    }
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const compareAt = process.argv.indexOf('--compare');
  const otherBin = compareAt > 0 ? path.resolve(process.argv[compareAt + 1]!) : undefined;
  const coldOnly = process.argv.includes('--cold-only');
  const positional = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && all[i - 1] !== '--compare');
  const cases = Number(positional[0] ?? 5000);
  const rounds = Number(positional[1] ?? 2);
  console.log(`${machine()}; ${cases} cases × 2 templates = ${2 * cases} calls, concurrency ${CONCURRENCY}, 0 ms latency, ${rounds} rounds`);
  const server = await startServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-bench-throughput-'));
  const results: { floor: Usage; cold: Usage; cached?: Usage; other?: Usage }[] = [];
  try {
    project(dir, server.url, cases);
    const vaflow = [BIN, 'run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'];
    const coldOf = async (bin: string) => {
      rmSync(path.join(dir, 'cache'), { recursive: true, force: true });
      return runNode([bin, ...vaflow.slice(1)], dir);
    };
    for (let round = 0; round < rounds; round++) {
      const otherFirst = otherBin !== undefined && round % 2 === 1;
      const otherBefore = otherFirst ? await coldOf(otherBin) : undefined;
      const cold = await coldOf(BIN);
      const cached = coldOnly ? undefined : await runNode(vaflow, dir);
      const other = otherBin === undefined ? undefined : otherBefore ?? await coldOf(otherBin);
      requestBodies(dir, path.join(dir, 'bodies.jsonl'));
      const floorRun = await runNode([SELF, '--floor', server.url, path.join(dir, 'bodies.jsonl')], dir);
      results.push({ floor: floorRun, cold, ...(cached ? { cached } : {}), ...(other ? { other } : {}) });
      const f = (u: Usage) => `${u.wall.toFixed(2)} s wall, ${u.cpu.toFixed(2)} s CPU, ${u.rssMb.toFixed(0)} MB`;
      console.log(`round ${round + 1}: floor ${f(floorRun)}; cold ${f(cold)}${cached ? `; cached ${f(cached)}` : ''}${other ? `; other build cold ${f(other)}` : ''}; load ${os.loadavg()[0]!.toFixed(1)}`);
    }
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick)).toFixed(2);
  console.log('| run | wall / floor | CPU / floor | peak RSS | target |');
  console.log('|---|---:|---:|---:|---|');
  console.log(`| floor (bare fetch, c=${CONCURRENCY}) | 1 (median ${ratio((r) => r.floor.wall)} s) | 1 (median ${ratio((r) => r.floor.cpu)} s) | ${ratio((r) => r.floor.rssMb)} MB | — |`);
  console.log(`| vaflow cold | ${ratio((r) => r.cold.wall / r.floor.wall)}× | ${ratio((r) => r.cold.cpu / r.floor.cpu)}× | ${ratio((r) => r.cold.rssMb)} MB | ≤ 2.0× wall, ≤ 1.5× CPU, ≤ 200 MB |`);
  if (otherBin) console.log(`| other build (${otherBin}) cold | ${ratio((r) => r.other!.wall / r.floor.wall)}× | ${ratio((r) => r.other!.cpu / r.floor.cpu)}× | ${ratio((r) => r.other!.rssMb)} MB | — |`);
  if (otherBin) console.log(`per round, this build's cold CPU / the other build's: median ${ratio((r) => r.cold.cpu / r.other!.cpu)} (${results.map((r) => (r.cold.cpu / r.other!.cpu).toFixed(2)).join(', ')}); cold CPU / floor by round: ${results.map((r) => (r.cold.cpu / r.floor.cpu).toFixed(2)).join(', ')}`);
  if (!coldOnly) console.log(`| vaflow cached rerun (whole process) | ${ratio((r) => r.cached!.wall / r.floor.wall)}× | ${ratio((r) => r.cached!.cpu / r.floor.cpu)}× | ${ratio((r) => r.cached!.rssMb)} MB | ≤ 0.25× wall |`);
  console.log(`load after: ${os.loadavg().map((l) => l.toFixed(1)).join('/')}`);
}

if (process.argv[2] === '--serve') await serve();
else if (process.argv[2] === '--project') project(process.argv[3]!, process.argv[4]!, Number(process.argv[5] ?? 5000));
else if (process.argv[2] === '--floor') await floor(process.argv[3]!, process.argv[4]!);
else await main();
