import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeDigest } from '../../src/util/code-digest.js';
import { withTempDir } from '../helpers/temp-dir.js';

/** Writes `files` (relative name → text) under `dir`. */
function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

// Every way a module names another: `from` with and without a space, a side-effect import (two
// spaces), a dynamic import with spaces around its parenthesis, a parent folder; and a cycle (c
// imports main).
const TREE = {
  'main.js': `import { a } from './a.js';\nimport {b} from"./b.js";\nimport  './side.js';\nconst c = await import ( './lib/c.js' );\n`,
  'a.js': 'export const a = 1;\n',
  'b.js': 'export const b = 2;\n',
  'side.js': 'globalThis.x = 1;\n',
  'lib/c.js': `import '../main.js';\nimport { d } from '../d.js';\nexport const c = d;\n`,
  'd.js': 'export const d = 4;\n',
};

const digestOf = (dir: string, root = 'main.js') => codeDigest(pathToFileURL(path.join(dir, root)).href);

test('the code digest covers every module the root imports, however it is written, transitively and through a cycle', async () => {
  await withTempDir('code-digest-', async (dir) => {
    const original = path.join(dir, 'original');
    writeTree(original, TREE);
    const base = digestOf(original);
    assert.match(base, /^[0-9a-f]{64}$/);
    for (const [name, text] of Object.entries(TREE)) {
      const edited = path.join(dir, `edited-${name.replace('/', '-')}`);
      writeTree(edited, { ...TREE, [name]: `${text}// edited\n` });
      assert.notEqual(digestOf(edited), base, `an edit of ${name} changes the digest`);
    }
  });
});

test('the code digest does not depend on where the package lies, and a module the root does not import does not count', async () => {
  await withTempDir('code-digest-', async (dir) => {
    writeTree(path.join(dir, 'here'), TREE);
    cpSync(path.join(dir, 'here'), path.join(dir, 'elsewhere', 'deeper'), { recursive: true });
    writeTree(path.join(dir, 'elsewhere', 'deeper'), { 'unused.js': 'export const u = 0;\n' });
    assert.equal(digestOf(path.join(dir, 'elsewhere', 'deeper')), digestOf(path.join(dir, 'here')));
  });
});

test('run from TypeScript, a .js specifier reads its .ts source: an edit of the source changes the digest', async () => {
  await withTempDir('code-digest-', async (dir) => {
    const ts = { 'main.ts': `import { a } from './a.js';\nexport const m = a;\n`, 'a.ts': 'export const a: number = 1;\n' };
    writeTree(path.join(dir, 'one'), ts);
    writeTree(path.join(dir, 'two'), { ...ts, 'a.ts': 'export const a: number = 2;\n' });
    // The root is named as the compiled file (new URL('./build-document.js', import.meta.url) under tsx).
    assert.notEqual(digestOf(path.join(dir, 'one'), 'main.js'), digestOf(path.join(dir, 'two'), 'main.js'));
  });
});

test('compiled, a module is read as the .js file even when a .ts of the same name lies beside it', async () => {
  await withTempDir('code-digest-', async (dir) => {
    const js = { 'main.js': `import { a } from './a.js';\n`, 'a.js': 'export const a = 1;\n' };
    writeTree(path.join(dir, 'one'), { ...js, 'a.ts': 'export const a: number = 1;\n' });
    writeTree(path.join(dir, 'two'), { ...js, 'a.ts': 'export const a: number = 2;\n' });
    assert.equal(digestOf(path.join(dir, 'one')), digestOf(path.join(dir, 'two')));
  });
});
