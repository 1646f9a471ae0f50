import { readdirSync } from 'node:fs';
import { headlineTable } from './headline-table.js';
import path from 'node:path';
import type { RunResult } from '../scheduler/run-pipeline.js';

/** The closing lines of `vaflow run`: status, counters, where the artifacts are. */
export function printRunSummary(result: RunResult, out: NodeJS.WritableStream): void {
  const stats = Object.values(result.tasks);
  const count = (status: string) => stats.filter((s) => s.status === status).length;
  const sum = (key: 'items' | 'cacheHits' | 'cacheMisses' | 'errors' | 'retries') => stats.reduce((n, s) => n + s[key], 0);
  if (result.failure) out.write(`\nrun failed: ${result.failure}`);
  out.write(`\n${result.status}: ${count('done')} done, ${count('failed')} failed, ${count('skipped')} skipped, ${count('interrupted')} interrupted\n`);
  out.write(`items ${sum('items')}, cache hits ${sum('cacheHits')}, cache misses ${sum('cacheMisses')}, errors ${sum('errors')}, retries ${sum('retries')}\n`);
  for (const [id, s] of Object.entries(result.tasks)) {
    if (s.reason) out.write(`  ${s.status} ${id}: ${s.reason}${s.status === 'failed' ? ` (${s.items} items, ${s.errors} errors)` : ''}\n`);
    if (s.missingInputs?.length) out.write(`  partial ${id}: ran on the inputs that completed, without ${s.missingInputs.join(', ')}\n`);
  }
  out.write(`run folder: ${path.relative(process.cwd(), result.runDir) || '.'}\n`);
  // After a storage failure the run folder may be unreadable: the table and report links are best effort.
  try {
    out.write(headlineTable(result.runDir));
    for (const file of readdirSync(result.runDir).filter((f) => f.endsWith('report.html'))) out.write(`report: ${path.join(result.runDir, file)}\n`);
  } catch (error) {
    if (!result.failure) throw error;
  }
}
