// The code `npm run mutate` mutates, split into scopes that can run alone, each with the test files
// that exercise it (run from the TypeScript sources by tsx). Scopes are the code whose bugs change
// published numbers or money spent (issue 19). A scope's own unit tests must kill its mutants: the
// engine-level files that also reach the code (aggregate runs, classify over HTTP) are left out, so
// a run stays within minutes, and so are files that drive the CLI in a child process (it runs dist/,
// not the mutated sources, and cannot see a mutant).

/** @type {Record<string, { mutate: string[]; tests: string[]; partOf?: string }>} */
export const SCOPES = {
  stats: {
    // record-grouping.ts is aggregate's grouping, shared with the report: mutated with aggregate's tests.
    mutate: ['src/stats/**/*.ts', '!src/stats/record-grouping.ts'],
    tests: ['test/stats/**/*.test.ts'],
  },
  labels: {
    mutate: ['src/labels/**/*.ts'],
    // answer-corpus.test.ts serves the same corpus over HTTP (12 s a run): corpus-reading.test.ts reads it directly.
    // sample-data.test.ts reads the bundled Emotic points and term tables through label-sets.ts.
    tests: ['test/labels/{corpus-reading,answer-shapes,label-sets,parse-answer,read-description}.test.ts', 'test/baselines/**/*.test.ts', 'test/data/sample-data.test.ts'],
  },
  'embed-score': {
    // The embedding cache kinds get from ctx.providers.embedder() lives with the engine since issue 18.
    mutate: ['nodes/embed-score/**/*.ts', '!nodes/embed-score/**/*.generated.ts', 'src/scheduler/embed-cached.ts'],
    tests: ['test/nodes/embed-score/**/*.test.ts', 'test/scheduler/embed-cached*.test.ts', 'test/kinds.test.ts'],
  },
  aggregate: {
    mutate: ['nodes/aggregate/**/*.ts', '!nodes/aggregate/**/*.generated.ts', 'src/stats/record-grouping.ts'],
    // The tests of its three parts below (whose mutate lists together are exactly this scope's files;
    // test/nodes/aggregate/mutation-parts.test.ts checks it). index.test.ts and order.test.ts run the
    // kind over realistic record sets with 1000 resamples and the full report (~20–30 s a file run):
    // left out like other engine-level files; node.test.ts calls the kind the same way on a few records.
    tests: ['test/nodes/aggregate/{collect,build-document,node,metrics-cache,code-digest}.test.ts', 'test/stats/record-grouping.test.ts', 'test/kinds.test.ts'],
  },
  cache: {
    // Canonical JSON and sha256 moved to src/util/hash.ts (issue 18): the key is built on them.
    mutate: ['src/cache/**/*.ts', 'src/util/hash.ts'],
    tests: ['test/cache/**/*.test.ts', 'test/scheduler/run-pipeline.test.ts', 'test/nodes/embed-score/index.test.ts'],
  },
  retry: {
    mutate: ['src/scheduler/retry.ts', 'src/scheduler/provider-limiter.ts', 'src/scheduler/limiter/*.ts'],
    // The retry layer's and the limiter's unit tests, and classify through withRetries with the real
    // provider over a loopback server. Files that run whole pipelines also reach the code (retry-mutants,
    // run-pipeline, timeouts: seconds per run, and backoff mutants make them time out) and interrupt
    // ends with a CLI run (dist/, absent from the sandbox): left out to keep a run in minutes.
    tests: ['test/scheduler/{retry,provider-limiter}.test.ts', 'test/nodes/classify/classify.test.ts'],
  },

  // Parts of the scopes above that a busy machine can run in minutes (see docs/testing.md, "Scores").
  'cache-key': {
    partOf: 'cache',
    mutate: ['src/cache/key.ts', 'src/util/hash.ts'],
    tests: ['test/cache/{key,key-mutants,cache-key-sources,source-identity}.test.ts'],
  },
  // The cache scope's in-process unit tests, without the engine-level files (run-pipeline, embed-score).
  'cache-filter': {
    partOf: 'cache',
    mutate: ['src/cache/entry-filter.ts'],
    tests: ['test/cache/entry-filter.test.ts'],
  },
  'cache-store': {
    partOf: 'cache',
    mutate: ['src/cache/{sqlite-store,memory-store,entry-codec}.ts'],
    tests: ['test/cache/{sqlite-store,sqlite-store-errors,sqlite-store-writes,store-contract,entry-filter,entry-codec,memory-store}.test.ts'],
  },
  'aggregate-collect': {
    partOf: 'aggregate',
    mutate: ['nodes/aggregate/collect.ts', 'src/stats/record-grouping.ts'],
    tests: ['test/nodes/aggregate/collect.test.ts', 'test/stats/record-grouping.test.ts'],
  },
  'stats-single-label': {
    partOf: 'stats',
    // Single-label metrics (accuracy, F1, kappa, the confusion margins): the file a busy machine can
    // retest alone when it changes, as it did after the last whole stats run.
    mutate: ['src/stats/single-label.ts'],
    tests: ['test/stats/{single-label,group-metrics}.test.ts'],
  },
  'aggregate-document': {
    partOf: 'aggregate',
    mutate: ['nodes/aggregate/build-document.ts'],
    tests: ['test/nodes/aggregate/build-document.test.ts'],
  },
  'aggregate-node': {
    partOf: 'aggregate',
    // index.ts (the kind: checks, the batch's wiring, file names, yielded rows), the line it writes per
    // failed input, and the digest of the statistics' code that keys its cached statistics.
    mutate: ['nodes/aggregate/index.ts', 'nodes/aggregate/missing-inputs.ts', 'nodes/aggregate/code-digest.ts'],
    tests: ['test/nodes/aggregate/node.test.ts', 'test/nodes/aggregate/metrics-cache.test.ts', 'test/nodes/aggregate/code-digest.test.ts', 'test/kinds.test.ts'],
  },
  // The rate learned from 429s (AIMD with cuts on trial): pure rules on plain state, so their unit
  // tests drive them with an injected clock and pace (under a second a run); the limiter's own tests
  // (20 s of real timers) are the retry scope's.
  'retry-learned-rate': {
    partOf: 'retry',
    mutate: ['src/scheduler/limiter/learned-rate.ts'],
    tests: ['test/scheduler/limiter/learned-rate.test.ts'],
  },
};
