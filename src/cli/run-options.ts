import type { Command } from 'commander';
import { resolveCacheDir } from '../cache/open.js';
import { UsageError } from '../errors.js';
import { addRunsDirOption, resolveRunsDir } from './runs-dir.js';

/**
 * Options of `run` and `plan`; the environment is read here once and passed down as config. `plan`
 * takes the options that change what a run would do (cache use, --only, --limit, --set), so
 * putting `plan` in front of a run's command line shows what it would call; not those that only
 * change how it runs (--runs-dir, --concurrency, --grace-ms, --resume).
 */
export interface PlanFlags {
  readonly cacheDir?: string;
  readonly cache?: boolean;
  readonly refresh?: boolean;
  readonly only: string[];
  readonly limit?: string;
  readonly set: string[];
  readonly json?: boolean;
}

export interface RunFlags extends PlanFlags {
  readonly runsDir?: string;
  readonly concurrency?: string;
  readonly resume?: string;
  readonly graceMs: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** What `plan` and `run` share: the cache, the selection of nodes and items, and --set. */
export function addPlanOptions(command: Command): Command {
  return command
    .option('--cache-dir <dir>', 'cache folder (env VAFLOW_CACHE_DIR; default .vaflow)')
    .option('--no-cache', 'neither read nor write the cache')
    .option('--refresh', 'recompute every item and overwrite its cache entry')
    .option('--only <node>', 'run only this node and the nodes it needs (repeatable, or comma-separated: --only classify,describe)', collect, [])
    .option('--limit <n>', 'read only the first n items of each source (a quick trial run)')
    .option('--set <path=value>', "override a pipeline value for this run, e.g. --set defaults.seed=7 or --set nodes.classify.with.models=[circumplex] (repeatable; validated like the file; recorded in the manifest)", collect, []);
}

export function addRunOptions(command: Command): Command {
  return addRunsDirOption(addPlanOptions(command), 'where run folders go')
    .option('--concurrency <n>', "calls in flight across all tasks (default: the pipeline's defaults.concurrency, else 8)")
    .option('--json', 'machine-readable events on stdout');
}

function positiveInteger(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${option}: expected an integer ≥ 1, got "${text}"`);
  return value;
}

export function resolvePlanFlags(flags: PlanFlags, env: Readonly<Record<string, string | undefined>>) {
  if (flags.cache === false && flags.refresh) throw new UsageError('--no-cache and --refresh contradict each other: pick one');
  const only = flags.only.flatMap((entry) => entry.split(',')).map((id) => id.trim()).filter((id) => id !== '');
  if (flags.only.length > 0 && only.length === 0) throw new UsageError('--only: expected node ids, e.g. --only classify');
  return {
    cacheDir: resolveCacheDir(flags.cacheDir, { ...env }),
    cache: flags.cache === false ? ('off' as const) : flags.refresh ? ('refresh' as const) : ('on' as const),
    only,
    limit: positiveInteger('--limit', flags.limit),
    overrides: flags.set,
  };
}

export function resolveRunFlags(flags: RunFlags, env: Readonly<Record<string, string | undefined>>) {
  const plan = resolvePlanFlags(flags, env);
  if (flags.resume !== undefined) {
    const given = [...(plan.only.length ? ['--only'] : []), ...(plan.limit !== undefined ? ['--limit'] : []), ...(plan.overrides.length ? ['--set'] : [])];
    if (given.length > 0) {
      throw new UsageError(`${given.join(', ')} cannot be given with --resume: a resume runs what the run started with (its --set, --only and --limit are recorded in its manifest and applied again); to change them, start a new run (completed items come from the cache)`);
    }
  }
  return {
    ...plan,
    runsDir: resolveRunsDir(flags.runsDir, env),
    concurrency: positiveInteger('--concurrency', flags.concurrency),
  };
}
