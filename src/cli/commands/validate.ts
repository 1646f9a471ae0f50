import type { Command } from 'commander';
import { SpecError, formatIssue, type PositionedIssue } from '../../errors.js';

interface FileReport {
  readonly file: string;
  readonly ok: boolean;
  readonly nodes?: number;
  readonly tasks?: number;
  /** Errors and warnings (`severity: "warning"`), in file order. */
  readonly issues: readonly PositionedIssue[];
}

async function check(file: string): Promise<FileReport> {
  // Imported here so `vaflow --help` and other commands do not load ajv and yaml.
  const { loadPipeline } = await import('../../spec/index.js');
  const { applyEnvironment } = await import('../../spec/environment.js');
  const { createGraph } = await import('../../graph/create-graph.js');
  try {
    // With the environment `run` will have: unset keys of the models it enables are errors.
    const pipeline = await loadPipeline(file, { env: process.env });
    // The same expansion `plan` and `run` use, with the models the environment enables.
    const { spec } = applyEnvironment(pipeline.spec, process.env);
    const tasks = createGraph({ spec, kinds: pipeline.kinds }).order.length;
    return { file, ok: true, nodes: Object.keys(spec.nodes).length, tasks, issues: pipeline.warnings };
  } catch (error) {
    if (error instanceof SpecError) return { file, ok: false, issues: error.issues };
    throw error;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * `vaflow validate FILE...`: `ok  FILE (N nodes, M tasks)` per good file; every issue on stderr (warnings
 * prefixed `warning:`, also for good files); exit 2 if any file has an error.
 */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check pipeline files (schema, kinds, graph, parameters, data files, keys in the environment) and print every problem as file:line:col')
    .argument('<files...>', 'pipeline YAML files')
    .option('--json', 'print one JSON report with every issue on stdout')
    .action(async (files: string[], options: { json?: boolean }) => {
      const reports: FileReport[] = [];
      for (const file of files) reports.push(await check(file));
      if (options.json) {
        process.stdout.write(JSON.stringify({ ok: reports.every((r) => r.ok), files: reports }, null, 2) + '\n');
      } else {
        for (const report of reports) {
          if (report.ok) {
            const tasks = report.tasks === undefined ? '' : `, ${count(report.tasks, 'task')}`;
            const warnings = report.issues.length ? `; ${count(report.issues.length, 'warning')}` : '';
            process.stdout.write(`ok  ${report.file} (${count(report.nodes ?? 0, 'node')}${tasks}${warnings})\n`);
          }
          if (report.issues.length) process.stderr.write(report.issues.map(formatIssue).join('\n') + '\n');
        }
      }
      if (reports.some((report) => !report.ok)) process.exitCode = 2;
    });
}
