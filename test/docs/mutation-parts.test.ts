/**
 * A mutation scope measured in parts (scripts/mutate-scopes.js, docs/testing.md "Scores") has the
 * sum of its parts as its score only if the parts together mutate every file of the scope, each
 * once, and only with tests the whole scope runs too. A new file in a scope fails this test until a
 * part names it. Checked for every scope that has parts (aggregate, cache, retry, stats).
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

/** A glob of the forms the scopes use (`**`, `*`, `{a,b}`) as a regular expression over repository paths. */
function globRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('**/', i)) { source += '(?:.*/)?'; i += 2; }
    else if (c === '*') source += '[^/]*';
    else if (c === '{') source += '(?:';
    else if (c === '}') source += ')';
    else if (c === ',' && source.lastIndexOf('(?:') > source.lastIndexOf(')')) source += '|';
    else source += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The folder a glob's files lie under: its path up to the first segment with a wildcard. */
function staticPrefix(glob: string): string {
  const segments = glob.split('/');
  const wild = segments.findIndex((s) => /[*{]/.test(s));
  return segments.slice(0, wild < 0 ? -1 : wild).join('/');
}

function filesUnder(dir: string): string[] {
  if (!existsSync(path.join(root, dir))) return [];
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
}

/** The files a list of globs selects, `!` globs removing, as Stryker reads its `mutate` list. */
function select(globs: readonly string[]): string[] {
  const chosen = new Set<string>();
  for (const glob of globs) {
    const negated = glob.startsWith('!');
    const pattern = negated ? glob.slice(1) : glob;
    const matches = filesUnder(staticPrefix(pattern)).filter((f) => globRegExp(pattern).test(f));
    for (const file of matches) negated ? chosen.delete(file) : chosen.add(file);
  }
  return [...chosen].sort();
}

const measuredInParts = [...new Set(Object.values(scopes).flatMap((s) => (s.partOf ? [s.partOf] : [])))].sort();

test('the globs are read as Stryker reads them', () => {
  assert.ok(globRegExp('src/stats/**/*.ts').test('src/stats/bootstrap.ts'));
  assert.ok(globRegExp('src/stats/**/*.ts').test('src/stats/a/b.ts'));
  assert.ok(!globRegExp('src/stats/*.ts').test('src/stats/a/b.ts'));
  assert.ok(globRegExp('test/{a,b}.test.ts').test('test/b.test.ts'));
  assert.ok(!globRegExp('test/{a,b}.test.ts').test('test/c.test.ts'));
  assert.ok(!globRegExp('src/x.ts').test('src/xyts'));
  assert.deepEqual(select(['nodes/aggregate/**/*.ts', '!nodes/aggregate/**/*.generated.ts']).filter((f) => f.endsWith('.generated.ts')), []);
});

test('every scope measured in parts is one the project names', () => {
  assert.deepEqual(measuredInParts, ['aggregate', 'cache', 'retry', 'stats']);
});

for (const scope of measuredInParts) {
  const parts = Object.entries(scopes).filter(([, s]) => s.partOf === scope);

  test(`the parts of the ${scope} mutation scope together mutate each of its files exactly once`, () => {
    assert.ok(parts.length >= 2, `${scope} is measured in parts`);
    const named = parts.flatMap(([, s]) => s.mutate);
    assert.ok(named.every((f) => !/[*!{]/.test(f)), `parts name files, not patterns: ${named.join(', ')}`);
    const scopeFiles = select(scopes[scope]!.mutate);
    assert.ok(scopeFiles.length >= named.length / 2, `${scope}'s globs select its files`);
    assert.deepEqual([...named].sort(), scopeFiles);
  });

  test(`each ${scope} part runs test files that exist, all of which the whole scope runs`, () => {
    const wholeScope = new Set(select(scopes[scope]!.tests));
    for (const [name, part] of parts) {
      const files = select(part.tests);
      assert.equal(files.length, part.tests.flatMap((t) => (/\{/.test(t) ? t.split(',') : [t])).length, `${name}: every test it names exists (${part.tests.join(', ')})`);
      for (const file of files) assert.ok(wholeScope.has(file), `${name}: ${file} is among the tests the whole ${scope} scope runs`);
    }
  });
}
