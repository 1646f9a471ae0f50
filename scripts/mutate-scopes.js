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
    // code-digest.ts keys aggregate's cached statistics (and, since, reused task records and extract's kept checks).
    mutate: ['nodes/aggregate/**/*.ts', '!nodes/aggregate/**/*.generated.ts', 'src/stats/record-grouping.ts', 'src/util/code-digest.ts'],
    // The tests of its three parts below (whose mutate lists together are exactly this scope's files;
    // test/docs/mutation-parts.test.ts checks it). index.test.ts and order.test.ts run the
    // kind over realistic record sets with 1000 resamples and the full report (~20–30 s a file run):
    // left out like other engine-level files; node.test.ts calls the kind the same way on a few records.
    tests: ['test/nodes/aggregate/{collect,build-document,node,metrics-cache}.test.ts', 'test/util/code-digest.test.ts', 'test/stats/record-grouping.test.ts', 'test/kinds.test.ts'],
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
    // The parts' tests below (retry-core, retry-limiter, retry-queue) and learned-rate's (retry-learned-rate).
    tests: ['test/scheduler/retry.test.ts', 'test/scheduler/provider-limiter.test.ts', 'test/scheduler/limiter/*.test.ts', 'test/nodes/classify/classify.test.ts'],
  },

  // Parts of the scopes above that a busy machine can run in minutes (see docs/testing.md, "Scores").
  // The retry scope's parts (learned-rate.ts has its own, retry-learned-rate). Together with it they mutate
  // exactly the scope's files, each once (test/docs/mutation-parts.test.ts checks it).
  'retry-core': {
    partOf: 'retry',
    // The retry layer: the backoff, the budget, the attempt timer and its late window, the run's signals.
    mutate: ['src/scheduler/retry.ts'],
    tests: ['test/scheduler/retry.test.ts'],
  },
  'retry-limiter': {
    partOf: 'retry',
    // The limiter's assembly (slots, pauses, the three rate sources) and limitChat. The clock tests (a
    // second a file run) come first; provider-limiter.test.ts runs ~20 s on real waits (the AIMD rounds
    // alone 9 s) and stays in for what it drives end to end.
    mutate: ['src/scheduler/provider-limiter.ts', 'src/scheduler/limiter/limit-chat.ts'],
    tests: ['test/scheduler/limiter/provider-limiter-clock.test.ts', 'test/scheduler/limiter/limit-chat.test.ts', 'test/scheduler/provider-limiter.test.ts'],
  },
  'retry-queue': {
    partOf: 'retry',
    // The call queue and the header mirror, by their own unit tests on an injected clock (a second each).
    mutate: ['src/scheduler/limiter/call-queue.ts', 'src/scheduler/limiter/header-mirror.ts'],
    tests: ['test/scheduler/limiter/call-queue.test.ts', 'test/scheduler/limiter/header-mirror.test.ts'],
  },
  'cache-key': {
    partOf: 'cache',
    mutate: ['src/cache/key.ts', 'src/util/hash.ts'],
    tests: ['test/cache/key.test.ts', 'test/cache/key-mutants.test.ts', 'test/cache/cache-key-sources.test.ts', 'test/cache/source-identity.test.ts'],
  },
  // The cache scope's in-process unit tests, without the engine-level files (run-pipeline, embed-score).
  // Its four parts together mutate each file of the scope once (test/docs/mutation-parts.test.ts).
  'cache-filter': {
    partOf: 'cache',
    mutate: ['src/cache/entry-filter.ts'],
    tests: ['test/cache/entry-filter.test.ts'],
  },
  'cache-store': {
    partOf: 'cache',
    mutate: ['src/cache/sqlite-store.ts', 'src/cache/memory-store.ts', 'src/cache/entry-codec.ts'],
    // Not sqlite-store-processes.test.ts (child processes, seconds a run: two writers, SIGKILL, the
    // exit hook of a real process); the whole cache scope runs it.
    tests: [
      'test/cache/sqlite-store.test.ts', 'test/cache/sqlite-store-errors.test.ts', 'test/cache/sqlite-store-codes.test.ts',
      'test/cache/sqlite-store-lock-wait.test.ts', 'test/cache/sqlite-store-writes.test.ts', 'test/cache/store-contract.test.ts',
      'test/cache/entry-filter.test.ts', 'test/cache/entry-codec.test.ts', 'test/cache/memory-store.test.ts',
    ],
  },
  // Model file digests, opening the cache folder, --older-than durations and the store interface (types only).
  'cache-files': {
    partOf: 'cache',
    mutate: ['src/cache/file-digest.ts', 'src/cache/open.ts', 'src/cache/duration.ts', 'src/cache/store.ts'],
    tests: ['test/cache/file-digest.test.ts', 'test/cache/open.test.ts', 'test/cache/duration.test.ts'],
  },
  'aggregate-collect': {
    partOf: 'aggregate',
    mutate: ['nodes/aggregate/collect.ts', 'src/stats/record-grouping.ts'],
    tests: ['test/nodes/aggregate/collect.test.ts', 'test/stats/record-grouping.test.ts'],
  },
  // stats in parts: each names its files and the test files that call them (directly or through the
  // code under test), so only those files are instrumented (the mutant switches slow every loop they
  // sit in) and each mutant runs a few fast files, not all of test/stats. Together they mutate each
  // file of the stats scope once (test/docs/mutation-parts.test.ts checks it); the whole scope's
  // score is their sum, a lower bound for a whole run, whose test list holds all of theirs.
  'stats-single-label': {
    partOf: 'stats',
    // Single-label metrics (accuracy, F1, kappa, the confusion margins).
    mutate: ['src/stats/single-label.ts'],
    tests: ['test/stats/{single-label,group-metrics}.test.ts'],
  },
  'stats-bootstrap': {
    partOf: 'stats',
    // Resampling and its intervals (percentile, expanded, BCa), the generator, the binomial and
    // multinomial samplers, Holm, quantiles.
    mutate: ['src/stats/bootstrap.ts', 'src/stats/prng.ts', 'src/stats/binomial.ts', 'src/stats/multiple-testing.ts', 'src/stats/descriptive.ts'],
    tests: ['test/stats/{bootstrap,binomial,counted-resample,distributions,sorted-sample,golden-intervals}.test.ts'],
  },
  'stats-distributions': {
    partOf: 'stats',
    // The beta, t and normal functions behind every exact interval and p-value.
    mutate: ['src/stats/beta.ts', 'src/stats/normal.ts'],
    tests: ['test/stats/{distributions,proportion,proportion-difference,bootstrap,wilcoxon}.test.ts'],
  },
  'stats-proportion': {
    partOf: 'stats',
    // Clopper–Pearson (cluster-adjusted), Tango's paired and Newcombe's unpaired difference intervals.
    mutate: ['src/stats/proportion.ts', 'src/stats/proportion-difference.ts'],
    tests: ['test/stats/{proportion,proportion-difference,group-metrics}.test.ts'],
  },
  'stats-tests': {
    partOf: 'stats',
    // McNemar (exact and clustered), Wilcoxon signed-rank, correlations and the sorted-sample resampler.
    mutate: ['src/stats/mcnemar.ts', 'src/stats/wilcoxon.ts', 'src/stats/correlation.ts', 'src/stats/sorted-sample.ts'],
    tests: ['test/stats/{mcnemar,wilcoxon,correlation,sorted-sample}.test.ts'],
  },
  'stats-paired': {
    partOf: 'stats',
    // Comparisons of two groups on the same items, the group data they resample, and the discordance
    // floor under their classification deltas.
    mutate: ['src/stats/paired.ts', 'src/stats/group-data.ts', 'src/stats/discordance-floor.ts'],
    tests: ['test/stats/{paired,compare-items,counted-resample,golden-intervals,group-metrics,group-data,discordance-floor}.test.ts'],
  },
  'stats-metrics': {
    partOf: 'stats',
    // A group's headline metrics with their intervals, multi-label scores, the Value type.
    mutate: ['src/stats/group-metrics.ts', 'src/stats/multi-label.ts', 'src/stats/value.ts', 'src/stats/stable-order.ts'],
    tests: ['test/stats/{group-metrics,golden-intervals,paired,multi-label,value}.test.ts'],
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
    mutate: ['nodes/aggregate/index.ts', 'nodes/aggregate/missing-inputs.ts', 'src/util/code-digest.ts'],
    tests: ['test/nodes/aggregate/node.test.ts', 'test/nodes/aggregate/metrics-cache.test.ts', 'test/util/code-digest.test.ts', 'test/kinds.test.ts'],
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
