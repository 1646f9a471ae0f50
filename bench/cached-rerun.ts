// Cached rerun of a 10,000-item run, whole `vaflow run` process, against bare `node` startup and the cold
// run in the same session. The items call a loopback server through a local kind (test/fixtures/engine).
// Run: npx tsc -p tsconfig.json && node dist/bench/cached-rerun.js [items]
import { spawn } from 'node:child_process';
import { BIN, machine, median, timeNode } from './lib.js';
import { startFlakyServer } from '../test/helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../test/helpers/engine-project.js';

const items = Number(process.argv[2] ?? 10_000);
const server = await startFlakyServer();
const project = makeEngineProject(items);
project.writePipeline(httpPipeline({ url: server.url, settings: 'concurrency: 16' }));
const args = [BIN, 'run', project.pipeline, '--runs-dir', project.runsDir, '--cache-dir', project.cacheDir];

// The server lives in this process, so the CLI runs asynchronously here (spawnSync would block it).
function timeAsync(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: project.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e9) : reject(new Error(stderr))));
  });
}

const cold = await timeAsync();
const callsAfterCold = server.total();
const cached: number[] = [];
const rss: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 5; i++) {
  bare.push(timeNode(['-e', '0']).seconds);
  const r = timeNode(args, { cwd: project.dir });
  if (r.code !== 0) throw new Error(r.stderr);
  cached.push(r.seconds);
  rss.push(r.maxRssMb);
}
if (server.total() !== callsAfterCold) throw new Error('a cached rerun called the server');
await server.close();
project.cleanup();
console.log(`machine: ${machine()}`);
console.log(`items: ${items}`);
console.log(`cold run:            ${cold.toFixed(2)} s (${callsAfterCold} calls)`);
console.log(`cached rerun:        median ${median(cached).toFixed(2)} s over ${cached.length} runs, peak RSS ${Math.max(...rss).toFixed(0)} MB (target ≤ 1.5 s), 0 calls`);
console.log(`bare node startup:   median ${median(bare).toFixed(3)} s`);
console.log(`ratio cached / cold: ${(median(cached) / cold).toFixed(2)}; cached / bare node: ${(median(cached) / median(bare)).toFixed(1)}×`);
