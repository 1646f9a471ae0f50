/**
 * Scale-out through the Redis executor (issue 17): the same pipeline in-process and on 1, 2 and 4
 * `vaflow worker` processes through a real redis-server on loopback, in the same benchmark run.
 *
 *   cpu   400 items of a local kind with a fixed CPU cost (sha256 rounds, ~10 ms an item here)
 *   llm   400 classify items against the loopback OpenAI-compatible server at 200 ms latency
 *   noop  2,000 items of the same local kind with no work: what the queue itself adds per item
 *
 * Each figure is the wall time of the whole `vaflow run` process (cold cache, a fresh one per run);
 * workers are started (and ready) before the clock starts. The in-process run has the run's
 * concurrency 16; each worker takes 16 jobs at once (`--concurrency 16`) for llm, 1 for cpu/noop
 * (one core's worth each). For llm the provider's cap is raised to 64 calls in flight (it binds all
 * workers together; at its default of 16 no number of workers sends more than one process does). Overhead per item = (remote wall − in-process wall) / items.
 *
 *   npx tsx bench/scale-out.ts [cpu|llm|noop …]     (needs dist/ and redis-server on PATH)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getLabelSet } from '../src/labels/label-sets.js';
import { nearestLabelResponder, startOpenAIServer } from '../test/helpers/openai-server.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { startWorkers } from '../test/helpers/vaflow-workers.js';
import { runCli } from '../test/helpers/cli.js';

const WORKER_COUNTS = [1, 2, 4];
const ROUNDS_PER_ITEM = 12_000; // sha256 rounds: ~10 ms of one core on the bench machine

/** A local item kind whose cost is a fixed number of sha256 rounds (`rounds: 0` costs nothing). */
const BURN_KIND = `import { createHash } from 'node:crypto';
export default {
  name: 'burn', version: '1', mode: 'item', consumes: ['va'], produces: 'classification',
  paramsSchema: { type: 'object', additionalProperties: false, properties: { rounds: { type: 'integer', minimum: 0 } } },
  async item(input, ctx) {
    let digest = input.id;
    for (let i = 0; i < ctx.params.rounds; i++) digest = createHash('sha256').update(digest).digest('hex');
    const label = input.valence >= 0 ? 'happiness' : 'sadness';
    return { fields: { prediction: label, answer: digest.slice(0, 8), valid: true, labelSet: 'basic7' } };
  },
};
`;

function table(rows: number): string {
  const lines = ['id,valence,arousal,label'];
  for (let i = 0; i < rows; i++) lines.push(`item-${i},${(i / rows - 0.5).toFixed(5)},${(((i * 7) % rows) / rows - 0.5).toFixed(5)},happiness`);
  return lines.join('\n') + '\n';
}

function burnPipeline(rounds: number): string {
  return `version: 1
name: bench-burn
defaults: { concurrency: 16 }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  burn: { kind: ./burn.mjs, needs: [items], with: { rounds: ${rounds} } }
`;
}

function llmPipeline(url: string): string {
  return `version: 1
name: bench-llm
models:
  m: { provider: openai, model: m, baseURL: "${url}", temperature: 0 }
defaults:
  concurrency: 16
  timeoutMs: 30000
  # The provider's own cap (default 16 calls in flight) binds all workers together: raised so that
  # workers can add calls in flight, as a provider with a higher quota allows.
  limits: { openai: { concurrency: 64 } }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [items], with: { labels: basic7, variants: { numeric: { format: numeric, precision: 4 } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [m], labels: basic7 } }
`;
}

interface Scenario { readonly name: string; readonly items: number; readonly pipeline: string; readonly workerConcurrency: number }

async function timeRun(dir: string, cacheDir: string, executor: string | undefined): Promise<number> {
  const started = performance.now();
  const result = await runCli(['run', 'pipeline.yaml', '--runs-dir', 'runs', '--cache-dir', cacheDir, '--json', ...(executor ? ['--executor', executor] : [])], { cwd: dir });
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`vaflow run failed (${result.code}):\n${result.stderr}`);
  return seconds;
}

async function main(): Promise<void> {
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points), latencyMs: 200 });
  const redis = await startRedisServer();
  const scenarios: Scenario[] = [
    { name: 'cpu', items: 400, pipeline: burnPipeline(ROUNDS_PER_ITEM), workerConcurrency: 1 },
    { name: 'llm', items: 400, pipeline: llmPipeline(server.url), workerConcurrency: 16 },
    { name: 'noop', items: 2000, pipeline: burnPipeline(0), workerConcurrency: 1 },
  ];
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| scenario | items | in-process s | 1 worker s (×) | 2 workers s (×) | 4 workers s (×) | queue overhead per item at 4 workers |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  try {
    const only = process.argv.slice(2);
    for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
      const dir = await mkdtemp(path.join(os.tmpdir(), `vaflow-scale-${scenario.name}-`));
      try {
        await writeFile(path.join(dir, 'items.csv'), table(scenario.items));
        await writeFile(path.join(dir, 'burn.mjs'), BURN_KIND);
        await writeFile(path.join(dir, 'pipeline.yaml'), scenario.pipeline);
        let run = 0;
        const local = await timeRun(dir, `cache-${run++}`, undefined);
        const cells: string[] = [];
        let overhead = '';
        for (const count of WORKER_COUNTS) {
          await redis.client().flushall();
          const workers = await startWorkers(count, { redis: redis.url, cwd: dir, concurrency: scenario.workerConcurrency, lockMs: 30_000 });
          try {
            const seconds = await timeRun(dir, `cache-${run++}`, redis.url);
            cells.push(`${seconds.toFixed(2)} (${(local / seconds).toFixed(2)}×)`);
            if (count === 4) overhead = `${(((seconds - local) / scenario.items) * 1000).toFixed(2)} ms`;
          } finally {
            await workers.stop();
          }
        }
        console.log(`| ${scenario.name} | ${scenario.items} | ${local.toFixed(2)} | ${cells.join(' | ')} | ${scenario.name === 'noop' ? overhead : '—'} |`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    console.log(`load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    await redis.close();
    await server.close();
  }
}

await main();
