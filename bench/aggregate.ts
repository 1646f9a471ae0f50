// aggregate on N classification records (two prompt variants × N/2 items, basic-7 labels, default
// metrics, intervals and charts): the whole task in a fresh process (read the upstream JSONL, collect,
// metrics with bootstrap and score intervals, paired comparison, metrics.json/csv, report.html),
// against the same-run baseline of reading and parsing those records alone. Charts are rendered with
// vega and the statistics computed ("cold", no cache); the charts from the cache and the statistics
// computed ("statistics computed": a first run whose charts an earlier run rendered, or a rerun after
// one record changed, with charts whose numbers did not move); or both served from the cache of an
// earlier identical run ("cached", as in a rerun: the records are still read, collected and keyed).
// Run: npm run build && node dist/bench/aggregate.js [sizes, default 1000,10000,100000] [rounds, default 3]
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { machine, median } from './lib.js';

const SELF = fileURLToPath(import.meta.url);
const CACHE_FILE = 'charts.db';
const LABELS = ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral'];

/** Deterministic records shaped as classify writes them (about 500 bytes each). */
async function writeRecords(dir: string, total: number): Promise<string[]> {
  const files: string[] = [];
  let state = 12345;
  const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const variant of ['direct', 'circumplex']) {
    const file = path.join(dir, `classify[model=stub,variant=${variant}].jsonl`);
    const out = createWriteStream(file);
    for (let i = 0; i < total / 2; i++) {
      const valence = (rand() * 2 - 1).toFixed(2);
      const arousal = (rand() * 2 - 1).toFixed(2);
      const label = LABELS[Math.floor(rand() * 7)];
      const prediction = rand() < 0.5 ? label : LABELS[Math.floor(rand() * 7)];
      const record = {
        id: `case-${String(i).padStart(6, '0')}`, node: 'classify', coords: { variant, model: 'stub' }, valence: Number(valence), arousal: Number(arousal), label, vaSource: 'table',
        messages: [{ role: 'user', content: `Given valence ${valence} and arousal ${arousal}, which emotion is being expressed? Answer with exactly one word from: ${LABELS.join(', ')}.` }],
        prediction, valid: true, answer: prediction, labelSet: 'basic7', finishReason: 'stop', readerVersion: '2', usage: { inputTokens: 42, outputTokens: 1 },
      };
      if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
    }
    await new Promise((resolve) => out.end(resolve));
    files.push(file);
  }
  return files;
}

/**
 * Child: one measurement in a fresh process; prints { ms, cpuMs } (the task, or the baseline read).
 * What a run has loaded and opened before its aggregate task starts (the record reader, the cache
 * store with its database, the task context) comes before the clock; the aggregate kind's own modules
 * are loaded after it, as in a run, where the task imports them when it starts.
 */
async function child(mode: string, dir: string, files: string[]): Promise<void> {
  const { readJsonl, readJsonlFiles } = await import('../src/artifacts/jsonl.js');
  const { taskContext } = await import('../test/helpers/kind-context.js');
  const { SqliteCacheStore } = await import('../src/cache/sqlite-store.js');
  const cache = mode === 'read' || mode === 'no-cache' ? null : new SqliteCacheStore({ file: path.join(dir, CACHE_FILE) });
  const ctx = taskContext({ params: {}, nodeId: 'scores', runDir: dir, cache });
  const started = performance.now();
  const cpu = process.cpuUsage();
  if (mode === 'read') {
    let n = 0;
    for (const file of files) for await (const _ of readJsonl(file)) n++;
    if (n === 0) throw new Error('no records');
  } else {
    const { default: aggregate } = await import('../nodes/aggregate/index.js');
    // As the scheduler hands a batch task its upstream records (src/scheduler/run-task.ts).
    const inputs = () => readJsonlFiles<Record<string, unknown>>(files);
    let rows = 0;
    for await (const _ of aggregate.batch(inputs as never, ctx)) rows++;
    if (rows === 0) throw new Error('no metric rows');
  }
  // Closing commits what the task wrote to the cache (the statistics, the charts): its cost is the task's.
  cache?.close();
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }) + '\n');
}

interface Measured { readonly ms: number; readonly cpuMs: number }

async function measure(mode: string, dir: string, files: string[]): Promise<Measured> {
  if (mode === 'compute') {
    // The statistics' entries go before the child starts (imported here, not at the top: the child is this file and must not load it before its clock starts).
    const { SqliteCacheStore } = await import('../src/cache/sqlite-store.js');
    const cache = new SqliteCacheStore({ file: path.join(dir, CACHE_FILE) });
    const cleared = cache.clear({ namespaces: ['computed:metrics'] });
    cache.close();
    if (cleared === 0) throw new Error('compute: no cached statistics to clear');
  }
  const result = spawnSync(process.execPath, [SELF, '--child', mode, dir, ...files], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${mode}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Measured;
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
  const rounds = Number(process.argv[3] ?? 3);
  console.log(machine());
  console.log('Wall ms (CPU ms), medians. The CPU time is what a loaded machine does not inflate.');
  console.log('| records | read + parse (baseline) | aggregate, charts rendered (vega) | aggregate, statistics computed (charts cached) | aggregate, a rerun (charts and statistics cached) | cached / baseline (wall) | CPU ms per 1,000 records (statistics computed) | CPU ms per 1,000 records (cached) |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-bench-aggregate-'));
    try {
      const files = await writeRecords(dir, size);
      // Fills the cache (charts, and the statistics: ctx.providers.computeCached) once, so that "cached" reads what a rerun would.
      await measure('cache', dir, files);
      const times: Record<string, Measured[]> = { read: [], 'no-cache': [], compute: [], cache: [] };
      for (let r = 0; r < rounds; r++) for (const mode of Object.keys(times)) times[mode].push(await measure(mode, dir, files));
      const wall = (mode: string) => median(times[mode].map((t) => t.ms));
      const cpu = (mode: string) => median(times[mode].map((t) => t.cpuMs));
      const cell = (mode: string) => `${wall(mode).toFixed(0)} (${cpu(mode).toFixed(0)})`;
      console.log(`| ${size.toLocaleString('en')} | ${cell('read')} | ${cell('no-cache')} | ${cell('compute')} | ${cell('cache')} | ${(wall('cache') / wall('read')).toFixed(2)}× | ${((cpu('compute') / size) * 1000).toFixed(1)} | ${((cpu('cache') / size) * 1000).toFixed(1)} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`load after: ${os.loadavg().map((l) => l.toFixed(1)).join('/')}`);
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv.slice(5));
else await main();
