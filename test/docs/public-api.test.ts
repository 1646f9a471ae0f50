import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { packageRoot } from '../../src/util/paths.js';
import { withTempDir } from '../helpers/temp-dir.js';

const tsc = path.join(packageRoot, 'node_modules/typescript/bin/tsc');
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: packageRoot, encoding: 'utf8' });

test('etc/vaflow.api.md is the public API as the built declarations state it, and every type a public signature uses is exported (run `node scripts/api-report.js`)', () => {
  const result = node([path.join(packageRoot, 'scripts/api-report.js'), '--check']);
  assert.equal(result.status, 0, result.stderr);
});

test('the API report names a type a public signature uses but the package does not export', async () => {
  await withTempDir('api-report', async (dir) => {
    await writeFile(path.join(dir, 'hidden.d.ts'), 'export interface Hidden { readonly a: number }\nexport interface Inner { readonly b: string }\nexport interface Outer { readonly inner: Inner }\n');
    await writeFile(path.join(dir, 'index.d.ts'), "import type { Hidden, Outer } from './hidden.js';\nexport declare function use(h: Hidden): Outer;\nexport type { Outer };\n");
    const result = node([path.join(packageRoot, 'scripts/api-report.js'), '--entry', path.join(dir, 'index.d.ts'), '--stdout']);
    assert.equal(result.status, 1, 'a forgotten export fails the report');
    assert.match(result.stdout, /## Used by public signatures but not exported\n\n- Hidden \([^)]*hidden\.ts\)\n- Inner \(/, 'Hidden in a signature, Inner inside the exported Outer');
  });
});

test("docs/examples type-check against the package's shipped declarations (`vaflow` resolves to dist/src/index.d.ts)", () => {
  const project = path.join(packageRoot, 'docs/examples/tsconfig.json');
  const files = node([tsc, '-p', project, '--listFilesOnly']);
  assert.equal(files.status, 0, files.stdout + files.stderr);
  assert.ok(files.stdout.split('\n').includes(path.join(packageRoot, 'dist/src/index.d.ts')), 'the examples see the built declarations through package.json exports');
  const check = node([tsc, '-p', project]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

test('the generated types match the JSON Schemas (`node scripts/gen-types.js --check`), and a stale copy is named', async () => {
  const current = node([path.join(packageRoot, 'scripts/gen-types.js'), '--check']);
  assert.equal(current.status, 0, current.stderr);
  await withTempDir('gen-types', async (dir) => {
    await cp(path.join(packageRoot, 'schemas'), path.join(dir, 'schemas'), { recursive: true });
    await cp(path.join(packageRoot, 'src/types/generated'), path.join(dir, 'src/types/generated'), { recursive: true });
    await cp(path.join(packageRoot, 'nodes'), path.join(dir, 'nodes'), { recursive: true, filter: (src) => !/\.ts$/.test(src) || src.endsWith('params.generated.ts') });
    const schemaFile = path.join(dir, 'schemas/pipeline.schema.json');
    const schema = JSON.parse(await readFile(schemaFile, 'utf8')) as { properties: { name: { description?: string } } };
    schema.properties.name.description = 'A description the generated file does not have yet.';
    await writeFile(schemaFile, JSON.stringify(schema));
    const stale = node([path.join(packageRoot, 'scripts/gen-types.js'), '--check', '--root', dir]);
    assert.equal(stale.status, 1);
    assert.equal(stale.stderr.trim(), 'stale: src/types/generated/pipeline.ts');
  });
});
