import type { Command } from 'commander';

/** Placeholder until the `cache` command lands. */
export function register(_program: Command): void {}
