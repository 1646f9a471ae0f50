import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '../../src/types/node-kind.js';
import { packageRoot } from '../../src/util/paths.js';
import { parseYaml } from '../../src/spec/parse-yaml.js';
import { ajvIssues } from '../../src/spec/ajv-issues.js';
import { createAjv, validatorKey } from '../../src/spec/ajv-setup.js';
import { PRECOMPILED_DIR, loadPrecompiled, precompiledFile } from '../../src/spec/precompiled.js';
import { builtinSchemas, writePrecompiledValidators, type NamedSchema } from '../../src/spec/precompile.js';
import { schemaValidator } from '../../src/spec/schema-validate.js';
import { isRecord } from '../../src/util/is-record.js';

const brokenDir = path.join(packageRoot, 'test/fixtures/pipelines/broken');
/** A temp dir for generated modules; they `require` ajv's runtime helpers, found through a node_modules link. */
async function moduleDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-validators-'));
  await symlink(path.join(packageRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const compiledRun = path.relative(packageRoot, fileURLToPath(import.meta.url)).startsWith('dist' + path.sep);

/** Every broken fixture that parses, as plain values: whole pipelines, and each node's `with` by kind. */
async function brokenValues(): Promise<{ pipelines: Map<string, unknown>; withByKind: Map<string, unknown[]> }> {
  const pipelines = new Map<string, unknown>();
  const withByKind = new Map<string, unknown[]>();
  for (const file of (await readdir(brokenDir)).filter((name) => name.endsWith('.yaml')).sort()) {
    const parsed = parseYaml(await readFile(path.join(brokenDir, file), 'utf8'));
    if (!parsed.ok) continue;
    pipelines.set(file, parsed.parsed.value);
    const nodes = isRecord(parsed.parsed.value) && isRecord(parsed.parsed.value.nodes) ? parsed.parsed.value.nodes : {};
    for (const node of Object.values(nodes)) {
      if (!isRecord(node) || typeof node.kind !== 'string') continue;
      withByKind.set(node.kind, [...(withByKind.get(node.kind) ?? []), node.with ?? {}]);
    }
  }
  // Hand-made breakage the fixtures do not cover: oneOf/anyOf groups, nested wrong types, extra keys.
  pipelines.set('inline: nodes as a list', { version: 1, name: 'x', nodes: [{ kind: 'extract' }] });
  pipelines.set('inline: everything wrong', { version: '1', name: 3, models: { m: { provider: 'openai', temperature: 'hot', points: 'x' } }, nodes: { a: { kind: 1, needs: 'b', matrix: [] } }, extra: true });
  withByKind.set('prompt-variant', [
    ...(withByKind.get('prompt-variant') ?? []),
    { variants: { a: { format: 'binary' } }, labels: 7, maxLabels: 0 },
    { variants: [], fewShot: 'yes', retries: -1 },
    { labels: { name: 'x', labels: [{}] } },
  ]);
  withByKind.set('extract', [...(withByKind.get('extract') ?? []), { table: 'a.csv', images: 'b/' }, {}, { table: 1, limit: 'ten', concurrency: 0 }]);
  return { pipelines, withByKind };
}

test('precompiled validators give the same errors and issues as run-time compiled ones', async () => {
  const dir = await moduleDir();
  try {
    const schemas = await builtinSchemas();
    const written = await writePrecompiledValidators(schemas, dir);
    assert.deepEqual(written.map((v) => v.name).sort(), schemas.map((s) => s.name).sort());
    const runtime = createAjv();
    const { pipelines, withByKind } = await brokenValues();
    const valuesFor = (named: NamedSchema): [string, unknown][] =>
      named.name === 'pipeline'
        ? [...pipelines]
        : (withByKind.get(named.name.slice('params.'.length)) ?? []).map((value, i) => [`${named.name}#${i}`, value]);
    let failing = 0;
    for (const named of schemas) {
      const precompiled = loadPrecompiled(validatorKey(named.schema), dir);
      assert.ok(precompiled, `${named.name}: precompiled module loads`);
      const compiled = runtime.compile(named.schema);
      for (const [label, value] of valuesFor(named)) {
        const ok = compiled(value);
        assert.equal(precompiled(value), ok, label);
        assert.deepEqual(precompiled.errors, compiled.errors, `${label}: same ajv errors`);
        assert.deepEqual(ajvIssues(precompiled.errors, value), ajvIssues(compiled.errors, value), `${label}: same issues`);
        if (!ok) failing++;
      }
    }
    assert.ok(failing >= 20, `compared ${failing} failing validations`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a precompiled module checks the uri format with the same function as at run time', async () => {
  const dir = await moduleDir();
  try {
    const schema: JsonSchema = { type: 'string', format: 'uri' };
    await writePrecompiledValidators([{ name: 'uri', schema }], dir);
    const validate = loadPrecompiled(validatorKey(schema), dir);
    assert.ok(validate);
    assert.equal(validate('http://localhost:8080/v1'), true);
    assert.equal(validate('localhost:8080/v1'), false);
    assert.equal(validate.errors?.[0]?.keyword, 'format');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the key follows the schema content, not its key order', () => {
  const schema: JsonSchema = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
  const reordered: JsonSchema = { additionalProperties: false, properties: { a: { type: 'string' } }, type: 'object' };
  assert.equal(validatorKey(schema), validatorKey(reordered));
  assert.notEqual(validatorKey(schema), validatorKey({ ...schema, additionalProperties: true }));
  assert.match(validatorKey(schema), /^[0-9a-f]{64}$/);
});

test('a schema changed since the build is compiled at run time and validates as changed', async () => {
  const [pipeline] = await builtinSchemas();
  assert.ok(pipeline && isRecord(pipeline.schema.properties));
  const changed: JsonSchema = { ...pipeline.schema, properties: { ...pipeline.schema.properties, owner: { type: 'string' } } };
  const { validate, precompiled } = schemaValidator(changed);
  assert.equal(precompiled, false);
  assert.equal(existsSync(precompiledFile(validatorKey(changed))), false);
  const spec = { version: 1, name: 'changed', nodes: { faces: { kind: 'extract' } } };
  assert.equal(validate({ ...spec, owner: 'me' }), true, JSON.stringify(validate.errors));
  assert.equal(validate({ ...spec, owner: 1 }), false);
  assert.equal(validate.errors?.[0]?.instancePath, '/owner');
});

test('the build precompiled every built-in schema, and validate uses them without loading ajv', { skip: !compiledRun && !existsSync(PRECOMPILED_DIR) && 'run from source without a build: dist/validators is made by npm run build' }, async () => {
  for (const named of await builtinSchemas()) {
    assert.ok(existsSync(precompiledFile(validatorKey(named.schema))), `${named.name}: dist/validators is up to date (npm run build)`);
    assert.equal(schemaValidator(named.schema).precompiled, true, named.name);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-validators-'));
  try {
    const file = path.join(dir, 'p.yaml');
    await writeFile(path.join(dir, 't.csv'), 'id,valence,arousal\na,0.1,0.2\n');
    await writeFile(file, 'version: 1\nname: fast\nnodes:\n  faces: { kind: extract, with: { table: t.csv } }\n  prompts: { kind: prompt-variant, needs: [faces], with: { variants: { n: { format: numeric } } } }\n');
    const specIndex = path.join(packageRoot, 'dist/src/spec/index.js');
    const script = [
      `import { createRequire } from 'node:module';`,
      `const { loadPipeline } = await import(${JSON.stringify(specIndex)});`,
      `await loadPipeline(${JSON.stringify(file)});`,
      `const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('node_modules/ajv/'));`,
      `console.log(JSON.stringify(loaded.map((f) => f.slice(f.indexOf('node_modules/ajv/')))));`,
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const ajvFiles: string[] = JSON.parse(child.stdout);
    assert.ok(ajvFiles.every((f) => f.startsWith('node_modules/ajv/dist/runtime/')), `only ajv's runtime helpers load: ${ajvFiles.join(', ')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
