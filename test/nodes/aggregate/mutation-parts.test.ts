/**
 * The aggregate mutation scope is measured as the sum of its parts (scripts/mutate-scopes.js,
 * docs/testing.md "Scores"): that sum is the scope's score only if the parts together mutate every
 * file of the scope, each once. A new file under nodes/aggregate fails this test until a part names it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot as root } from '../../../src/util/paths.js';

type Scope = { mutate: string[]; tests: string[]; partOf?: string };
// A plain ES module of the scripts (not compiled): imported from the package root, from sources or dist/ alike.
const { SCOPES: scopes } = (await import(pathToFileURL(path.join(root, 'scripts/mutate-scopes.js')).href)) as { SCOPES: Record<string, Scope> };

/** The files the aggregate scope's patterns select: nodes/aggregate/**\/*.ts without *.generated.ts, and record-grouping.ts. */
function aggregateFiles(): string[] {
  assert.deepEqual(scopes.aggregate.mutate, ['nodes/aggregate/**/*.ts', '!nodes/aggregate/**/*.generated.ts', 'src/stats/record-grouping.ts'], 'the scope\'s patterns changed: update aggregateFiles()');
  const walk = (dir: string): string[] => readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
  return [...walk('nodes/aggregate').filter((f) => f.endsWith('.ts') && !f.endsWith('.generated.ts')), 'src/stats/record-grouping.ts'].sort();
}

test('the parts of the aggregate mutation scope together mutate each of its files exactly once', () => {
  const parts = Object.entries(scopes).filter(([, s]) => s.partOf === 'aggregate');
  assert.ok(parts.length >= 2, 'aggregate is measured in parts');
  const named = parts.flatMap(([, s]) => s.mutate);
  assert.ok(named.every((f) => !/[*!{]/.test(f)), `parts name files, not patterns: ${named.join(', ')}`);
  assert.deepEqual([...named].sort(), aggregateFiles());
  // The whole scope runs the parts' tests, so measuring it in one go sees what the parts see.
  const partTests = new Set(parts.flatMap(([, s]) => s.tests));
  const wholeTests = new Set(scopes.aggregate.tests.flatMap((t) => {
    const brace = /\{([^}]+)\}/.exec(t);
    return brace ? brace[1].split(',').map((name) => t.replace(brace[0], name)) : [t];
  }));
  assert.deepEqual([...wholeTests].sort(), [...partTests].sort());
});
