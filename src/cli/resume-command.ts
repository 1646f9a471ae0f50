import path from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { RunFlags } from './run-options.js';
import { showRedisUrl } from '../run/remote/executor-setting.js';

/** An argument as a POSIX shell reads it back unchanged. */
export function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", `'\\''`)}'`;
}

/**
 * How the user reaches this CLI: `npx vaflow` when vaflow is the project in the working directory
 * or installed in its node_modules (not on PATH), plain `vaflow` for a global install.
 */
export function cliInvocation(cwd: string = process.cwd()): string {
  const local = path.resolve(cwd) === packageRoot || packageRoot.startsWith(path.join(path.resolve(cwd), 'node_modules') + path.sep);
  return local ? 'npx vaflow' : 'vaflow';
}

/**
 * The command that continues an interrupted run exactly: its id (not `latest`, which a new run would
 * move), and every option of this invocation a resume needs to find the run and cache and to run as
 * before. --set, --only and --limit are not repeated: the run's manifest holds them.
 */
export function resumeCommand(runId: string, flags: Pick<RunFlags, 'runsDir' | 'cacheDir' | 'cache' | 'concurrency' | 'graceMs'> & { readonly executor?: string }, env: Readonly<Record<string, string | undefined>>): string {
  const args = ['run', '--resume', runId];
  if (flags.runsDir !== undefined && path.resolve(flags.runsDir) !== path.resolve('runs')) args.push('--runs-dir', flags.runsDir);
  // A cache chosen by VAFLOW_CACHE_DIR is named too: the shell that resumes may not have the variable.
  const cacheDir = flags.cacheDir || env.VAFLOW_CACHE_DIR;
  if (cacheDir) args.push('--cache-dir', cacheDir);
  if (flags.cache === false) args.push('--no-cache');
  if (flags.concurrency !== undefined) args.push('--concurrency', flags.concurrency);
  if (flags.graceMs !== '5000') args.push('--grace-ms', flags.graceMs);
  // The Redis executor's workers still hold the run's finished jobs: the resume collects them (a password is never printed).
  if (flags.executor !== undefined) args.push('--executor', showRedisUrl(flags.executor));
  return [cliInvocation(), ...args.map(shellQuote)].join(' ');
}
