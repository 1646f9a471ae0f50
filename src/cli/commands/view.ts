import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { addRunsDirOption, resolveRunsDir } from '../runs-dir.js';

interface ViewFlags {
  readonly runsDir?: string;
  readonly serve?: boolean;
  readonly port: string;
}

/**
 * `vaflow view`: rebuilds runs/index.html (every run, its headline metrics, links to its reports)
 * and prints its path; with --serve, also serves the runs folder on 127.0.0.1 until Ctrl-C.
 */
export function register(program: Command): void {
  addRunsDirOption(
    program
      .command('view')
      .description('rebuild runs/index.html (all runs with headline metrics and links to their reports); --serve also serves it on 127.0.0.1')
      .option('--serve', 'serve the runs folder on 127.0.0.1 until Ctrl-C')
      .option('--port <n>', 'port for --serve (0: any free port)', '8765'),
  ).action(async (flags: ViewFlags) => {
    const runsDir = resolveRunsDir(flags.runsDir, process.env);
    if (!existsSync(runsDir)) throw new UsageError(`no runs folder at ${runsDir} (run a pipeline first, or give --runs-dir / VAFLOW_RUNS_DIR)`);
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected an integer from 0 to 65535, got "${flags.port}"`);
    const { writeRunsIndex } = await import('../../report/runs-index.js');
    process.stdout.write(`${await writeRunsIndex(runsDir)}\n`);
    if (!flags.serve) return;
    const { serveRuns } = await import('../../report/serve-runs.js');
    const server = await serveRuns(runsDir, { port }).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot serve on 127.0.0.1:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (try --port 0)' : error.message}`);
    });
    process.stdout.write(`serving ${runsDir} at ${server.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
}
