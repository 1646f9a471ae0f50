// StrykerJS configuration for `npm run mutate` (see docs/testing.md).
//
// Stryker mutates the TypeScript sources (the report's lines are the .ts lines) and runs the test files
// straight from TypeScript with tsx, so a mutant needs no rebuild: every mutant is compiled into the
// sandbox once (mutant switching) and activated by an environment variable. Each test file is one
// "test" for the TAP runner (node's test runner prints TAP when its stdout is not a terminal), so
// per-test coverage picks, for every mutant, the files that reach it.
//
// The scope is split so a run can be focused: VAFLOW_MUTATE_SCOPE names one entry of SCOPES (the
// helper scripts/mutate.js sets it, one Stryker run per scope, each with its own incremental file).
import { SCOPES } from './scripts/mutate-scopes.js';

const scopeName = process.env.VAFLOW_MUTATE_SCOPE;
const scope = SCOPES[scopeName];
if (!scope) {
  throw new Error(`stryker.config.mjs: set VAFLOW_MUTATE_SCOPE to one of ${Object.keys(SCOPES).join(', ')} (got ${JSON.stringify(scopeName)}); npm run mutate does it for you`);
}

export default {
  testRunner: 'tap',
  tap: {
    testFiles: scope.tests,
    // The hook (coverage, active mutant) first, then tsx so the test imports the mutated .ts files.
    nodeArgs: ['-r', '{{hookFile}}', '--import', 'tsx', '{{testFile}}'],
    forceBail: true,
  },
  mutate: scope.mutate,
  coverageAnalysis: 'perTest',
  // Two cores shared with other work: one test process per Stryker worker.
  concurrency: Number(process.env.VAFLOW_MUTATE_CONCURRENCY ?? 2),
  incremental: true,
  incrementalFile: `reports/mutation/${scopeName}/incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${scopeName}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${scopeName}/mutation.json` },
  clearTextReporter: { allowEmojis: false, logTests: false, reportMutants: true, reportScoreTable: true },
  // The loopback servers and child processes of some tests need more than the default 5 s on a loaded machine.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // One sandbox folder per scope, so scopes can run at once without one run's cleanup removing another's.
  tempDirName: `.stryker-tmp/${scopeName}`,
  // Only what tests read is copied into the sandbox; dist/ is stale there (tests run from the sources).
  ignorePatterns: ['dist', 'runs', 'reports', 'test-artifacts', '.vaflow', 'bench', '*.log', '.stryker-tmp'],
  cleanTempDir: 'always',
};
