import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { headlineTable } from './headline-table.js';
import { formatErrorSamples, type TaskErrors } from './error-samples.js';
import { formatIssue } from '../errors.js';
import { redact } from '../util/redact.js';
import type { RunResult } from '../run/run-pipeline.js';
import type { LoadedPipeline } from '../spec/index.js';
import { formatUsage, usageByModel } from '../report/usage.js';

/** What the summary reads of a run's result. */
export type SummaryInput = Pick<RunResult, 'status' | 'tasks' | 'runDir' | 'failure' | 'graph'> & { readonly pipeline: Pick<LoadedPipeline, 'warnings'> };

/** The pipeline's warnings (validation that did not stop the run), as `validate` prints them. */
export function formatWarnings(result: Pick<SummaryInput, 'pipeline'>): string {
  const { warnings } = result.pipeline;
  return warnings.length ? `warnings:\n${warnings.map((w) => `  ${formatIssue(w)}`).join('\n')}\n` : '';
}

/**
 * The closing lines of `vaflow run`: status, counters, why tasks failed or were skipped, each task's
 * item errors (count and first messages), the pipeline's warnings, where the artifacts are.
 */
export function printRunSummary(result: SummaryInput, out: NodeJS.WritableStream, errors: readonly TaskErrors[] = []): void {
  const write = (text: string) => out.write(redact(text));
  const stats = Object.values(result.tasks);
  const count = (status: string) => stats.filter((s) => s.status === status).length;
  const sum = (key: 'items' | 'cacheHits' | 'cacheMisses' | 'errors' | 'retries') => stats.reduce((n, s) => n + s[key], 0);
  if (result.failure) write(`\nrun failed: ${result.failure}`);
  write(`\n${result.status}: ${count('done')} done, ${count('failed')} failed, ${count('skipped')} skipped, ${count('interrupted')} interrupted\n`);
  write(`items ${sum('items')}, cache hits ${sum('cacheHits')}, cache misses ${sum('cacheMisses')}, errors ${sum('errors')}, retries ${sum('retries')}\n`);
  for (const [id, s] of Object.entries(result.tasks)) {
    if (s.reason) write(`  ${s.status} ${id}: ${s.reason}${s.status === 'failed' ? ` (${s.items} items, ${s.errors} errors)` : ''}\n`);
    if (s.missingInputs?.length) write(`  partial ${id}: ran on the inputs that completed, without ${s.missingInputs.join(', ')}\n`);
  }
  write(formatErrorSamples(errors, { showFiles: true }));
  write(formatUsage(usageByModel(result.tasks, (id) => result.graph.tasks[id]?.coords)));
  write(formatWarnings(result));
  write(`run folder: ${path.relative(process.cwd(), result.runDir) || '.'}\n`);
  // After a storage failure the run folder may be unreadable: the table and report links are best effort.
  try {
    write(headlineTable(result.runDir));
    for (const file of readdirSync(result.runDir).filter((f) => f.endsWith('report.html'))) write(`report: ${path.join(result.runDir, file)}\n`);
  } catch (error) {
    if (!result.failure) throw error;
  }
  const index = path.join(path.dirname(result.runDir), 'index.html');
  if (existsSync(index)) write(`all runs: ${index}\n`);
}
