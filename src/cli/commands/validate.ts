import type { Command } from 'commander';

/** Placeholder until the `validate` command lands. */
export function register(_program: Command): void {}
