import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_KINDS, loadKind } from '../src/kinds.js';
import type { NodeKind } from '../src/types/node-kind.js';
import type { Pipeline } from '../src/types/generated/pipeline.js';
import { checkGraph, viewNodes } from '../src/spec/graph-checks.js';
import { createGraph } from '../src/graph/create-graph.js';
import { packageRoot } from '../src/util/paths.js';

/** The built-in kinds as the engine loads them (by the name a pipeline writes in `kind:`). */
async function builtins(): Promise<Map<string, NodeKind>> {
  const names = Object.keys(BUILTIN_KINDS);
  return new Map(await Promise.all(names.map(async (name) => [name, await loadKind(name, packageRoot)] as const)));
}

test('every built-in kind answers to the name it is registered under and has a logic version', async () => {
  for (const [name, kind] of await builtins()) {
    assert.equal(kind.name, name, 'the manifest and error messages name kinds by kind.name');
    assert.match(kind.version, /^[1-9]\d*$/, `${name}: the version enters cache keys and the manifest`);
  }
});

/** The paper's two flows: VA → prompts → labels → metrics, and prompts → descriptions → similarity → metrics. */
const FLOW = {
  faces: { kind: 'extract' },
  prompts: { kind: 'prompt-variant', needs: ['faces'] },
  labels: { kind: 'classify', needs: ['prompts'] },
  texts: { kind: 'describe', needs: ['prompts'] },
  similarity: { kind: 'embed-score', needs: ['texts'] },
  metrics: { kind: 'aggregate', needs: ['labels', 'similarity', 'faces', 'texts'] },
};

function issuesOf(nodes: Record<string, { kind: string; needs?: string[] }>, kinds: ReadonlyMap<string, NodeKind>) {
  const byNode = new Map(Object.entries(nodes).map(([id, node]) => [id, kinds.get(node.kind)!]));
  return checkGraph(viewNodes({ nodes }), byNode).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

test('record types: the documented flow fits; a node fed the wrong records is told which it consumes', async () => {
  const kinds = await builtins();
  assert.deepEqual(issuesOf(FLOW, kinds), []);
  assert.deepEqual(issuesOf({ ...FLOW, similarity: { kind: 'embed-score', needs: ['labels'] } }, kinds), [
    'nodes.similarity.needs.0: "labels" produces classification records; embed-score consumes description',
  ]);
  assert.deepEqual(issuesOf({ ...FLOW, similarity: { kind: 'embed-score' } }, kinds), [
    'nodes.similarity: missing needs: kind embed-score consumes description records from an upstream node',
  ]);
  assert.deepEqual(issuesOf({ ...FLOW, metrics: { kind: 'aggregate', needs: ['prompts'] } }, kinds), [
    'nodes.metrics.needs.0: "prompts" produces prompt records; aggregate consumes classification, similarity, va or description',
  ]);
  assert.deepEqual(issuesOf({ ...FLOW, more: { kind: 'aggregate', needs: ['metrics'] } }, kinds), [
    'nodes.more.needs.0: "metrics" produces metrics records; aggregate consumes classification, similarity, va or description',
  ]);
});

test('tasks: embed-score draws its null within one upstream variant and embedder; aggregate is one task over all', async () => {
  const kinds = await builtins();
  const spec: Pipeline = {
    version: 1,
    name: 'flow',
    models: { m1: { provider: 'openai', model: 'a' }, m2: { provider: 'openai', model: 'b' } },
    embedders: { e1: { type: 'openai', model: 'x' }, e2: { type: 'openai', model: 'y' } },
    nodes: {
      faces: { kind: 'extract', with: { table: 'items.csv' } },
      prompts: { kind: 'prompt-variant', needs: ['faces'], with: { labels: 'basic7', variants: { numeric: {}, lexical: {} } } },
      texts: { kind: 'describe', needs: ['prompts'], with: { models: ['m1', 'm2'] } },
      similarity: { kind: 'embed-score', needs: ['texts'], with: { embedders: ['e1', 'e2'] } },
      metrics: { kind: 'aggregate', needs: ['similarity'] },
    },
  } as Pipeline;
  const byNode = new Map(Object.entries(spec.nodes).map(([id, node]) => [id, kinds.get(node.kind)!]));
  const graph = createGraph({ spec, kinds: byNode });
  const similarity = graph.order.filter((id) => id.startsWith('similarity'));
  assert.equal(similarity.length, 8, similarity.join(' ')); // 2 variants × 2 models × 2 embedders
  for (const id of similarity) assert.equal(graph.dependencies[id].length, 1, `${id} reads one describe task`);
  assert.deepEqual(graph.dependencies.metrics, similarity);
  assert.equal(kinds.get('embed-score')!.mode, 'batch', 'the null needs every record of its task at once');
});
