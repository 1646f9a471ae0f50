import { Option, type Command } from 'commander';
import { resolveCacheDir } from '../cache/open.js';
import { UsageError } from '../errors.js';
import { addRunsDirOption, resolveRunsDir } from './runs-dir.js';

/** Options shared by `run` and `plan`; the environment is read here once and passed down as config. */
export interface CommonRunFlags {
  readonly runsDir?: string;
  readonly cacheDir?: string;
  readonly cache?: boolean;
  readonly refresh?: boolean;
  readonly concurrency?: string;
  readonly json?: boolean;
}

export function addCommonRunOptions(command: Command): Command {
  return addRunsDirOption(command, 'where run folders go')
    .option('--cache-dir <dir>', 'cache folder (env VAFLOW_CACHE_DIR; default .vaflow)')
    .option('--no-cache', 'neither read nor write the cache')
    .option('--refresh', 'recompute every item and overwrite its cache entry')
    .option('--concurrency <n>', "calls in flight across all tasks (default: the pipeline's defaults.concurrency, else 8)")
    .option('--json', 'machine-readable events on stdout');
}

export function resolveRunFlags(flags: CommonRunFlags, env: Readonly<Record<string, string | undefined>>) {
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError(`--concurrency: expected an integer ≥ 1, got "${flags.concurrency}"`);
  if (flags.cache === false && flags.refresh) throw new UsageError('--no-cache and --refresh contradict each other: pick one');
  return {
    runsDir: resolveRunsDir(flags.runsDir, env),
    cacheDir: resolveCacheDir(flags.cacheDir, { ...env }),
    cache: flags.cache === false ? ('off' as const) : flags.refresh ? ('refresh' as const) : ('on' as const),
    concurrency,
  };
}
