import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addRunsDirOption, resolveRunsDir } from '../runs-dir.js';

interface ReportFlags {
  readonly format: string;
  readonly runsDir?: string;
}

const FORMATS = ['html', 'md', 'latex'] as const;

/**
 * `vaflow report RUN`: rebuilds report.html, figures/*.svg and predictions.csv from the run's stored
 * metrics and records (recomputing no metric), or prints the tables as Markdown or LaTeX.
 */
export function register(program: Command): void {
  addRunsDirOption(
    program
      .command('report')
      .description('rebuild report.html, figures/*.svg and predictions.csv from a run\'s artifacts, or print its tables as Markdown or LaTeX')
      .argument('<run>', 'run id or unique prefix, "latest", "latest~N", or a run folder')
      .option('--format <format>', 'html (writes into the run folder), md or latex (print to stdout)', 'html'),
  ).action(async (ref: string, flags: ReportFlags) => {
    if (!(FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${flags.format}"`);
    const { loadRunMetrics } = await import('../../report/run-metrics.js');
    const loaded = loadRunMetrics(resolveRunsDir(flags.runsDir, process.env), ref);
    if (flags.format === 'md' || flags.format === 'latex') {
      const render = flags.format === 'md' ? (await import('../../report/markdown.js')).renderMarkdown : (await import('../../report/latex.js')).renderLatex;
      process.stdout.write(loaded.documents.map((d) => render(d.doc)).join('\n'));
      return;
    }
    const { writeReport } = await import('../../report/write-outputs.js');
    for (const { doc, prefixed } of loaded.documents) {
      const files = await writeReport(doc, { dir: loaded.run.dir, prefixed, runId: loaded.runId, pipelineName: loaded.pipelineName });
      process.stdout.write(`${files.html}\n`);
    }
  });
}
