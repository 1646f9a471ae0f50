// The code `npm run mutate` mutates, split into scopes that can run alone, each with the test files
// that exercise it (run from the TypeScript sources by tsx). Scopes are the code whose bugs change
// published numbers or money spent (issue 19). Test files that only drive the CLI in a child process
// (which runs dist/, not the mutated sources) are left out: they cannot see a mutant.

/** @type {Record<string, { mutate: string[]; tests: string[]; note?: string }>} */
export const SCOPES = {
  stats: {
    mutate: ['src/stats/**/*.ts'],
    tests: ['test/stats/**/*.test.ts'],
  },
  labels: {
    mutate: ['src/labels/**/*.ts'],
    tests: [
      'test/labels/**/*.test.ts',
      'test/nodes/classify/classify.test.ts',
      'test/nodes/describe/**/*.test.ts',
      'test/baselines/**/*.test.ts',
    ],
  },
  'embed-score': {
    mutate: ['nodes/embed-score/**/*.ts', '!nodes/embed-score/**/*.generated.ts'],
    tests: ['test/nodes/embed-score/**/*.test.ts', 'test/kinds.test.ts'],
  },
  aggregate: {
    mutate: ['nodes/aggregate/**/*.ts', '!nodes/aggregate/**/*.generated.ts'],
    tests: ['test/nodes/aggregate/**/*.test.ts', 'test/report/markdown.test.ts', 'test/kinds.test.ts'],
  },
  cache: {
    mutate: ['src/cache/**/*.ts'],
    tests: ['test/cache/**/*.test.ts', 'test/scheduler/run-pipeline.test.ts', 'test/nodes/embed-score/index.test.ts'],
    note: 'being rewritten by the engine work (issue 19 split): measured on main as a preliminary figure',
  },
  retry: {
    mutate: ['src/scheduler/retry.ts', 'src/scheduler/provider-limiter.ts'],
    tests: ['test/scheduler/retry*.test.ts', 'test/scheduler/provider-limiter*.test.ts', 'test/scheduler/run-pipeline.test.ts'],
    note: 'being rewritten by the engine work (issue 19 split): measured on main as a preliminary figure',
  },
};
