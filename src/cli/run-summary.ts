import { existsSync, readdirSync } from 'node:fs';
import { headlineTable } from './headline-table.js';
import path from 'node:path';
import type { RunResult } from '../scheduler/run-pipeline.js';
import { formatUsage, usageByModel } from '../report/usage.js';

/** The closing lines of `vaflow run`: status, counters, where the artifacts are. */
export function printRunSummary(result: RunResult, out: NodeJS.WritableStream): void {
  const stats = Object.values(result.tasks);
  const count = (status: string) => stats.filter((s) => s.status === status).length;
  const sum = (key: 'items' | 'cacheHits' | 'cacheMisses' | 'errors' | 'retries') => stats.reduce((n, s) => n + s[key], 0);
  out.write(`\n${result.status}: ${count('done')} done, ${count('failed')} failed, ${count('skipped')} skipped, ${count('interrupted')} interrupted\n`);
  out.write(`items ${sum('items')}, cache hits ${sum('cacheHits')}, cache misses ${sum('cacheMisses')}, errors ${sum('errors')}, retries ${sum('retries')}\n`);
  for (const [id, s] of Object.entries(result.tasks)) if (s.reason) out.write(`  ${s.status} ${id}: ${s.reason}\n`);
  out.write(formatUsage(usageByModel(result.tasks, (id) => result.graph.tasks[id]?.coords)));
  out.write(`run folder: ${path.relative(process.cwd(), result.runDir) || '.'}\n`);
  out.write(headlineTable(result.runDir));
  for (const file of readdirSync(result.runDir).filter((f) => f.endsWith('report.html'))) out.write(`report: ${path.join(result.runDir, file)}\n`);
  const index = path.join(path.dirname(result.runDir), 'index.html');
  if (existsSync(index)) out.write(`all runs: ${index}\n`);
}
