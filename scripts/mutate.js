#!/usr/bin/env node
// `npm run mutate [-- scope ...] [--full] [--concurrency N]`: StrykerJS over the scopes of
// scripts/mutate-scopes.js, one Stryker run per scope (each with its own incremental file under
// reports/mutation/<scope>/, so a rerun tests only mutants whose code or tests changed; --full
// retests everything). Then a summary: the score per scope, and every survivor that is not listed
// as equivalent (with its reason) in scripts/mutate-equivalents.json. Exits 1 when a scope is below
// its threshold or has an unexplained survivor. See docs/testing.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCOPES } from './mutate-scopes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const THRESHOLD = 85;

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const concurrency = option('--concurrency');
const summaryOnly = flag('--summary');
const names = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--concurrency');
for (const name of names) {
  if (!SCOPES[name]) {
    console.error(`mutate: unknown scope "${name}"; scopes: ${Object.keys(SCOPES).join(', ')}`);
    process.exit(2);
  }
}
// A part of a scope (partOf) runs only when named: the whole scope covers it.
const scopes = names.length > 0 ? names : Object.keys(SCOPES).filter((name) => !SCOPES[name].partOf);

/**
 * A survivor is explained when an entry names its file, the source line it is on (whitespace
 * squashed: robust to lines moving, and an edited line must be looked at again), the mutator, the
 * text replaced and the replacement.
 * @type {{ file: string; line: string; mutator: string; original: string; replacement: string; reason: string }[]}
 */
const equivalents = JSON.parse(readFileSync(path.join(root, 'scripts/mutate-equivalents.json'), 'utf8')).equivalents;

/** The source text a mutant replaces. */
function originalText(source, { start, end }) {
  const span = source.split('\n').slice(start.line - 1, end.line);
  span[span.length - 1] = span[span.length - 1].slice(0, end.column - 1);
  span[0] = span[0].slice(start.column - 1);
  return span.join('\n');
}

const squash = (text) => text.replace(/\s+/g, ' ').trim();

function isListedEquivalent(file, source, mutant, original) {
  const line = squash(source.split('\n')[mutant.location.start.line - 1]);
  return equivalents.some((e) => e.file === file && e.line === line && e.mutator === mutant.mutatorName && e.original === squash(original) && e.replacement === squash(mutant.replacement ?? ''));
}

function summarize(scope) {
  const report = path.join(root, 'reports/mutation', scope, 'mutation.json');
  if (!existsSync(report)) return { scope, missing: true };
  const { files } = JSON.parse(readFileSync(report, 'utf8'));
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0 };
  const unexplained = [];
  let equivalent = 0;
  for (const [file, { source, mutants }] of Object.entries(files)) {
    for (const mutant of mutants) {
      count[mutant.status] = (count[mutant.status] ?? 0) + 1;
      if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
      const original = originalText(source, mutant.location);
      if (isListedEquivalent(file, source, mutant, original)) equivalent++;
      else unexplained.push(`${file}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.status} ${mutant.mutatorName}: ${squash(original).slice(0, 80)} → ${squash(mutant.replacement ?? '').slice(0, 80)}`);
    }
  }
  const detected = count.Killed + count.Timeout;
  const undetected = count.Survived + count.NoCoverage;
  const score = (100 * detected) / Math.max(1, detected + undetected);
  const scoreWithoutEquivalents = (100 * detected) / Math.max(1, detected + undetected - equivalent);
  return { scope, count, score, scoreWithoutEquivalents, equivalent, unexplained };
}

// The bundled word vectors' binary form, as `npm test` (scripts/run-tests.js) prepares it: test files
// that need it read it from there instead of each converting the 307 MB JSON into a private folder.
const preparedVectors = path.join(root, 'node_modules/.cache/vaflow-test/vectors');
const vectorEnv = existsSync(preparedVectors) ? { VAFLOW_TEST_VECTORS: preparedVectors } : {};
if (!summaryOnly && !vectorEnv.VAFLOW_TEST_VECTORS) console.log(`mutate: ${preparedVectors} is missing (npm test prepares it); test files that need the bundled vectors convert them each`);

const timings = {};
if (!summaryOnly) {
  for (const scope of scopes) {
    const started = Date.now();
    const strykerArgs = ['stryker', 'run', 'stryker.config.mjs', ...(flag('--full') ? ['--force'] : []), ...(concurrency ? ['--concurrency', concurrency] : [])];
    console.log(`\n== mutate ${scope}: npx ${strykerArgs.join(' ')}`);
    const result = spawnSync('npx', strykerArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...vectorEnv, VAFLOW_MUTATE_SCOPE: scope } });
    timings[scope] = (Date.now() - started) / 1000;
    if (result.status !== 0) {
      console.error(`mutate: stryker failed on scope ${scope} (exit ${result.status})`);
      process.exit(1);
    }
  }
}

let failed = false;
console.log('\nscope        mutants  killed  timeout  survived  no-cov  equivalent  score   score w/o equivalents  time');
for (const scope of scopes) {
  const s = summarize(scope);
  if (s.missing) {
    console.log(`${scope.padEnd(12)} no report yet (npm run mutate -- ${scope})`);
    failed = true;
    continue;
  }
  const total = Object.values(s.count).reduce((a, b) => a + b, 0);
  const time = timings[scope] === undefined ? '' : `${Math.round(timings[scope])} s`;
  const preliminary = SCOPES[scope].partOf ? `  (part of ${SCOPES[scope].partOf})` : '';
  console.log(`${scope.padEnd(12)} ${String(total).padStart(7)} ${String(s.count.Killed).padStart(7)} ${String(s.count.Timeout).padStart(8)} ${String(s.count.Survived).padStart(9)} ${String(s.count.NoCoverage).padStart(7)} ${String(s.equivalent).padStart(11)}  ${s.score.toFixed(1).padStart(5)}%  ${s.scoreWithoutEquivalents.toFixed(1).padStart(6)}%               ${time}${preliminary}`);
  if (s.score < THRESHOLD || s.unexplained.length > 0) failed = true;
  for (const line of s.unexplained) console.log(`  unexplained survivor  ${line}`);
}
process.exit(failed ? 1 : 0);
