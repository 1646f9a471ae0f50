import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withTempDir } from '../helpers/temp-dir.js';
import { runCli } from '../helpers/cli.js';

// A local kind loads whatever its extension and whatever package it sits in: the bug was a `.ts`
// kind outside an ESM package, compiled as CommonJS, whose default export landed at mod.default.default.

/** The body of a source kind yielding two `va` records tagged with `tag`, in TypeScript or plain JavaScript. */
function kindBody(tag: string, typed: boolean): string {
  const annotation = typed ? ': { name: string; version: string; [key: string]: unknown }' : '';
  return `${typed ? 'interface Row { id: string; valence: number }\n' : ''}const kind${annotation} = {
  name: 'src-${tag}',
  version: '1',
  mode: 'source',
  consumes: [],
  produces: 'va',
  paramsSchema: { type: 'object', additionalProperties: false, properties: {} },
  async *source() {
    const rows${typed ? ': Row[]' : ''} = [{ id: '${tag}-1', valence: 0.5 }, { id: '${tag}-2', valence: -0.5 }];
    for (const row of rows) yield { id: row.id, fields: { valence: row.valence, arousal: 0, source: '${tag}' } };
  },
};
`;
}

/** Each extension as users write it: ESM syntax where that is natural, CommonJS where Node requires it. */
const FILES: Record<string, (tag: string) => string> = {
  'k-ts.ts': (tag) => kindBody(tag, true) + 'export default kind;\n',
  'k-mts.mts': (tag) => kindBody(tag, true) + 'export default kind;\n',
  'k-cts.cts': (tag) => kindBody(tag, true) + 'export default kind;\n',
  'k-js.js': (tag) => kindBody(tag, false) + 'export default kind;\n',
  'k-mjs.mjs': (tag) => kindBody(tag, false) + 'export default kind;\n',
  'k-cjs.cjs': (tag) => kindBody(tag, false) + 'module.exports = kind;\n',
  'k-named.ts': (tag) => kindBody(tag, true) + 'export { kind };\n',
};

const PACKAGES: Record<string, string | undefined> = {
  'no package.json': undefined,
  'a CommonJS package.json': '{ "name": "my-kinds", "type": "commonjs" }',
  'an ESM package.json': '{ "name": "my-kinds", "type": "module" }',
};

function pipeline(): string {
  const nodes = Object.keys(FILES).map((file) => `  ${path.basename(file, path.extname(file))}: { kind: ./kinds/${file} }`);
  return `version: 1\nname: local-kinds\nnodes:\n${nodes.join('\n')}\n`;
}

for (const [label, packageJson] of Object.entries(PACKAGES)) {
  test(`local kinds in .ts, .mts, .cts, .js, .mjs and .cjs load and run from a folder with ${label}`, () =>
    withTempDir('local-kinds', async (dir) => {
      mkdirSync(path.join(dir, 'kinds'));
      for (const [file, body] of Object.entries(FILES)) writeFileSync(path.join(dir, 'kinds', file), body(path.basename(file, path.extname(file))));
      if (packageJson) writeFileSync(path.join(dir, 'package.json'), packageJson);
      else {
        // The case under test: nothing above the folder says how to read a .js or .ts file.
        for (let up = dir; path.dirname(up) !== up; up = path.dirname(up)) assert.ok(!existsSync(path.join(path.dirname(up), 'package.json')), `a package.json above ${dir}`);
      }
      writeFileSync(path.join(dir, 'pipeline.yaml'), pipeline());

      const validated = await runCli(['validate', 'pipeline.yaml'], { cwd: dir });
      assert.equal(validated.code, 0, validated.stderr);
      assert.match(validated.stdout, /^ok {2}pipeline\.yaml \(7 nodes, 7 tasks\)/);

      const ran = await runCli(['run', 'pipeline.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir });
      assert.equal(ran.code, 0, ran.stderr);
      assert.doesNotMatch(ran.stderr + ran.stdout, /\n\s+at /, 'no stack trace');
      const runDir = path.join(dir, 'runs', readdirSync(path.join(dir, 'runs')).find((d) => d !== 'latest')!);
      for (const file of Object.keys(FILES)) {
        const node = path.basename(file, path.extname(file));
        const records = readFileSync(path.join(runDir, 'tasks', `${node}.jsonl`), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; source: string });
        assert.deepEqual(records.map((r) => [r.id, r.source]), [[`${node}-1`, node], [`${node}-2`, node]], file);
      }
    }));
}

test('a module whose default export is not a node kind is refused with the file named, exit code 2', () =>
  withTempDir('local-kinds', async (dir) => {
    writeFileSync(path.join(dir, 'bad.ts'), 'export default { hello: "world" };\n');
    writeFileSync(path.join(dir, 'data.json'), '{}\n');
    writeFileSync(path.join(dir, 'pipeline.yaml'), 'version: 1\nname: bad\nnodes:\n  a: { kind: ./bad.ts }\n  b: { kind: ./data.json }\n');
    const result = await runCli(['validate', 'pipeline.yaml'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /pipeline\.yaml:4:\d+ +nodes\.a\.kind: cannot load kind \.\/bad\.ts: expected a default export that is a node kind/);
    assert.match(result.stderr, /pipeline\.yaml:5:\d+ +nodes\.b\.kind: cannot load kind \.\/data\.json: a local kind is a module file ending in \.ts, \.mts, \.cts, \.js, \.mjs, \.cjs/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }));
