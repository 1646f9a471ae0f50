import type { Command } from 'commander';

/** Placeholder until the `compare` command lands. */
export function register(_program: Command): void {}
