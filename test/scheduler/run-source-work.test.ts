import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { makeEngineProject, type EngineProject } from '../helpers/engine-project.js';

/**
 * A local source kind, written as a user would (plain ESM, no vaflow imports), whose items are units
 * of source work: `compute` appends the item's id to `with.log` (so the test counts real computations)
 * and, after a short wait, returns the item's number squared. The key is the item's number and
 * `with.salt`; `flavor` is a matrix axis that stays out of the key, as a VA source does for images.
 * `with.fail` lists items whose compute throws (`item`) or that fail the task (`config`) or whose
 * finish throws (`finish`).
 */
const COUNTED_SOURCE = `
import { appendFileSync } from 'node:fs';
export default {
  name: 'counted-source',
  version: '1',
  mode: 'source',
  consumes: [],
  produces: 'va',
  paramsSchema: {
    type: 'object', additionalProperties: false, required: ['log', 'count'],
    properties: {
      log: { type: 'string' }, count: { type: 'integer' }, salt: { type: 'string' },
      flavor: { type: 'array', items: { type: 'string' } },
      fail: { type: 'object', additionalProperties: { enum: ['item', 'config', 'finish'] } },
    },
  },
  axes: (params) => (params.flavor ? { flavor: { param: 'flavor', values: params.flavor } } : {}),
  async *source(ctx) {
    const fail = ctx.params.fail ?? {};
    for (let n = 0; n < ctx.params.count; n++) {
      const id = 'n' + n;
      yield {
        id,
        key: { n, salt: ctx.params.salt ?? '' },
        async compute() {
          appendFileSync(ctx.params.log, id + '\\n');
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (fail[id] === 'item') throw Object.assign(new Error(id + ': cannot compute'), { code: 'COUNTED_FAILED' });
          if (fail[id] === 'config') throw Object.assign(new Error('the model file is broken'), { code: 'VAFLOW_CONFIG' });
          return { square: n * n };
        },
        finish(value) {
          if (fail[id] === 'finish') throw new Error(id + ': cannot finish');
          return { valence: 0, arousal: 0, square: value.square, flavor: ctx.coords.flavor ?? null };
        },
      };
    }
  },
};
`;

function setUp(project: EngineProject, withParams: string): { log: string; computed: () => string[] } {
  const log = path.join(project.dir, 'computed.log');
  writeFileSync(path.join(project.dir, 'counted-source.mjs'), COUNTED_SOURCE);
  project.writePipeline(`version: 1\nname: source-work\nnodes:\n  numbers: { kind: ./counted-source.mjs, with: { log: ${JSON.stringify(log)}, ${withParams} } }\n`);
  return { log, computed: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

function records(runDir: string, task: string): Record<string, unknown>[] {
  const file = path.join(runDir, 'tasks', `${task}.jsonl`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

function taskFile(runDir: string, suffix: string): string {
  const name = readdirSync(path.join(runDir, 'tasks')).find((f) => f.endsWith(suffix));
  assert.ok(name, `no *${suffix} in ${runDir}`);
  return path.join(runDir, 'tasks', name);
}

test('source work is computed on a miss, served from the cache on a rerun, and only counted by a plan', async () => {
  const project = makeEngineProject(0);
  try {
    const { computed } = setUp(project, 'count: 4');
    const options = { file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} };
    const plan = await runPipeline({ ...options, dryRun: true });
    assert.deepEqual(computed(), [], 'a plan computes nothing');
    assert.deepEqual({ items: plan.tasks.numbers.items, pending: plan.tasks.numbers.pending, hits: plan.tasks.numbers.cacheHits }, { items: 4, pending: 4, hits: 0 });

    const first = await runPipeline(options);
    assert.deepEqual(computed(), ['n0', 'n1', 'n2', 'n3']);
    assert.deepEqual({ misses: first.tasks.numbers.cacheMisses, hits: first.tasks.numbers.cacheHits, records: first.tasks.numbers.records }, { misses: 4, hits: 0, records: 4 });
    const second = await runPipeline(options);
    assert.equal(computed().length, 4, 'the rerun computes nothing');
    assert.deepEqual({ misses: second.tasks.numbers.cacheMisses, hits: second.tasks.numbers.cacheHits }, { misses: 0, hits: 4 });
    assert.deepEqual(records(second.runDir, 'numbers'), records(first.runDir, 'numbers'), 'a cached record equals the computed one');
    assert.deepEqual(records(second.runDir, 'numbers').map((r) => r.square), [0, 1, 4, 9]);

    const warmPlan = await runPipeline({ ...options, dryRun: true });
    assert.deepEqual({ pending: warmPlan.tasks.numbers.pending, hits: warmPlan.tasks.numbers.cacheHits }, { pending: 0, hits: 4 });

    // The kind's key decides: another salt misses; --no-cache and --refresh recompute.
    setUp(project, 'count: 4, salt: b');
    assert.equal((await runPipeline(options)).tasks.numbers.cacheMisses, 4);
    await runPipeline({ ...options, cache: 'off' });
    await runPipeline({ ...options, cache: 'refresh' });
    assert.equal(computed().length, 16);
  } finally {
    project.cleanup();
  }
});

test('two tasks of one run with the same keys compute each unit once; failures are item errors, never cached; a ConfigError fails the task', async () => {
  const project = makeEngineProject(0);
  try {
    const { computed } = setUp(project, 'count: 5, flavor: [sweet, sour], fail: { n1: item, n3: finish }');
    const options = { file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} };
    const first = await runPipeline(options);
    const sweet = first.tasks['numbers[flavor=sweet]'];
    const sour = first.tasks['numbers[flavor=sour]'];
    assert.deepEqual([...computed()].sort(), ['n0', 'n1', 'n2', 'n3', 'n4'], 'each key once across both tasks');
    assert.equal(sweet.cacheMisses + sour.cacheMisses, 5, 'one task computed each key');
    assert.equal(sweet.cacheHits + sour.cacheHits, 4, 'the other task shared the four that succeeded, and n1 failed in both');
    for (const stats of [sweet, sour]) assert.deepEqual({ records: stats.records, errors: stats.errors }, { records: 3, errors: 2 });
    const sourRecords = records(first.runDir, 'numbers[flavor=sour]');
    assert.deepEqual(sourRecords.map((r) => [r.id, r.flavor]), [['n0', 'sour'], ['n2', 'sour'], ['n4', 'sour']], 'finish runs per task, with its own coordinates');
    const errors = readFileSync(taskFile(first.runDir, 'sweet].errors.jsonl'), 'utf8');
    assert.match(errors, /"id":"n1".*"code":"COUNTED_FAILED","message":"n1: cannot compute"/);
    assert.match(errors, /"id":"n3".*"message":"n3: cannot finish"/);

    const second = await runPipeline(options);
    assert.deepEqual(computed().slice(5), ['n1'], 'the failed unit is computed again (failures are not cached); n3 computed fine and is cached');
    const both = [second.tasks['numbers[flavor=sweet]'], second.tasks['numbers[flavor=sour]']];
    assert.deepEqual([both[0].cacheHits + both[1].cacheHits, both[0].cacheMisses + both[1].cacheMisses], [8, 1]);

    setUp(project, 'count: 3, salt: c, fail: { n1: config }');
    const broken = await runPipeline(options);
    assert.equal(broken.status, 'failed');
    assert.equal(broken.tasks.numbers.status, 'failed');
    assert.match(broken.tasks.numbers.reason ?? '', /counted-source failed: the model file is broken/);
  } finally {
    project.cleanup();
  }
});
