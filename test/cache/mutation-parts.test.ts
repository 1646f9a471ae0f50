/**
 * The cache mutation scope is measured as the sum of its parts (scripts/mutate-scopes.js,
 * docs/testing.md "Scores"): that sum is the scope's score only if the parts together mutate every
 * file of the scope, each once, and only with tests the whole scope runs too. A new file under
 * src/cache fails this test until a part names it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot as root } from '../../src/util/paths.js';

type Scope = { mutate: string[]; tests: string[]; partOf?: string };
// A plain ES module of the scripts (not compiled): imported from the package root, from sources or dist/ alike.
const { SCOPES: scopes } = (await import(pathToFileURL(path.join(root, 'scripts/mutate-scopes.js')).href)) as { SCOPES: Record<string, Scope> };

test('the parts of the cache mutation scope together mutate each of its files exactly once, with tests of the scope', () => {
  assert.deepEqual(scopes.cache.mutate, ['src/cache/**/*.ts', 'src/util/hash.ts'], 'the scope\'s patterns changed: update this test');
  const scopeFiles = [...readdirSync(path.join(root, 'src/cache')).filter((f) => f.endsWith('.ts')).map((f) => `src/cache/${f}`), 'src/util/hash.ts'].sort();
  const parts = Object.values(scopes).filter((s) => s.partOf === 'cache');
  assert.ok(parts.length >= 2, 'cache is measured in parts');
  const named = parts.flatMap((s) => s.mutate);
  assert.ok(named.every((f) => !/[*!{]/.test(f)), `parts name files, not patterns: ${named.join(', ')}`);
  assert.deepEqual([...named].sort(), scopeFiles);
  // Parts name test files one by one too, each existing and among the whole scope's (test/cache/**).
  for (const file of parts.flatMap((s) => s.tests)) {
    assert.ok(/^test\/cache\/[\w-]+\.test\.ts$/.test(file) && existsSync(path.join(root, file)), `${file} is a test file under test/cache`);
  }
  assert.ok(scopes.cache.tests.includes('test/cache/**/*.test.ts'));
});
