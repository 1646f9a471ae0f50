import type { Command } from 'commander';
import { addRunOptions, resolveRunFlags, type RunFlags } from '../run-options.js';
import { UsageError } from '../../errors.js';
import { limitHeapGrowth } from '../../run/heap-growth.js';

interface RunCommandFlags extends RunFlags {
  readonly executor?: string;
}

export function register(program: Command): void {
  addRunOptions(
    program
      .command('run')
      .description('run a pipeline; Ctrl-C stops scheduling, lets in-flight calls finish, and can be resumed')
      .argument('[file]', 'pipeline YAML file (optional with --resume)'),
  )
    .option('--resume <run>', 'continue a run (id, "latest" or folder) in its own folder, with the --set, --only and --limit it started with; completed items come from the cache')
    .option('--grace-ms <ms>', 'how long in-flight calls may finish after an interrupt', '5000')
    .option('--executor <url>', 'run item kinds on `vaflow worker` processes through this Redis (redis://host:6379, rediss:// for TLS), or "local" (default: $VAFLOW_EXECUTOR, else defaults.executor, else local)')
    .action(async (file: string | undefined, flags: RunCommandFlags) => {
      if (!file && !flags.resume) throw new UsageError('vaflow run: give a pipeline file, or --resume RUN');
      const resolved = resolveRunFlags(flags, process.env);
      const graceMs = Number(flags.graceMs);
      if (!Number.isInteger(graceMs) || graceMs < 0) throw new UsageError(`--grace-ms: expected a whole number of milliseconds ≥ 0, got "${flags.graceMs}"`);
      const [{ runPipeline }, { ProgressLifeCycle }, { printRunSummary }, { ErrorSamplesLifeCycle }] = await Promise.all([
        import('../../run/run-pipeline.js'),
        import('../../lifecycle/progress.js'),
        import('../run-summary.js'),
        import('../error-samples.js'),
      ]);
      const errors = new ErrorSamplesLifeCycle();
      const stop = new AbortController();
      const abort = new AbortController();
      let interrupts = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write(`\n${signal}: no new items; in-flight calls get ${graceMs} ms (again to stop now)\n`);
          stop.abort(signal);
          setTimeout(() => abort.abort(signal), graceMs).unref();
        } else {
          abort.abort(signal);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // The process's heap policy is the CLI's to set, not runPipeline's: a program that embeds the
      // library keeps its own V8 settings.
      limitHeapGrowth();
      const mode = flags.json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain';
      const result = await runPipeline({
        file,
        resume: flags.resume,
        ...(flags.executor !== undefined ? { executor: flags.executor } : {}),
        ...resolved,
        env: process.env,
        stop: stop.signal,
        abort: abort.signal,
        lifeCycles: [new ProgressLifeCycle({ mode }), errors],
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (!flags.json) printRunSummary(result, process.stdout, errors.tasks);
      if (!flags.json && result.status === 'interrupted') {
        const { resumeCommand } = await import('../resume-command.js');
        process.stdout.write(`to resume: ${resumeCommand(result.runId, flags, process.env)}\n`);
        // Entries this attempt recomputed are in the cache now: the resume reads them instead of recomputing them again.
        if (resolved.cache === 'refresh') process.stdout.write('  (this run used --refresh; the resume as printed takes the items not recomputed yet from the cache: add --refresh to recompute them too, which also recomputes what this attempt did)\n');
      }
      // A storage failure (full disk, no file handles) ends the run: say which file and why, plainly.
      if (result.failure) process.stderr.write(`vaflow: run failed: ${result.failure}\n`);
      process.exitCode = result.status === 'completed' ? 0 : result.status === 'interrupted' ? 130 : 1;
    });
}
