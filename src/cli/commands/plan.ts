import type { Command } from 'commander';

/** Placeholder until the `plan` command lands. */
export function register(_program: Command): void {}
