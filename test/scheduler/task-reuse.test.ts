import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline, type RunResult } from '../../src/run/run-pipeline.js';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';
import { makeEngineProject, type EngineProject } from '../helpers/engine-project.js';

/** extract (items.csv) → prompt-variant with two variants: tasks whose records are reusable. */
function promptsPipeline(template = 'Valence {{valence}}, arousal {{arousal}}: which emotion?', settings = ''): string {
  return `version: 1
name: reuse-test
nodes:
  items: { kind: extract, with: { table: items.csv${settings} } }
  prompts:
    kind: prompt-variant
    needs: [items]
    with:
      task: classify
      labels: basic7
      variants:
        plain: { format: numeric, precision: 2, template: "${template}" }
        words: { format: lexical }
`;
}

const TASKS = ['items', 'prompts[variant=plain]', 'prompts[variant=words]'];

async function run(project: EngineProject, options: { cache?: 'on' | 'off' | 'refresh'; limit?: number; dryRun?: boolean } = {}): Promise<RunResult> {
  const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {}, ...options });
  assert.equal(result.status, 'completed');
  return result;
}

const recordsOf = (result: RunResult, task: string) => readFileSync(path.join(result.runDir, 'tasks', `${task}.jsonl`), 'utf8');
const reusedFrom = (result: RunResult) => Object.fromEntries(TASKS.map((task) => [task, result.tasks[task]?.reusedFrom]));
/** What stats.reusedFrom says of a task whose records came from `earlier`. */
const from = (earlier: RunResult, task: string) => `${path.basename(earlier.runDir)}/tasks/${task}.jsonl`;

test('a rerun on unchanged inputs copies the records extract and prompt-variant wrote, byte for byte, and says from which run', async () => {
  const project = makeEngineProject(30);
  try {
    project.writePipeline(promptsPipeline());
    const first = await run(project);
    assert.deepEqual(reusedFrom(first), { items: undefined, 'prompts[variant=plain]': undefined, 'prompts[variant=words]': undefined });
    const second = await run(project);
    for (const task of TASKS) {
      assert.equal(second.tasks[task].reusedFrom, from(first, task), task);
      assert.equal(recordsOf(second, task), recordsOf(first, task), task);
      assert.equal(second.tasks[task].items, first.tasks[task].items, task);
      assert.equal(second.tasks[task].records, 30, task);
    }
    // The manifest says it too.
    const manifest = JSON.parse(readFileSync(path.join(second.runDir, 'manifest.json'), 'utf8')) as { tasks: Record<string, { reusedFrom?: string }> };
    assert.equal(manifest.tasks.items.reusedFrom, from(first, 'items'));
    // --refresh and --no-cache compute; a refreshed run's records are the ones a rerun then copies.
    const refreshed = await run(project, { cache: 'refresh' });
    const uncached = await run(project, { cache: 'off' });
    for (const task of TASKS) {
      assert.equal(refreshed.tasks[task].reusedFrom, undefined, `refresh: ${task}`);
      assert.equal(uncached.tasks[task].reusedFrom, undefined, `off: ${task}`);
      assert.equal(recordsOf(refreshed, task), recordsOf(first, task), task);
    }
    const third = await run(project);
    for (const task of TASKS) assert.equal(third.tasks[task].reusedFrom, from(refreshed, task), task);
  } finally {
    project.cleanup();
  }
});

test('an edit of the table, a param or --limit computes the records it changes, and only those', async () => {
  const project = makeEngineProject(30);
  try {
    project.writePipeline(promptsPipeline());
    const first = await run(project);
    // The same path, other bytes: extract and everything downstream computes.
    const table = path.join(project.dir, 'items.csv');
    writeFileSync(table, readFileSync(table, 'utf8').replace('item-3,', 'item-3b,'));
    const edited = await run(project);
    assert.deepEqual(reusedFrom(edited), { items: undefined, 'prompts[variant=plain]': undefined, 'prompts[variant=words]': undefined });
    assert.match(recordsOf(edited, 'items'), /"id":"item-3b"/);
    assert.match(recordsOf(edited, 'prompts[variant=plain]'), /"id":"item-3b"/);
    // A template: the prompt tasks compute (each task's params hold every variant: the sibling too,
    // which is conservative), extract is copied.
    project.writePipeline(promptsPipeline('Valence {{valence}} and arousal {{arousal}}. Which emotion?'));
    const retemplated = await run(project);
    assert.equal(retemplated.tasks.items.reusedFrom, from(edited, 'items'));
    assert.equal(retemplated.tasks['prompts[variant=plain]'].reusedFrom, undefined);
    assert.equal(recordsOf(retemplated, 'prompts[variant=words]'), recordsOf(edited, 'prompts[variant=words]'));
    assert.match(recordsOf(retemplated, 'prompts[variant=plain]'), /and arousal/);
    assert.notEqual(recordsOf(retemplated, 'prompts[variant=plain]'), recordsOf(edited, 'prompts[variant=plain]'));
    // --limit is part of what the records are made of.
    const limited = await run(project, { limit: 5 });
    assert.deepEqual(reusedFrom(limited), { items: undefined, 'prompts[variant=plain]': undefined, 'prompts[variant=words]': undefined });
    assert.equal(limited.tasks.items.records, 5);
    assert.equal((await run(project, { limit: 5 })).tasks.items.reusedFrom, from(limited, 'items'));
    void first;
  } finally {
    project.cleanup();
  }
});

test('an earlier records file that changed or is gone is not used; the newest copy stands for the records', async () => {
  const project = makeEngineProject(30);
  try {
    project.writePipeline(promptsPipeline());
    const first = await run(project);
    const original = recordsOf(first, 'prompts[variant=plain]');
    // Another program edits a finished run's file: the rerun computes, and writes what is right.
    appendFileSync(path.join(first.runDir, 'tasks', 'prompts[variant=plain].jsonl'), '{"id":"planted"}\n');
    const second = await run(project);
    assert.equal(second.tasks['prompts[variant=plain]'].reusedFrom, undefined);
    assert.equal(recordsOf(second, 'prompts[variant=plain]'), original);
    assert.equal(second.tasks.items.reusedFrom, from(first, 'items'));
    // The first run is deleted: what the second computed or copied stands for the records now.
    rmSync(first.runDir, { recursive: true });
    const third = await run(project);
    for (const task of TASKS) assert.equal(third.tasks[task].reusedFrom, from(second, task), task);
    // Every run that held them is deleted: computed again.
    rmSync(second.runDir, { recursive: true });
    rmSync(third.runDir, { recursive: true });
    const fourth = await run(project);
    assert.deepEqual(reusedFrom(fourth), { items: undefined, 'prompts[variant=plain]': undefined, 'prompts[variant=words]': undefined });
    assert.equal(recordsOf(fourth, 'prompts[variant=plain]'), original);
  } finally {
    project.cleanup();
  }
});

test('a task with item errors is computed again on every run (its errors reported each time); a plan keeps no records', async () => {
  const project = makeEngineProject(30);
  try {
    const table = path.join(project.dir, 'items.csv');
    writeFileSync(table, readFileSync(table, 'utf8').replace(/^item-7,[^,]*,/m, 'item-7,not-a-number,'));
    project.writePipeline(promptsPipeline(undefined, ', maxErrorRate: 0.5'));
    await run(project, { dryRun: true });
    const store = new SqliteCacheStore({ file: path.join(project.cacheDir, 'cache.db') });
    try {
      assert.equal(store.stats().byNamespace['task-records']?.entries ?? 0, 0, 'a plan stores no records entry');
    } finally {
      store.close();
    }
    const first = await run(project);
    assert.equal(first.tasks.items.errors, 1);
    const second = await run(project);
    assert.equal(second.tasks.items.reusedFrom, undefined);
    assert.equal(second.tasks.items.errors, 1);
    assert.ok(readdirSync(path.join(second.runDir, 'tasks')).includes('items.errors.jsonl'));
    // The prompts read 29 clean records: those are reused.
    assert.equal(second.tasks['prompts[variant=plain]'].reusedFrom, from(first, 'prompts[variant=plain]'));
    assert.equal(second.tasks['prompts[variant=plain]'].records, 29);
  } finally {
    project.cleanup();
  }
});
