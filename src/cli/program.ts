import { Command } from 'commander';
import { vaflowVersion } from '../util/paths.js';
import * as validate from './commands/validate.js';
import * as schema from './commands/schema.js';
import * as plan from './commands/plan.js';
import * as run from './commands/run.js';
import * as runs from './commands/runs.js';
import * as cache from './commands/cache.js';
import * as report from './commands/report.js';
import * as compare from './commands/compare.js';
import * as importCmd from './commands/import.js';
import * as view from './commands/view.js';
import * as worker from './commands/worker.js';
import * as workers from './commands/workers.js';

/** Each command module registers itself; heavy work is imported inside its action, so `validate` stays fast. */
export function createProgram(): Command {
  const program = new Command('vaflow')
    .description('Declarative benchmark pipelines: can language models read facial affect from valence–arousal values?')
    .version(vaflowVersion)
    .exitOverride()
    .showHelpAfterError();
  for (const command of [validate, schema, plan, run, runs, cache, report, compare, view, importCmd, worker, workers]) command.register(program);
  return program;
}
