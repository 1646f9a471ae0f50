import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';

const bin = path.join(packageRoot, 'bin/vaflow.js');
const valid = 'test/fixtures/pipelines/valid/local-kinds.yaml';
const broken = 'test/fixtures/pipelines/broken/many-errors.yaml';

function vaflow(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: packageRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('validate: ok line per good file, every issue of a bad one, exit 2, no stack trace', () => {
  const result = vaflow('validate', valid, broken);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, `ok  ${valid} (4 nodes, 10 tasks)\n`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 6);
  assert.equal(lines[0], `${broken}:4:43  models.m.temperature: expected number, got string "hot"`);
  assert.ok(lines.every((line) => line.startsWith(`${broken}:`)));
  assert.doesNotMatch(result.stderr, /^\s+at /m);
});

test('validate: exit 0 when every file is valid', () => {
  const result = vaflow('validate', valid, 'test/fixtures/pipelines/valid/extract-table.yaml');
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  assert.match(result.stdout, /^ok {2}test\/fixtures\/pipelines\/valid\/extract-table\.yaml \(1 node, 1 task\)$/m);
});

test('validate --json: one report with positioned issues', () => {
  const result = vaflow('validate', '--json', valid, broken);
  assert.equal(result.status, 2);
  const report = JSON.parse(result.stdout) as { ok: boolean; files: { file: string; ok: boolean; issues: { line: number; col: number; path: string; message: string }[] }[] };
  assert.equal(report.ok, false);
  assert.deepEqual(report.files.map((f) => [f.file, f.ok]), [[valid, true], [broken, false]]);
  assert.deepEqual(report.files[1]?.issues[4], { file: broken, line: 8, col: 76, path: 'nodes.classify.with.models[1]', message: 'unknown model "nope" (defined: m)' });
});

test('schema: prints a JSON Schema that accepts a valid pipeline and rejects a broken one', () => {
  const result = vaflow('schema');
  assert.equal(result.status, 0, result.stderr);
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(JSON.parse(result.stdout) as object);
  const read = (file: string): unknown => parse(readFileSync(path.join(packageRoot, file), 'utf8'), { merge: true });
  assert.equal(validate(read('test/fixtures/pipelines/valid/extract-table.yaml')), true, JSON.stringify(validate.errors));
  assert.equal(validate(read(valid)), true, JSON.stringify(validate.errors));
  assert.equal(validate(read('test/fixtures/pipelines/broken/extract-bad-params.yaml')), false);
});
