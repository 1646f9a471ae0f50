import type { Command } from 'commander';

/** Placeholder until the `import` command lands. */
export function register(_program: Command): void {}
