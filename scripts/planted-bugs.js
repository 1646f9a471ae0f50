#!/usr/bin/env node
// Plants, one at a time, the one-line bugs of issue 19's table in a copy of the sources and runs the
// test files that should catch each (from the TypeScript sources, with tsx). A bug "survives" when its
// tests still pass. The sources in the worktree are never touched. A bug whose `find` text no longer
// occurs exactly once is reported as stale (the code moved on: update the entry, do not drop it).
//
//   node scripts/planted-bugs.js            every bug
//   node scripts/planted-bugs.js holm retry  bugs whose name contains one of the words
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @type {{ name: string; file: string; find: string; replace: string; tests: string[] }[]} */
export const PLANTED_BUGS = [
  {
    name: 'cache-key: the item key ignores the prompt/input (only id and coordinates)',
    file: 'src/scheduler/run-items.ts',
    find: 'const inputHash = sha256(JSON.stringify(input));',
    replace: 'const inputHash = sha256(JSON.stringify({ id: input.id, coords: input.coords }));',
    tests: ['test/cache/key-mutants.test.ts'],
  },
  {
    name: 'cache-key: the model identity drops structuredOutput',
    file: 'src/cache/key.ts',
    find: 'return { provider, model: files ? undefined : name, baseURL: resolved?.baseURL ?? baseURL, temperature, topP, maxTokens, seed, structuredOutput, points, files };',
    replace: 'return { provider, model: files ? undefined : name, baseURL: resolved?.baseURL ?? baseURL, temperature, topP, maxTokens, seed, points, files };',
    tests: ['test/cache/key-mutants.test.ts'],
  },
  {
    name: 'macro-F1 counts classes absent from both truth and predictions as 0',
    file: 'src/stats/single-label.ts',
    find: 'const f1s = perClass(cm).flatMap((c) => (c.f1.value === null ? [] : [c.f1.value]));',
    replace: 'const f1s = perClass(cm).map((c) => c.f1.value ?? 0);',
    tests: ['test/stats/single-label.test.ts', 'test/nodes/aggregate/index.test.ts'],
  },
  {
    name: 'retry: non-retryable errors use up the retry budget',
    file: 'src/scheduler/retry.ts',
    find: 'if (options.signal.aborted || options.stop?.aborted || !isRetryable(cause) || attempt > options.policy.retries || !options.budget.take()) {',
    replace: 'if (options.signal.aborted || options.stop?.aborted || !options.budget.take() || !isRetryable(cause) || attempt > options.policy.retries) {',
    tests: ['test/scheduler/retry-mutants.test.ts'],
  },
  {
    name: 'retry: a Retry-After of 0 is ignored',
    file: 'src/scheduler/retry.ts',
    find: 'if (serverRetryAfterMs !== undefined && serverRetryAfterMs >= 0)',
    replace: 'if (serverRetryAfterMs !== undefined && serverRetryAfterMs > 0)',
    tests: ['test/scheduler/retry-mutants.test.ts'],
  },
  {
    name: 'retry: retries off by one',
    file: 'src/scheduler/retry.ts',
    find: 'attempt > options.policy.retries',
    replace: 'attempt >= options.policy.retries',
    tests: ['test/scheduler/retry-mutants.test.ts'],
  },
  {
    name: 'labels: the first "Answer:" line wins over the final one',
    file: 'src/labels/parse-answer.ts',
    find: 'const last = markers.at(-1);',
    replace: 'const last = markers.at(0);',
    tests: ['test/labels/parse-answer.test.ts', 'test/labels/answer-corpus.test.ts'],
  },
  {
    name: 'labels: the first "Description:" line wins over the final one',
    file: 'src/labels/read-description.ts',
    find: 'const last = markers.at(-1);',
    replace: 'const last = markers.at(0);',
    tests: ['test/labels/read-description.test.ts', 'test/labels/answer-corpus.test.ts'],
  },
  {
    name: 'labels: negation window 3 → 1',
    file: 'src/labels/lexicon.ts',
    find: 'words.slice(Math.max(0, at - 3), at)',
    replace: 'words.slice(Math.max(0, at - 1), at)',
    tests: ['test/labels/parse-answer.test.ts', 'test/labels/answer-corpus.test.ts'],
  },
  {
    name: 'embed-score: the similarity null keeps items with the same reference text',
    file: 'nodes/embed-score/score.ts',
    find: 'excluded: (j) => j === i || items[j].id === item.id || items[j].reference === item.reference,',
    replace: 'excluded: (j) => j === i || items[j].id === item.id,',
    tests: ['test/nodes/embed-score/index.test.ts', 'test/nodes/embed-score/calibration.test.ts'],
  },
  {
    name: 'embed-score: population std (n) in the null',
    file: 'nodes/embed-score/calibration.ts',
    find: '/ (nullSize - 1));',
    replace: '/ nullSize);',
    tests: ['test/nodes/embed-score/calibration.test.ts'],
  },
  {
    name: 'stats: Holm without the step-down maximum',
    file: 'src/stats/multiple-testing.ts',
    find: 'running = Math.max(running, Math.min(1, (m - rank) * p));',
    replace: 'running = Math.min(1, (m - rank) * p);',
    tests: ['test/stats/bootstrap.test.ts', 'test/nodes/aggregate/index.test.ts'],
  },
  {
    name: 'stats: Holm without the cap at 1',
    file: 'src/stats/multiple-testing.ts',
    find: 'running = Math.max(running, Math.min(1, (m - rank) * p));',
    replace: 'running = Math.max(running, (m - rank) * p);',
    tests: ['test/stats/bootstrap.test.ts', 'test/nodes/aggregate/index.test.ts'],
  },
  {
    name: 'discordance floor: the union dropped, the floor alone is the interval',
    file: 'src/stats/paired.ts',
    find: 'hull(interval.ci, floor.interval(m, d.value))',
    replace: 'floor.interval(m, d.value)',
    tests: ['test/stats/discordance-floor.test.ts'],
  },
  {
    name: 'discordance floor: the floor dropped, the paired bootstrap alone collapses',
    file: 'src/stats/paired.ts',
    find: 'hull(interval.ci, floor.interval(m, d.value))',
    replace: 'interval.ci',
    tests: ['test/stats/discordance-floor.test.ts'],
  },
  {
    name: 'discordance floor: the scale is the RMS influence without the factor n',
    file: 'src/stats/discordance-floor.ts',
    find: 'Math.sqrt((n * (sumA.get(m)! + sumB.get(m)!)) / 2)',
    replace: 'Math.sqrt((sumA.get(m)! + sumB.get(m)!) / (2 * n))',
    tests: ['test/stats/discordance-floor.test.ts'],
  },
  {
    name: 'discordance floor: pooled rows ignore the effective number of pairs',
    file: 'src/stats/paired.ts',
    find: 'b: correctness(sideB)!, clusters }, confidence);',
    replace: 'b: correctness(sideB)!, clusters: null }, confidence);',
    tests: ['test/stats/discordance-floor.test.ts'],
  },
  {
    name: "discordance floor: Tango's half-widths swapped",
    file: 'src/stats/discordance-floor.ts',
    find: 'value - scale * (d.difference - d.ci[0])), Math.min(bounds[1], value + scale * (d.ci[1] - d.difference))',
    replace: 'value - scale * (d.ci[1] - d.difference)), Math.min(bounds[1], value + scale * (d.difference - d.ci[0]))',
    tests: ['test/stats/discordance-floor.test.ts'],
  },
  {
    name: "discordance floor: only B's influences count",
    file: 'src/stats/discordance-floor.ts',
    find: 'Math.sqrt((n * (sumA.get(m)! + sumB.get(m)!)) / 2)',
    replace: 'Math.sqrt(n * sumB.get(m)!)',
    tests: ['test/stats/discordance-floor.test.ts'],
  },
];

/** A copy of what the tests read (sources, tests, schemas, data), with node_modules linked. */
function makeSandbox() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-planted-'));
  for (const entry of ['package.json', 'tsconfig.json', 'src', 'nodes', 'test', 'schemas', 'data', 'scripts', 'pipelines', 'bin', 'docs']) {
    cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function runTests(dir, tests) {
  const files = tests.flatMap((t) => globSync(t, { cwd: dir }));
  if (files.length === 0) return { ok: false, missing: true, failed: [] };
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...files], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  const failed = [...result.stdout.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]).filter((n) => !files.some((f) => n.endsWith(f)));
  return { ok: result.status === 0, failed, files };
}

const filters = process.argv.slice(2).map((f) => f.toLowerCase());
const bugs = PLANTED_BUGS.filter((b) => filters.length === 0 || filters.some((f) => b.name.toLowerCase().includes(f)));
if (bugs.length === 0) {
  console.error(`no planted bug matches ${filters.join(', ')}`);
  process.exit(2);
}
const sandbox = makeSandbox();
let problems = 0;
try {
  for (const bug of bugs) {
    const file = path.join(sandbox, bug.file);
    const original = readFileSync(file, 'utf8');
    const occurrences = original.split(bug.find).length - 1;
    if (occurrences !== 1) {
      console.log(`STALE     ${bug.name}: the text to break occurs ${occurrences} times in ${bug.file}`);
      problems++;
      continue;
    }
    const clean = runTests(sandbox, bug.tests);
    if (!clean.ok) {
      console.log(`BROKEN    ${bug.name}: ${clean.missing ? 'no test file matches' : 'the tests fail without the bug'} (${bug.tests.join(' ')})`);
      problems++;
      continue;
    }
    writeFileSync(file, original.replace(bug.find, bug.replace));
    try {
      const planted = runTests(sandbox, bug.tests);
      if (planted.ok) problems++;
      console.log(`${planted.ok ? 'SURVIVED' : 'caught  '}  ${bug.name}${planted.ok ? '' : `\n          by: ${planted.failed.slice(0, 4).join(' | ')}${planted.failed.length > 4 ? ` (+${planted.failed.length - 4})` : ''}`}`);
    } finally {
      writeFileSync(file, original);
    }
  }
} finally {
  rmSync(sandbox, { recursive: true, force: true });
}
console.log(problems === 0 ? `all ${bugs.length} planted bugs caught` : `${problems} of ${bugs.length} planted bugs not caught (or stale)`);
process.exit(problems === 0 ? 0 : 1);
