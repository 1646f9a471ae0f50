import type { Command } from 'commander';
import path from 'node:path';

/** Folder used when neither --runs-dir nor VAFLOW_RUNS_DIR is given, relative to the working directory. */
export const DEFAULT_RUNS_DIR = 'runs';
export const RUNS_DIR_ENV = 'VAFLOW_RUNS_DIR';

/** `--runs-dir`, the same on every command that reads or writes run folders; no commander default, so the environment can apply. */
export function addRunsDirOption(command: Command, what = 'where run folders are'): Command {
  return command.option('--runs-dir <dir>', `${what} (default: $${RUNS_DIR_ENV}, else ${DEFAULT_RUNS_DIR} in the working directory)`);
}

/** The runs folder: the --runs-dir flag, else VAFLOW_RUNS_DIR, else `runs`; absolute, against the working directory. */
export function resolveRunsDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return path.resolve(flag !== undefined && flag !== '' ? flag : env[RUNS_DIR_ENV] || DEFAULT_RUNS_DIR);
}
