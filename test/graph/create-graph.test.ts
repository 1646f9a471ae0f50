import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGraph } from '../../src/graph/create-graph.js';
import type { NodeKind } from '../../src/types/node-kind.js';
import type { Pipeline } from '../../src/types/generated/pipeline.js';

const base = { version: '1', paramsSchema: {} };
const source: NodeKind = { ...base, name: 'src', mode: 'source', consumes: [], produces: 'va', async *source() {} };
const prompts: NodeKind = {
  ...base, name: 'prompts', mode: 'item', consumes: ['va'], produces: 'prompt',
  axes: (p: { variants: Record<string, unknown> }) => ({ variant: { param: 'variants', values: Object.keys(p.variants) } }),
  async item() { return { fields: {} }; },
};
const classify: NodeKind = { ...base, name: 'classify', mode: 'item', consumes: ['prompt'], produces: 'classification', async item() { return { fields: {} }; } };
const aggregate: NodeKind = { ...base, name: 'aggregate', mode: 'batch', fanIn: true, consumes: ['classification'], produces: 'metrics', async *batch() {} };

const spec: Pipeline = {
  version: 1,
  name: 'g',
  defaults: { retries: 2, concurrency: 3 },
  nodes: {
    faces: { kind: 'src' },
    prompts: { kind: 'prompts', needs: ['faces'], with: { variants: { numeric: {}, lexical: {} } } },
    classify: { kind: 'classify', needs: ['prompts'], with: { models: ['gpt', 'llama'], timeoutMs: 5, temperature: 0 }, matrix: { temperature: [0, 0.7] } },
    scores: { kind: 'aggregate', needs: ['classify'] },
  },
};
const kinds = new Map<string, NodeKind>([['faces', source], ['prompts', prompts], ['classify', classify], ['scores', aggregate]]);

test('needs and matrix axes expand into readable concrete tasks; fan-in joins all variants', () => {
  const graph = createGraph({ spec, kinds });
  const classifyIds = graph.order.filter((id) => id.startsWith('classify'));
  assert.deepEqual(classifyIds, [
    'classify[model=gpt,temperature=0,variant=numeric]',
    'classify[model=gpt,temperature=0.7,variant=numeric]',
    'classify[model=llama,temperature=0,variant=numeric]',
    'classify[model=llama,temperature=0.7,variant=numeric]',
    'classify[model=gpt,temperature=0,variant=lexical]',
    'classify[model=gpt,temperature=0.7,variant=lexical]',
    'classify[model=llama,temperature=0,variant=lexical]',
    'classify[model=llama,temperature=0.7,variant=lexical]',
  ]);
  assert.deepEqual(graph.roots, ['faces']);
  assert.deepEqual(graph.dependencies['prompts[variant=lexical]'], ['faces']);
  assert.deepEqual(graph.dependencies['classify[model=llama,temperature=0.7,variant=lexical]'], ['prompts[variant=lexical]']);
  assert.deepEqual(graph.dependencies['scores'], classifyIds);
  assert.equal(graph.tasks['scores'].fanIn, true, 'the fan-in task is marked, so it can run on partial inputs');
  assert.deepEqual(graph.tasks['classify[model=gpt,temperature=0.7,variant=numeric]'], {
    id: 'classify[model=gpt,temperature=0.7,variant=numeric]',
    nodeId: 'classify',
    kind: 'classify',
    coords: { variant: 'numeric', model: 'gpt', temperature: '0.7' },
    params: { models: ['gpt', 'llama'], temperature: 0.7 },
    // defaults.concurrency caps the whole run (CallSlots), so a node has only the cap it sets itself.
    settings: { concurrency: null, retries: 2, timeoutMs: 5, maxErrorRate: 0.1, retryBudget: 1000 },
    axisParams: ['models'],
  });
  assert.equal(graph.order.length, 1 + 2 + 8 + 1);
});

test('a node needing two variant-carrying nodes joins them on shared axes only', () => {
  const join: NodeKind = { ...base, name: 'join', mode: 'item', consumes: ['prompt', 'classification'], produces: 'classification', async item() { return { fields: {} }; } };
  const graph = createGraph({
    spec: { ...spec, nodes: { ...spec.nodes, both: { kind: 'join', needs: ['prompts', 'classify'] } } },
    kinds: new Map([...kinds, ['both', join]]),
  });
  const both = graph.order.filter((id) => id.startsWith('both'));
  assert.equal(both.length, 8, 'each classify task pairs with the one prompts task of its variant');
  assert.deepEqual(graph.dependencies['both[model=gpt,temperature=0,variant=lexical]'], ['prompts[variant=lexical]', 'classify[model=gpt,temperature=0,variant=lexical]']);
});
