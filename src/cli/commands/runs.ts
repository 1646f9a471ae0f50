import type { Command } from 'commander';
import path from 'node:path';
import { openRunFolder, readRunManifest } from '../../artifacts/run-folder.js';
import { UsageError } from '../../errors.js';
import { addRunsDirOption, resolveRunsDir } from '../runs-dir.js';

export function register(program: Command): void {
  const runs = program.command('runs').description('list and inspect run folders');
  addRunsDirOption(
    runs
      .command('ls')
      .description('list runs, newest last: status (a killed run shows as interrupted), pipeline, models, items, headline metric, cost')
      .option('--json', 'as JSON'),
  ).action(async (flags: { runsDir?: string; json?: boolean }) => {
    const dir = resolveRunsDir(flags.runsDir, process.env);
    const { summariseRuns, formatRunTable } = await import('../../report/run-list.js');
    // Listing only reads the runs folder: the index cache is written where the index is rebuilt (run end, `view`).
    const rows = await summariseRuns(dir, { readOnly: true });
    if (flags.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    if (rows.length === 0) return void process.stdout.write(`no runs in ${dir}\n`);
    process.stdout.write(formatRunTable(rows));
  });
  addRunsDirOption(
    runs
      .command('show')
      .description('show one run: status, per-task counters, tokens and cost per model, totals')
      .argument('<run>', 'run id or unique prefix, "latest", "latest~N", or a run folder')
      .option('--json', 'print the manifest'),
  )
    .action(async (ref: string, flags: { runsDir?: string; json?: boolean }) => {
      const run = openRunFolder(resolveRunsDir(flags.runsDir, process.env), ref);
      const { manifest: m, problem } = readRunManifest(run);
      if (!m) throw new UsageError(`run ${run.id}: ${problem} (${run.manifestFile})`);
      if (flags.json) return void process.stdout.write(JSON.stringify(m, null, 2) + '\n');
      const [{ summariseRun }, { usageByModel, formatUsage }, { readPlan }] = await Promise.all([
        import('../../report/run-list.js'),
        import('../../report/usage.js'),
        import('../../report/run-artifacts.js'),
      ]);
      const summary = await summariseRun(path.dirname(run.dir), run.id);
      const out: string[] = [
        `run ${m.runId}  ${summary.stale !== undefined ? `interrupted (stale: the manifest says running, but ${summary.stale})` : m.status}`,
        `pipeline ${m.pipeline.name} (${m.pipeline.file})${m.pipeline.gitCommit ? ` @ ${m.pipeline.gitCommit.slice(0, 12)}` : ''}`,
        `started ${m.startedAt}${m.endedAt ? `, ended ${m.endedAt}` : ''}; attempts ${m.attempts.length}; seed ${m.seed}`,
        `vaflow ${m.vaflowVersion}, node ${m.environment.node}, ${m.environment.os}`,
      ];
      for (const [id, s] of Object.entries(m.tasks)) {
        out.push(`  ${s.status.padEnd(11)} ${id}  items ${s.items}  cached ${s.cacheHits}  misses ${s.cacheMisses}  errors ${s.errors}  retries ${s.retries}${s.inputTokens + s.outputTokens ? `  tokens ${s.inputTokens}+${s.outputTokens}` : ''}${s.cost !== undefined ? `  cost ${s.cost.toFixed(4)}` : ''}${s.durationMs !== undefined ? `  ${(s.durationMs / 1000).toFixed(1)}s` : ''}${s.reason ? `  (${s.reason})` : ''}`);
      }
      const t = m.totals;
      const plan = readPlan(run.dir);
      const usage = plan ? usageByModel(m.tasks, (id) => plan.tasks[id]?.coords) : [];
      if (usage.length) out.push(formatUsage(usage).trimEnd());
      out.push(`totals: items ${t.items}, cache hits ${t.cacheHits}, cache misses ${t.cacheMisses}, errors ${t.errors}, retries ${t.retries}, tokens ${t.inputTokens}+${t.outputTokens}${t.cost !== undefined ? `, cost ${t.cost.toFixed(4)}` : ''}`);
      process.stdout.write(out.join('\n') + '\n');
    });
}
