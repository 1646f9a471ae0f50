import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadPipeline } from '../../src/spec/index.js';
import { SpecError, formatIssue } from '../../src/errors.js';
import { packageRoot } from '../../src/util/paths.js';

const brokenDir = path.join(packageRoot, 'test/fixtures/pipelines/broken');

/** Each broken fixture and the exact lines `vaflow validate` prints for it (after `file:`). */
const cases: Record<string, readonly string[]> = {
  'syntax-error.yaml': ['4:10  the { opened here is never closed: add the missing }'],
  'bad-indent.yaml': ['6:4  this line starts at column 4, out of line with the lines above (line 5 starts at column 5): keys of one mapping must start at the same column, since YAML nests by indentation'],
  'empty-file.yaml': ['1:1  the file is empty: expected a pipeline (version, name, nodes)'],
  'unknown-top-key.yaml': ['3:1  nodez: unknown key "nodez" (allowed: $schema, version, name, description, models, embedders, defaults, nodes)'],
  'unknown-node-key.yaml': ['7:5  nodes.faces.needz: unknown key "needz" (allowed: kind, needs, with, matrix)'],
  'unknown-with-key.yaml': ['8:7  nodes.faces.with.concurency: unknown key "concurency" (allowed: table, limit, concurrency, retries, timeoutMs, maxErrorRate, retryBudget)'],
  'unknown-model-key.yaml': ['7:5  models.gpt4o-mini.temprature: unknown key "temprature" (allowed: provider, model, baseURL, apiKeyEnv, temperature, topP, maxTokens, seed, structuredOutput, price, points, enabledByEnv, baseURLEnv)'],
  'wrong-type.yaml': ['6:46  nodes.faces.with.limit: expected integer, got string "ten"'],
  'wrong-type-engine.yaml': ['4:16  defaults.concurrency: expected integer, got number 2.5', '8:48  nodes.faces.with.retries: must be ≥ 0, got -1'],
  'bad-enum.yaml': ['4:20  models.gpt.provider: expected one of: openai, ollama, llamacpp, circumplex; got "opnai"'],
  'out-of-range.yaml': [
    '4:61  models.gpt.temperature: must be ≤ 2, got 2.5',
    '4:72  models.gpt.topP: must be > 0, got 0',
    '8:53  nodes.faces.with.maxErrorRate: must be ≤ 1, got 1.5',
  ],
  'bad-url.yaml': ['4:49  models.local.baseURL: expected a URL such as http://localhost:8080/v1, got string "localhost:8080/v1 x"'],
  'missing-required.yaml': ['1:1  missing required key "name"', '3:3  nodes.faces: missing required key "kind"'],
  'wrong-version.yaml': ['1:10  version: unsupported version 2: this vaflow reads version 1'],
  'bad-name.yaml': [
    '2:7  name: invalid value "9lives": A name: a letter, then letters, digits, `_`, `-` or `.`; at most 64 characters.',
    '4:3  nodes["bad id"]: invalid name "bad id": A name: a letter, then letters, digits, `_`, `-` or `.`; at most 64 characters.',
  ],
  'empty-nodes.yaml': ['3:8  nodes: a pipeline needs at least one node'],
  'null-nodes.yaml': ['3:1  nodes: a pipeline needs at least one node'],
  'duplicate-id.yaml': ['5:3  nodes.faces: duplicate node id "faces" (first defined on line 4): a mapping holds each key once'],
  'duplicate-key.yaml': ['6:5  models.gpt.provider: duplicate key "provider" (first defined on line 5): a mapping holds each key once'],
  'duplicate-needs.yaml': ['5:58  nodes.prompts.needs[1]: duplicate "faces" (same as [0])'],
  'unknown-needs.yaml': ['5:51  nodes.prompts.needs[0]: unknown node "facez" (defined: faces, prompts)'],
  'cycle.yaml': ['6:41  nodes.c.needs[0]: cycle: a → b → c → a'],
  'self-cycle.yaml': ['4:44  nodes.loop.needs[0]: cycle: loop → loop'],
  'unknown-model-ref.yaml': ['12:34  nodes.classify.with.models[1]: unknown model "gpt5" (defined: gpt4o-mini, llama32)'],
  'unknown-embedder-ref.yaml': ['9:77  nodes.scores.with.embedders[0]: unknown embedder "bert" (no embedders are defined under embedders:)'],
  'missing-file.yaml': ['7:14  nodes.faces.with.table: file not found: ../data/no-such.csv'],
  'missing-kind-file.yaml': ['5:11  nodes.faces.kind: kind file ./my-nodes/foo.ts not found (paths are relative to the pipeline file)'],
  'unknown-kind.yaml': ['4:18  nodes.faces.kind: unknown kind "extrct" (built in: extract, prompt-variant, classify, describe, embed-score, aggregate; or a path such as ./my-nodes/foo.ts)'],
  'bad-kind-export.yaml': ['4:18  nodes.faces.kind: cannot load kind ../kinds/bad-export.ts: expected a default export that is a node kind ({ name, version, paramsSchema, mode, ... })'],
  'record-types.yaml': ['7:46  nodes.classify.needs[0]: "faces" produces va records; ask consumes prompt'],
  'source-with-needs.yaml': ['5:49  nodes.more.needs: kind faces-table is a source: it reads no upstream records, so it takes no needs'],
  'missing-needs.yaml': ['5:3  nodes.prompts: missing needs: kind to-prompt consumes va records from an upstream node'],
  'bad-matrix-key.yaml': ['9:7  nodes.prompts.matrix.styl: unknown param "styl" for kind to-prompt (params: style, decimals)'],
  'bad-matrix-value.yaml': [
    '9:24  nodes.prompts.matrix.style[1]: expected one of: numeric, lexical; got "verbose"',
    '10:21  nodes.prompts.matrix.decimals[1]: must be ≤ 4, got 9',
  ],
  'literal-secret.yaml': [
    '4:48  models.gpt.apiKey: "apiKey" would hold a literal secret; pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY',
    '5:88  models.local.apiKeyEnv: environment interpolation (${OPENAI_API_KEY}) is not supported; pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY',
    '7:58  nodes.faces.with.table: this looks like a literal secret key; pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY',
  ],
  'alias-bomb.yaml': ['4:8  YAML aliases expand too much (more than 100 expansions): refusing a possible alias bomb'],
  'unknown-alias.yaml': ['4:10  unknown YAML alias *faces (no anchor &faces before it)'],
  'bad-labels.yaml': [
    '8:78  nodes.a.with.labels: expected string or object; got integer 7',
    '9:100  nodes.b.with.labels.labels: expected at least 2 items, got 1',
    '9:108  nodes.b.with.labels.extra: unknown key "extra" (allowed: name, labels, multiLabel, points, synonyms, source)',
  ],
  'extract-both.yaml': ['6:11  nodes.faces.with: give only one of: table, images'],
  'extract-bad-params.yaml': [
    '8:14  nodes.faces.with.range: expected exactly 2 items, got 3',
    '9:25  nodes.faces.with.vaSource[1]: expected one of: model, annotation; got "human"',
    '10:16  nodes.faces.with.backend: expected one of: facechannel, expression-mixture; got "facechanel"',
  ],
  'many-errors.yaml': [
    '4:43  models.m.temperature: expected number, got string "hot"',
    '6:83  nodes.faces.with.limit: must be ≥ 1, got 0',
    '7:58  nodes.prompts.needs[1]: unknown node "ghost" (defined: faces, prompts, classify)',
    '7:81  nodes.prompts.with.style: expected one of: numeric, lexical; got "loud"',
    '8:76  nodes.classify.with.models[1]: unknown model "nope" (defined: m)',
    '8:108  nodes.classify.with.repeats: must be ≤ 10, got 11',
  ],
};

async function issuesOf(file: string): Promise<string[]> {
  try {
    await loadPipeline(file);
  } catch (error) {
    assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.equal(error.message, error.issues.map(formatIssue).join('\n'));
    return error.issues.map(formatIssue);
  }
  assert.fail(`${file} loaded, but it is broken`);
}

test('every broken fixture has an expectation, and there are at least 30', async () => {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(brokenDir)).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual(files, Object.keys(cases).sort());
  assert.ok(files.length >= 30);
});

for (const [name, expected] of Object.entries(cases)) {
  test(`broken/${name}`, async () => {
    // Relative paths stay relative in messages.
    const relative = path.relative(process.cwd(), path.join(brokenDir, name));
    assert.deepEqual(await issuesOf(relative), expected.map((line) => `${relative}:${line}`));
  });
}

test('an oversized file is refused before parsing', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-spec-'));
  try {
    const file = path.join(dir, 'huge.yaml');
    const size = Math.round(9.1 * 1024 * 1024);
    await writeFile(file, `version: 1\nname: huge\ndescription: "${'x'.repeat(size - 40)}"\n`);
    assert.deepEqual(await issuesOf(file), [`${file}:1:1  file is 9.1 MiB; the limit is 4 MiB`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file that does not exist is a positioned spec error', async () => {
  assert.deepEqual(await issuesOf('no/such/pipeline.yaml'), ['no/such/pipeline.yaml:1:1  no such file']);
});
