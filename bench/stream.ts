// 1,000,000-row table → extract → prompt-variant streamed to JSONL: items/s and peak RSS of the whole
// `vaflow run` process, against a bare streaming baseline (read CSV lines, write JSONL) in the same run.
// Run: npx tsc -p tsconfig.json && node dist/bench/stream.js [rows]
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { BIN, machine, timeNode } from './lib.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-bench-stream-'));
const table = path.join(dir, 'items.csv');
const out = createWriteStream(table);
out.write('id,valence,arousal,label\n');
for (let i = 0; i < rows; i++) {
  if (!out.write(`i${i},${(((i % 201) - 100) / 100).toFixed(2)},${((((i * 7) % 201) - 100) / 100).toFixed(2)},happiness\n`)) await once(out, 'drain');
}
await new Promise((r) => out.end(r));
writeFileSync(path.join(dir, 'p.yaml'), `version: 1
name: stream
nodes:
  faces: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric, precision: 2 } } } }
`);
const baselineScript = path.join(dir, 'baseline.mjs');
writeFileSync(baselineScript, `
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
const out = createWriteStream(process.argv[3]);
let header;
for await (const line of createInterface({ input: createReadStream(process.argv[2]) })) {
  if (!header) { header = line.split(','); continue; }
  const c = line.split(',');
  const rec = { id: c[0], valence: Number(c[1]), arousal: Number(c[2]), label: c[3], messages: [{ role: 'user', content: 'valence ' + c[1] + ', arousal ' + c[2] }] };
  if (!out.write(JSON.stringify(rec) + '\\n')) await once(out, 'drain');
}
out.end();
`);
const base = timeNode([baselineScript, table, path.join(dir, 'baseline.jsonl')]);
const run = timeNode([BIN, 'run', 'p.yaml', '--runs-dir', path.join(dir, 'runs'), '--cache-dir', path.join(dir, 'cache')], { cwd: dir });
if (run.code !== 0) throw new Error(`run failed: ${run.stderr.slice(-2000)}`);
rmSync(dir, { recursive: true, force: true });
console.log(`machine: ${machine()}`);
console.log(`rows: ${rows}`);
console.log(`vaflow run (extract → prompt-variant → JSONL): ${run.seconds.toFixed(1)} s, ${(rows / run.seconds).toFixed(0)} items/s, peak RSS ${run.maxRssMb.toFixed(0)} MB (target ≤ 500 MB)`);
console.log(`bare stream baseline (CSV → JSONL):            ${base.seconds.toFixed(1)} s, ${(rows / base.seconds).toFixed(0)} items/s, peak RSS ${base.maxRssMb.toFixed(0)} MB`);
console.log(`throughput ratio vaflow / baseline: ${(base.seconds / run.seconds).toFixed(2)}`);
