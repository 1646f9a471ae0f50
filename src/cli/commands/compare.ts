import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addRunsDirOption, resolveRunsDir } from '../runs-dir.js';

interface CompareFlags {
  readonly runsDir?: string;
  readonly resamples: string;
  readonly seed: string;
  readonly json?: boolean;
}

function positiveInt(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

/**
 * `vaflow compare A B [C …]`: the first run is the baseline; every other run is compared with it —
 * per-metric deltas (run − baseline) with intervals, and the paired test where item ids match. Each
 * comparison is reported on its own, with no adjustment across them (docs/statistics.md).
 */
export function register(program: Command): void {
  addRunsDirOption(
    program
      .command('compare')
      .description('compare runs with the first (the baseline): per-metric deltas (run − baseline) with bootstrap intervals and paired tests on shared items')
      .argument('<runs...>', 'two or more runs: id or unique prefix, "latest", "latest~N", or a run folder')
      .option('--resamples <n>', 'bootstrap resamples', '1000')
      .option('--seed <n>', 'bootstrap seed', '42')
      .option('--json', 'print the comparisons as JSON'),
  ).action(async (refs: string[], flags: CompareFlags) => {
    if (refs.length < 2) throw new UsageError(`vaflow compare: give at least two runs (the first is the baseline), got ${refs.length}`);
    const resamples = positiveInt(flags.resamples, '--resamples', 1000);
    const seed = positiveInt(flags.seed, '--seed', 0);
    const [{ loadRunMetrics }, { compareRuns, formatRunComparison }] = await Promise.all([
      import('../../report/run-metrics.js'),
      import('../../report/compare-runs.js'),
    ]);
    const runsDir = resolveRunsDir(flags.runsDir, process.env);
    const [baseline, ...others] = refs.map((ref) => loadRunMetrics(runsDir, ref));
    const confidence = baseline.documents[0].doc.bootstrap.confidence;
    const comparisons = others.map((other) => ({
      a: baseline.runId,
      b: other.runId,
      ...compareRuns(baseline.documents.map((d) => d.doc), other.documents.map((d) => d.doc), { resamples, confidence, seed }),
    }));
    if (flags.json) {
      process.stdout.write(JSON.stringify({ baseline: baseline.runId, comparisons }, null, 2) + '\n');
      return;
    }
    const texts = comparisons.map((c) => formatRunComparison(c, { a: c.a, b: c.b, confidence }));
    process.stdout.write(texts.length === 1 ? texts[0] : texts.map((t, i) => `=== ${i + 1} of ${texts.length}: ${comparisons[i].b} vs baseline ${baseline.runId}\n${t}`).join('\n'));
  });
}
