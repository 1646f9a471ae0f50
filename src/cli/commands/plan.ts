import type { Command } from 'commander';
import { addCommonRunOptions, resolveRunFlags, type CommonRunFlags } from '../run-options.js';

export function register(program: Command): void {
  addCommonRunOptions(
    program
      .command('plan')
      .description('print the expanded task graph and, per task, its items, item errors and how many are already cached; calls no model')
      .argument('<file>', 'pipeline YAML file'),
  ).action(async (file: string, flags: CommonRunFlags) => {
    const resolved = resolveRunFlags(flags, process.env);
    const [{ runPipeline }, { formatPlan }, { ErrorSamplesLifeCycle, formatErrorSamples }, { formatWarnings }] = await Promise.all([
      import('../../scheduler/run-pipeline.js'),
      import('../plan-table.js'),
      import('../error-samples.js'),
      import('../run-summary.js'),
    ]);
    const errors = new ErrorSamplesLifeCycle();
    const result = await runPipeline({ file, ...resolved, cache: resolved.cache === 'off' ? 'off' : 'on', env: process.env, dryRun: true, lifeCycles: [errors] });
    if (flags.json) {
      process.stdout.write(JSON.stringify({ graph: result.graph, tasks: result.tasks, warnings: result.pipeline.warnings, errors: errors.tasks.map(({ file: _file, ...task }) => task) }, null, 2) + '\n');
      return;
    }
    process.stdout.write(formatPlan(result) + formatErrorSamples(errors.tasks, { showFiles: false }) + formatWarnings(result));
  });
}
