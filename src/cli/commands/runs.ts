import type { Command } from 'commander';
import path from 'node:path';
import { listRunIds, openRunFolder, readRunManifest } from '../../artifacts/run-folder.js';
import { UsageError } from '../../errors.js';

export function register(program: Command): void {
  const runs = program.command('runs').description('list and inspect run folders');
  runs
    .command('ls')
    .description('list runs, newest last')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--json', 'as JSON')
    .action((flags: { runsDir: string; json?: boolean }) => {
      const dir = path.resolve(flags.runsDir);
      const rows = listRunIds(dir).map((id) => {
        const { manifest: m, problem } = readRunManifest(openRunFolder(dir, id));
        if (!m) return { id, pipeline: '?', status: 'unreadable', startedAt: '', tasks: 0, problem };
        return { id, pipeline: m.pipeline.name, status: m.status, startedAt: m.startedAt, tasks: Object.keys(m.tasks).length };
      });
      if (flags.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      if (rows.length === 0) return void process.stdout.write(`no runs in ${dir}\n`);
      for (const r of rows) {
        process.stdout.write(r.problem ? `${r.id}  ${r.status.padEnd(11)}  (${r.problem})\n` : `${r.id}  ${r.status.padEnd(11)}  ${r.pipeline}  ${r.tasks} tasks  ${r.startedAt}\n`);
      }
    });
  runs
    .command('show')
    .description('show one run: status, per-task counters, totals')
    .argument('<run>', 'run id, "latest", or a run folder')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--json', 'print the manifest')
    .action((ref: string, flags: { runsDir: string; json?: boolean }) => {
      const run = openRunFolder(path.resolve(flags.runsDir), ref);
      const { manifest: m, problem } = readRunManifest(run);
      if (!m) throw new UsageError(`run ${run.id}: ${problem} (${run.manifestFile})`);
      if (flags.json) return void process.stdout.write(JSON.stringify(m, null, 2) + '\n');
      const out: string[] = [
        `run ${m.runId}  ${m.status}`,
        `pipeline ${m.pipeline.name} (${m.pipeline.file})${m.pipeline.gitCommit ? ` @ ${m.pipeline.gitCommit.slice(0, 12)}` : ''}`,
        `started ${m.startedAt}${m.endedAt ? `, ended ${m.endedAt}` : ''}; attempts ${m.attempts.length}; seed ${m.seed}`,
        `vaflow ${m.vaflowVersion}, node ${m.environment.node}, ${m.environment.os}`,
      ];
      for (const [id, s] of Object.entries(m.tasks)) {
        out.push(`  ${s.status.padEnd(11)} ${id}  items ${s.items}  cached ${s.cacheHits}  misses ${s.cacheMisses}  errors ${s.errors}  retries ${s.retries}${s.inputTokens + s.outputTokens ? `  tokens ${s.inputTokens}+${s.outputTokens}` : ''}${s.cost !== undefined ? `  cost ${s.cost.toFixed(4)}` : ''}${s.durationMs !== undefined ? `  ${(s.durationMs / 1000).toFixed(1)}s` : ''}${s.reason ? `  (${s.reason})` : ''}`);
      }
      const t = m.totals;
      out.push(`totals: items ${t.items}, cache hits ${t.cacheHits}, cache misses ${t.cacheMisses}, errors ${t.errors}, retries ${t.retries}, tokens ${t.inputTokens}+${t.outputTokens}${t.cost !== undefined ? `, cost ${t.cost.toFixed(4)}` : ''}`);
      process.stdout.write(out.join('\n') + '\n');
    });
}
