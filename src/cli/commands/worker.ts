import type { Command } from 'commander';
import { UsageError } from '../../errors.js';

interface WorkerFlags {
  readonly redis?: string;
  readonly concurrency: string;
  readonly root?: string;
  readonly lockMs: string;
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected an integer ≥ 1, got "${value}"`);
  return n;
}

/** `vaflow worker --redis URL`: runs item jobs for any coordinator that uses that Redis, until Ctrl-C. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('take item jobs from a Redis queue and run them (see docs/distributed.md); Ctrl-C lets running jobs finish')
    .option('--redis <url>', 'the Redis the coordinator runs with --executor (default: $VAFLOW_EXECUTOR); a password belongs in the variable, not on the command line')
    .option('--concurrency <n>', 'jobs run at once by this worker', '8')
    .option('--root <dir>', 'where the shared folder holding the pipeline is mounted on this machine (default: $VAFLOW_SHARED_ROOT, else the current folder)')
    .option('--lock-ms <ms>', 'how long a job stays with a worker that gives no sign of life; a killed worker\'s jobs move on after about twice this', '30000')
    .action(async (flags: WorkerFlags) => {
      const value = flags.redis ?? process.env.VAFLOW_EXECUTOR;
      if (!value || value === 'local') throw new UsageError('vaflow worker: give --redis redis://host:6379 (or set VAFLOW_EXECUTOR)');
      const concurrency = positiveInteger(flags.concurrency, '--concurrency');
      const lockMs = positiveInteger(flags.lockMs, '--lock-ms');
      if (lockMs < 1000) throw new UsageError(`--lock-ms: at least 1000, got ${lockMs}`);
      const [{ parseRedisUrl }, { sharedRootOf }, { runWorker }, { limitHeapGrowth }] = await Promise.all([
        import('../../run/remote/executor-setting.js'),
        import('../../run/remote/shared-root.js'),
        import('../../run/remote/worker.js'),
        import('../../run/heap-growth.js'),
      ]);
      // A worker makes the run's calls: the same allocation pattern, the same heap policy as `vaflow run`.
      limitHeapGrowth();
      const url = parseRedisUrl(value, flags.redis ? '--redis' : 'VAFLOW_EXECUTOR');
      const stop = new AbortController();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals === 1) return stop.abort(signal);
        // Jobs still running are left to their locks: other workers take them over.
        process.stderr.write(`${signal}: stopping now; unfinished jobs go to other workers\n`);
        process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      await runWorker({
        url,
        concurrency,
        root: sharedRootOf(flags.root, process.env),
        lockMs,
        env: process.env,
        log: (line) => process.stderr.write(`${line}\n`),
        stop: stop.signal,
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
}
