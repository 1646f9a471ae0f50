import type { Command } from 'commander';
import path from 'node:path';
import { UsageError } from '../../errors.js';

interface CompareFlags {
  readonly runsDir: string;
  readonly resamples: string;
  readonly seed: string;
  readonly json?: boolean;
}

function positiveInt(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

/** `vaflow compare A B`: per-metric deltas B − A with intervals, and the paired test where item ids match. */
export function register(program: Command): void {
  program
    .command('compare')
    .description('compare two runs: per-metric deltas (B − A) with bootstrap intervals and paired tests on shared items')
    .argument('<runA>', 'run id, "latest", or a run folder')
    .argument('<runB>', 'run id, "latest", or a run folder')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--resamples <n>', 'bootstrap resamples', '1000')
    .option('--seed <n>', 'bootstrap seed', '42')
    .option('--json', 'print the comparison as JSON')
    .action(async (refA: string, refB: string, flags: CompareFlags) => {
      const resamples = positiveInt(flags.resamples, '--resamples', 1000);
      const seed = positiveInt(flags.seed, '--seed', 0);
      const [{ loadRunMetrics }, { compareRuns, formatRunComparison }] = await Promise.all([
        import('../../report/run-metrics.js'),
        import('../../report/compare-runs.js'),
      ]);
      const runsDir = path.resolve(flags.runsDir);
      const a = loadRunMetrics(runsDir, refA);
      const b = loadRunMetrics(runsDir, refB);
      const confidence = a.documents[0].doc.bootstrap.confidence;
      const result = compareRuns(a.documents.map((d) => d.doc), b.documents.map((d) => d.doc), { resamples, confidence, seed });
      if (flags.json) {
        process.stdout.write(JSON.stringify({ a: a.runId, b: b.runId, ...result }, null, 2) + '\n');
        return;
      }
      process.stdout.write(formatRunComparison(result, { a: a.runId, b: b.runId, confidence }));
    });
}
