import { Command } from 'commander';
import { vaflowVersion } from '../util/paths.js';

/** A command module: registers its command; heavy work is imported inside its action, so `validate` stays fast. */
interface CommandModule {
  register(program: Command): void;
}

/** Every command, in the order `vaflow --help` lists them. */
const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  validate: () => import('./commands/validate.js'),
  schema: () => import('./commands/schema.js'),
  plan: () => import('./commands/plan.js'),
  run: () => import('./commands/run.js'),
  runs: () => import('./commands/runs.js'),
  cache: () => import('./commands/cache.js'),
  report: () => import('./commands/report.js'),
  compare: () => import('./commands/compare.js'),
  view: () => import('./commands/view.js'),
  import: () => import('./commands/import.js'),
  worker: () => import('./commands/worker.js'),
  workers: () => import('./commands/workers.js'),
};

/**
 * The CLI for `argv`. When argv names a command (`vaflow run …`), only that command's module is
 * loaded: it alone parses the arguments, and its help and errors are the same as with all of them.
 * Anything else (`--help`, `--version`, `help run`, a mistyped command) registers every command.
 */
export async function createProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('vaflow')
    .description('Declarative benchmark pipelines: can language models read facial affect from valence–arousal values?')
    .version(vaflowVersion)
    .exitOverride()
    .showHelpAfterError();
  const named = argv[2];
  const loaders = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
  for (const command of await Promise.all(loaders.map((load) => load()))) command.register(program);
  return program;
}
