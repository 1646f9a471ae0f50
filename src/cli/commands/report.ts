import type { Command } from 'commander';
import path from 'node:path';
import { UsageError } from '../../errors.js';

interface ReportFlags {
  readonly format: string;
  readonly runsDir: string;
}

/** `vaflow report RUN`: rebuilds report.html (or prints Markdown tables) from the run's stored metrics, recomputing nothing. */
export function register(program: Command): void {
  program
    .command('report')
    .description('regenerate report.html from a run\'s metrics.json, or print Markdown tables for a paper')
    .argument('<run>', 'run id, "latest", or a run folder')
    .option('--format <format>', 'html (writes the report into the run folder) or md (prints to stdout)', 'html')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .action(async (ref: string, flags: ReportFlags) => {
      if (flags.format !== 'html' && flags.format !== 'md') throw new UsageError(`--format: expected html or md, got "${flags.format}"`);
      const { loadRunMetrics } = await import('../../report/run-metrics.js');
      const loaded = loadRunMetrics(path.resolve(flags.runsDir), ref);
      if (flags.format === 'md') {
        const { renderMarkdown } = await import('../../report/markdown.js');
        process.stdout.write(loaded.documents.map((d) => renderMarkdown(d.doc)).join('\n'));
        return;
      }
      const [{ reportHtml }, { writeFileAtomic }, { outputNames }] = await Promise.all([
        import('../../report/write-outputs.js'),
        import('../../artifacts/atomic-write.js'),
        import('../../report/metrics-document.js'),
      ]);
      for (const { doc, prefixed } of loaded.documents) {
        const file = path.join(loaded.run.dir, outputNames(doc.node, prefixed).html);
        await writeFileAtomic(file, await reportHtml(doc, { runId: loaded.runId, pipelineName: loaded.pipelineName }));
        process.stdout.write(`${file}\n`);
      }
    });
}
