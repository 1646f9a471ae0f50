import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadPipeline } from '../../../src/spec/index.js';
import { SpecError } from '../../../src/errors.js';
import { runPipeline } from '../../../src/run/run-pipeline.js';
import { SqliteCacheStore } from '../../../src/cache/sqlite-store.js';
import { cachedAsyncComputation } from '../../../src/scheduler/computed-cached.js';
import type { CachedAsyncComputation } from '../../../src/types/providers.js';
import { makeEngineProject } from '../../helpers/engine-project.js';

/**
 * extract with a bad row within maxErrorRate (a warning; the rate is a run default, so the node's own
 * params do not change with it), scored by a classify node whose labels the truth labels are judged against.
 */
function pipeline(maxErrorRate: number): string {
  return `version: 1
name: check-cache
models:
  base: { provider: circumplex }
defaults: { maxErrorRate: ${maxErrorRate} }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  prompts:
    kind: prompt-variant
    needs: [items]
    with: { task: classify, labels: basic7, variants: { plain: { format: numeric } } }
  classify:
    kind: classify
    needs: [prompts]
    with: { models: [base], labels: basic7 }
`;
}

/** The messages of the issues loading finds: its warnings, or the issues of the SpecError it throws. */
async function messages(load: Promise<{ warnings: readonly { message: string }[] }>): Promise<string[]> {
  try {
    return (await load).warnings.map((w) => `warning: ${w.message}`);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return error.issues.map((issue) => `${issue.severity ?? 'error'}: ${issue.message}`);
  }
}

test('extract\'s check keeps what it judged of a table in the run\'s cache: read back while bytes, params and labels stay, judged again after an edit', async () => {
  const project = makeEngineProject(40);
  const store = new SqliteCacheStore({ file: path.join(project.dir, 'checks.db') });
  try {
    const table = path.join(project.dir, 'items.csv');
    writeFileSync(table, readFileSync(table, 'utf8').replace(/^item-7,[^,]*,/m, 'item-7,abc,'));
    project.writePipeline(pipeline(0.5));
    const real = cachedAsyncComputation({ open: async () => store, mode: { read: true, write: true } });
    const served: boolean[] = [];
    const checkCache: CachedAsyncComputation = async (request, compute) => {
      const result = await real(request, compute);
      served.push(result.cached);
      return result;
    };
    const uncached = () => messages(loadPipeline(project.pipeline));
    const cached = () => messages(loadPipeline(project.pipeline, { checkCache }));

    const judged = await cached();
    assert.ok(judged.some((m) => m.startsWith('warning: ') && m.includes('items.csv:9')), `a warning for the bad row: ${judged.join(' | ')}`);
    assert.deepEqual(judged, await uncached());
    assert.deepEqual(await cached(), judged);
    assert.deepEqual(served, [false, true]);

    // Another bad row, same path: judged again, and what is judged is the new table.
    writeFileSync(table, readFileSync(table, 'utf8').replace(/^item-12,[^,]*,/m, 'item-12,xyz,'));
    const edited = await cached();
    assert.deepEqual(edited, await uncached());
    assert.notDeepEqual(edited, judged);
    assert.deepEqual(served, [false, true, false]);

    // A setting the judgement depends on: two bad rows in 40 are above 2%, an error now.
    project.writePipeline(pipeline(0.02));
    const stricter = await cached();
    assert.deepEqual(stricter, await uncached());
    assert.ok(stricter.some((m) => m.startsWith('error: ') && m.includes('maxErrorRate')), stricter.join(' | '));
    assert.equal(served.at(-1), false);

    // A truth label outside the label set the classify node scores with: an error of its own.
    project.writePipeline(pipeline(0.5));
    writeFileSync(table, readFileSync(table, 'utf8').replace(/^(item-20,[^,]*,[^,]*),happiness/m, '$1,euphoria'));
    const relabelled = await cached();
    assert.deepEqual(relabelled, await uncached());
    assert.ok(relabelled.some((m) => m.startsWith('error: ') && m.includes('euphoria')), relabelled.join(' | '));
    // The same table scored with a label set that has the label: judged again, and no error.
    project.writePipeline(pipeline(0.5).replaceAll('labels: basic7', 'labels: { name: wide, labels: [happiness, sadness, anger, fear, surprise, disgust, neutral, euphoria] }'));
    const widened = await cached();
    assert.deepEqual(widened, await uncached());
    assert.ok(!widened.some((m) => m.includes('euphoria')), widened.join(' | '));
    assert.deepEqual(served.slice(-3), [false, false, false]);
  } finally {
    store.close();
    project.cleanup();
  }
});

test('a run hands its cache to the checks; --no-cache and a plan store no judgement', async () => {
  const project = makeEngineProject(20);
  const entries = () => {
    const store = new SqliteCacheStore({ file: path.join(project.cacheDir, 'cache.db') });
    try {
      return store.stats().byNamespace['computed:extract-check']?.entries ?? 0;
    } finally {
      store.close();
    }
  };
  try {
    project.writePipeline(pipeline(0.1));
    const options = { file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} };
    assert.equal((await runPipeline({ ...options, cache: 'off' })).status, 'completed');
    assert.equal((await runPipeline({ ...options, dryRun: true })).status, 'completed');
    assert.equal(entries(), 0);
    assert.equal((await runPipeline(options)).status, 'completed');
    assert.equal(entries(), 1);
  } finally {
    project.cleanup();
  }
});
