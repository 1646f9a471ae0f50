import type { Command } from 'commander';

/**
 * `vaflow schema`: the composed JSON Schema (pipeline + shared definitions + each built-in kind's
 * params), for editors: `vaflow schema > pipeline.schema.json`, then start a pipeline with
 * `# yaml-language-server: $schema=pipeline.schema.json`.
 */
export function register(program: Command): void {
  program
    .command('schema')
    .description('print the composed JSON Schema of pipeline files (for yaml-language-server and other editors)')
    .action(async () => {
      const { composedSchema } = await import('../../spec/index.js');
      process.stdout.write(JSON.stringify(await composedSchema(), null, 2) + '\n');
    });
}
