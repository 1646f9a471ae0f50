/**
 * The cache key as the engine builds it (src/scheduler/run-items.ts over src/cache/key.ts), proved
 * by what a rerun asks the model: each test edits one thing that changes the answer and counts the
 * requests the loopback server receives. Written against bugs that survived the older suite (issue 19):
 * a key hashing only the item id and coordinates, and a model identity without structuredOutput.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { itemCacheKey, modelIdentity } from '../../src/cache/key.js';
import { hashJson } from '../../src/util/hash.js';
import { nearestLabelResponder, startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.js';
import { makeEngineProject, type EngineProject } from '../helpers/engine-project.js';

interface Setup {
  readonly template?: string;
  readonly structuredOutput?: boolean;
}

function pipeline(server: OpenAIServer, setup: Setup = {}): string {
  const template = setup.template ? `, template: "${setup.template}"` : '';
  const structured = setup.structuredOutput === undefined ? '' : `, structuredOutput: ${setup.structuredOutput}`;
  return `version: 1
name: key-test
models:
  gpt: { provider: openai, model: gpt-test, baseURL: "${server.url}", temperature: 0${structured} }
nodes:
  faces: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric${template} } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [gpt], labels: basic7 } }
`;
}

function classifyRecords(runDir: string): Record<string, unknown>[] {
  const tasks = path.join(runDir, 'tasks');
  const file = readdirSync(tasks).find((f) => f.startsWith('classify') && f.endsWith('.jsonl') && !f.endsWith('.errors.jsonl'));
  assert.ok(file, `no classify records in ${tasks}`);
  return readFileSync(path.join(tasks, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function withProject(rows: number, body: (project: EngineProject, server: OpenAIServer, run: (setup?: Setup) => Promise<string>) => Promise<void>): Promise<void> {
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points) });
  const project = makeEngineProject(rows);
  const run = async (setup: Setup = {}) => {
    project.writePipeline(pipeline(server, setup));
    const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} });
    assert.equal(result.status, 'completed');
    return result.runDir;
  };
  try {
    await body(project, server, run);
  } finally {
    await server.close();
    project.cleanup();
  }
}

test('an edited input row is asked again and answered for its new values; the other rows come from the cache', async () => {
  await withProject(4, async (project, server, run) => {
    await run();
    assert.equal(server.requests.chat, 4);
    const csv = path.join(project.dir, 'items.csv');
    const lines = readFileSync(csv, 'utf8').split('\n');
    // item-1 moves to the happiness corner of the circumplex: same id, same coordinates, new prompt.
    lines[2] = 'item-1,0.87,0.26,happiness';
    writeFileSync(csv, lines.join('\n'));
    const runDir = await run();
    assert.equal(server.requests.chat, 5, 'exactly the edited row is requested again');
    const item1 = classifyRecords(runDir).find((r) => r.id === 'item-1');
    assert.equal(item1?.prediction, 'happiness', 'the answer is the one for the new values, not a stale one');
    assert.equal(item1?.valence, 0.87);
  });
});

test('an edited prompt template asks every item again; the unedited template is still cached', async () => {
  await withProject(3, async (_project, server, run) => {
    await run();
    assert.equal(server.requests.chat, 3);
    await run({ template: 'Face with {{va}}. Which of {{labels}} fits best? One word.' });
    assert.equal(server.requests.chat, 6, 'a prompt edit is a new request for every item');
    assert.ok(server.requests.bodies.slice(3).every((b) => b.messages.some((m) => m.content.startsWith('Face with '))));
    await run();
    assert.equal(server.requests.chat, 6, 'switching back is served from the cache');
  });
});

test('structuredOutput is part of the model identity: turning it off asks again, without response_format', async () => {
  await withProject(3, async (_project, server, run) => {
    await run({ structuredOutput: true });
    assert.equal(server.requests.chat, 3);
    assert.ok(server.requests.bodies.every((b) => b.response_format !== undefined));
    await run({ structuredOutput: false });
    assert.equal(server.requests.chat, 6, 'answers to a structured request are not reused for a plain one');
    assert.ok(server.requests.bodies.slice(3).every((b) => b.response_format === undefined));
    await run({ structuredOutput: false });
    assert.equal(server.requests.chat, 6);
  });
});

test('modelIdentity keeps every field that changes an answer, so each changes itemCacheKey', () => {
  const model = { provider: 'openai', model: 'gpt-test', baseURL: 'http://127.0.0.1:1/v1', temperature: 0, topP: 1, maxTokens: 20, seed: 7, structuredOutput: true, points: { happiness: [0.87, 0.26] } };
  const key = (m: typeof model) => itemCacheKey({ kind: 'classify', kindVersion: '1', params: {}, identity: { model: modelIdentity(m) }, inputHash: hashJson({ id: 'a' }), repeat: 0 });
  const changed: Record<string, Partial<typeof model>> = {
    structuredOutput: { structuredOutput: false },
    points: { points: { happiness: [0.8, 0.2] } },
  };
  for (const [field, change] of Object.entries(changed)) assert.notEqual(key({ ...model, ...change }), key(model), `${field} must change the key`);
});
