import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadPipeline, nodeParamsSchema } from '../../src/spec/index.js';
import { createGraph } from '../../src/graph/create-graph.js';

const countTasks = (loaded: { spec: Parameters<typeof createGraph>[0]['spec']; kinds: Parameters<typeof createGraph>[0]['kinds'] }) => createGraph(loaded).order.length;
import { packageRoot } from '../../src/util/paths.js';

const validDir = path.join(packageRoot, 'test/fixtures/pipelines/valid');

test('a pipeline of local kinds loads: spec, kinds, text, folder', async () => {
  const file = path.join(validDir, 'local-kinds.yaml');
  const loaded = await loadPipeline(file);
  assert.equal(loaded.file, file);
  assert.equal(loaded.specDir, validDir);
  assert.equal(loaded.text, await readFile(file, 'utf8'));
  assert.equal(loaded.spec.name, 'local-kinds');
  assert.deepEqual(Object.keys(loaded.spec.nodes), ['faces', 'prompts', 'classify', 'scores']);
  assert.deepEqual([...loaded.kinds].map(([id, kind]) => [id, kind.name, kind.mode]), [
    ['faces', 'faces-table', 'source'],
    ['prompts', 'to-prompt', 'item'],
    ['classify', 'ask', 'item'],
    ['scores', 'score', 'batch'],
  ]);
  // faces 1 × prompts 2 styles × classify 3 models, then one fan-in scores task.
  assert.equal(countTasks(loaded), 1 + 2 + 6 + 1);
});

test('positionOf: values, block mappings at their key, missing paths at the nearest parent', async () => {
  const loaded = await loadPipeline(path.join(validDir, 'local-kinds.yaml'));
  assert.deepEqual(loaded.positionOf(['nodes', 'classify', 'with', 'models', 1]), { line: 30, col: 28 });
  assert.deepEqual(loaded.positionOf(['nodes', 'classify']), { line: 26, col: 3 });
  assert.deepEqual(loaded.positionOf(['nodes', 'classify', 'with', 'nope', 3]), { line: 29, col: 5 });
  assert.deepEqual(loaded.positionOf(['nodes', 'faces', 'with', 'table']), { line: 19, col: 20 });
  assert.deepEqual(loaded.positionOf([]), { line: 2, col: 1 });
});

test('the real extract kind loads with anchors, merge keys and a $schema key', async () => {
  const loaded = await loadPipeline(path.join(validDir, 'extract-table.yaml'));
  assert.equal(loaded.kinds.get('faces')?.name, 'extract');
  assert.deepEqual(loaded.spec.models?.gpt4o, { provider: 'openai', model: 'gpt-4o', temperature: 0, apiKeyEnv: 'OPENAI_API_KEY' });
  assert.equal(countTasks(loaded), 1);
});

test('nodeParamsSchema adds the engine settings to the kind params, kind params first', async () => {
  const loaded = await loadPipeline(path.join(validDir, 'local-kinds.yaml'));
  const kind = loaded.kinds.get('faces');
  assert.ok(kind);
  const schema = nodeParamsSchema(kind);
  assert.deepEqual(Object.keys(schema.properties as object), ['table', 'limit', 'concurrency', 'retries', 'timeoutMs', 'maxErrorRate', 'retryBudget']);
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['table']);
  assert.equal(nodeParamsSchema(kind), schema, 'built once per kind');
});
