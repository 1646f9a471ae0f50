import type { Command } from 'commander';
import path from 'node:path';
import { addPlanOptions, resolvePlanFlags, type PlanFlags } from '../run-options.js';

export function register(program: Command): void {
  addPlanOptions(
    program
      .command('plan')
      .description('print the expanded task graph and, per task, its items, item errors and how many are already cached; calls no model')
      .argument('<file>', 'pipeline YAML file'),
  )
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, flags: PlanFlags) => {
    const resolved = resolvePlanFlags(flags, process.env);
    const [{ runPipeline }, { formatPlan }, { ErrorSamplesLifeCycle, formatErrorSamples }, { formatWarnings }, estimate] = await Promise.all([
      import('../../run/run-pipeline.js'),
      import('../plan-table.js'),
      import('../error-samples.js'),
      import('../run-summary.js'),
      import('../plan-estimate.js'),
    ]);
    const errors = new ErrorSamplesLifeCycle();
    const inputs = new estimate.PlanInputsLifeCycle();
    // A plan writes no run folder: runsDir is never used.
    const result = await runPipeline({ file, ...resolved, runsDir: path.resolve('runs'), env: process.env, dryRun: true, lifeCycles: [errors, inputs] });
    const estimates = estimate.estimateModels(result, inputs);
    if (flags.json) {
      const leftOut = result.notices.map(({ model, reason }) => ({ model, reason }));
      process.stdout.write(JSON.stringify({ graph: result.graph, tasks: result.tasks, leftOut, estimates, warnings: result.pipeline.warnings, errors: errors.tasks.map(({ file: _file, ...task }) => task) }, null, 2) + '\n');
      return;
    }
    process.stdout.write(formatPlan(result) + estimate.formatPlanNotes(result, estimates) + formatErrorSamples(errors.tasks, { showFiles: false }) + formatWarnings(result));
  });
}
