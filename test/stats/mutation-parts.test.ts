/**
 * The stats mutation scope is measured as the sum of its parts (scripts/mutate-scopes.js,
 * docs/testing.md "Scores"): that sum is the scope's score only if the parts together mutate every
 * file of the scope, each once, and the whole scope runs every test file a part runs. A new file under
 * src/stats fails this test until a part names it.
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

const parts = Object.entries(scopes).filter(([, s]) => s.partOf === 'stats');

/** A pattern with one {a,b} group as the paths it names (the only glob form the parts use). */
function expandBraces(pattern: string): string[] {
  const brace = /\{([^}]+)\}/.exec(pattern);
  return brace ? brace[1].split(',').map((name) => pattern.replace(brace[0], name)) : [pattern];
}

/** The files the stats scope's patterns select: src/stats/**\/*.ts without record-grouping.ts. */
function statsFiles(): string[] {
  assert.deepEqual(scopes.stats.mutate, ['src/stats/**/*.ts', '!src/stats/record-grouping.ts'], 'the scope\'s patterns changed: update statsFiles()');
  const walk = (dir: string): string[] => readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
  return walk('src/stats').filter((f) => f.endsWith('.ts') && f !== 'src/stats/record-grouping.ts').sort();
}

test('the parts of the stats mutation scope together mutate each of its files exactly once', () => {
  assert.ok(parts.length >= 2, 'stats is measured in parts');
  const named = parts.flatMap(([, s]) => s.mutate);
  assert.ok(named.every((f) => !/[*!{]/.test(f)), `parts name files, not patterns: ${named.join(', ')}`);
  assert.deepEqual([...named].sort(), statsFiles());
});

test('each stats part runs test files that exist, and the whole scope runs all of them', () => {
  // The whole scope runs every test file under test/stats, so measuring it in one go sees what the parts see.
  assert.deepEqual(scopes.stats.tests, ['test/stats/**/*.test.ts'], 'the scope\'s tests changed: update this check');
  for (const [name, part] of parts) {
    const files = part.tests.flatMap(expandBraces);
    assert.ok(files.length > 0, `${name} names its tests`);
    for (const file of files) {
      assert.match(file, /^test\/stats\/[^/*{}]+\.test\.ts$/, `${name}: ${file} is a file under test/stats`);
      assert.ok(existsSync(path.join(root, file)), `${name}: ${file} exists`);
    }
  }
});
