import type { Command } from 'commander';
import { addCommonRunOptions, resolveRunFlags, type CommonRunFlags } from '../run-options.js';

export function register(program: Command): void {
  addCommonRunOptions(
    program
      .command('plan')
      .description('print the expanded task graph and, per task, its items and how many are already cached; calls no model')
      .argument('<file>', 'pipeline YAML file'),
  ).action(async (file: string, flags: CommonRunFlags) => {
    const resolved = resolveRunFlags(flags, process.env);
    const [{ runPipeline }, { formatPlan }] = await Promise.all([import('../../scheduler/run-pipeline.js'), import('../plan-table.js')]);
    const result = await runPipeline({ file, ...resolved, cache: resolved.cache === 'off' ? 'off' : 'on', env: process.env, dryRun: true });
    process.stdout.write(flags.json ? JSON.stringify({ graph: result.graph, tasks: result.tasks }, null, 2) + '\n' : formatPlan(result));
  });
}
