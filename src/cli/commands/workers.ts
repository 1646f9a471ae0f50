import type { Command } from 'commander';
import { UsageError } from '../../errors.js';

interface WorkersFlags {
  readonly redis?: string;
  readonly json?: boolean;
}

/** `vaflow workers --redis URL`: the workers alive and the queue's counts. */
export function register(program: Command): void {
  program
    .command('workers')
    .description('show the workers connected to a Redis executor and its queue: waiting, active, done, failed')
    .option('--redis <url>', 'the executor\'s Redis (default: $VAFLOW_EXECUTOR)')
    .option('--json', 'print it as JSON')
    .action(async (flags: WorkersFlags) => {
      const value = flags.redis ?? process.env.VAFLOW_EXECUTOR;
      if (!value || value === 'local') throw new UsageError('vaflow workers: give --redis redis://host:6379 (or set VAFLOW_EXECUTOR)');
      const [{ parseRedisUrl }, { readExecutorStatus, formatExecutorStatus }] = await Promise.all([
        import('../../run/remote/executor-setting.js'),
        import('../../run/remote/executor-status.js'),
      ]);
      const url = parseRedisUrl(value, flags.redis ? '--redis' : 'VAFLOW_EXECUTOR');
      const status = await readExecutorStatus(url);
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatExecutorStatus(status));
    });
}
