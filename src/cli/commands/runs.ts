import type { Command } from 'commander';

/** Placeholder until the `runs` command lands. */
export function register(_program: Command): void {}
