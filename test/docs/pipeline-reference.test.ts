import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { packageRoot } from '../../src/util/paths.js';

test('docs/pipeline-reference.md and schemas/pipeline.composed.schema.json match the schemas (run `node scripts/gen-reference.js`)', () => {
  const result = spawnSync(process.execPath, [path.join(packageRoot, 'scripts/gen-reference.js'), '--check'], { cwd: packageRoot, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('the reference documents every top-level key and every built-in kind', () => {
  const doc = readFileSync(path.join(packageRoot, 'docs/pipeline-reference.md'), 'utf8');
  for (const key of ['version', 'name', 'models', 'embedders', 'defaults', 'nodes']) assert.match(doc, new RegExp(`^\\| \`${key}\``, 'm'));
  for (const kind of ['extract', 'prompt-variant', 'classify', 'describe', 'embed-score', 'aggregate']) assert.match(doc, new RegExp(`^### ${kind}$`, 'm'));
  assert.match(doc, /# yaml-language-server: \$schema=\.\.\/schemas\/pipeline\.composed\.schema\.json/);
});
