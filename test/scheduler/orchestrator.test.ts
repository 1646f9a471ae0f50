import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orchestrate } from '../../src/scheduler/orchestrator.js';
import type { TaskExecutor, TaskInputs } from '../../src/scheduler/executor.js';
import { RunFailure } from '../../src/scheduler/run-failure.js';
import { RunIOError } from '../../src/errors.js';
import { emptyStats, type TaskStats } from '../../src/types/task-stats.js';
import type { RunLifeCycle } from '../../src/types/run-events.js';
import type { TaskGraph, TaskNode } from '../../src/types/graph.js';

const settings = { concurrency: null, retries: 0, timeoutMs: 1000, maxErrorRate: 0, retryBudget: 0 };
const node = (id: string, fanIn = false): TaskNode => ({ id, nodeId: id.split('[')[0], kind: 'k', coords: {}, params: {}, settings, axisParams: [], ...(fanIn ? { fanIn: true as const } : {}) });

/** A graph from `task: [dependencies]` in topological order; `fanIn` names the fan-in tasks. */
function graphOf(deps: Record<string, string[]>, fanIn: string[] = []): TaskGraph {
  const order = Object.keys(deps);
  return { roots: order.filter((id) => deps[id].length === 0), order, tasks: Object.fromEntries(order.map((id) => [id, node(id, fanIn.includes(id))])), dependencies: deps };
}

/**
 * A TaskExecutor the test drives: each started task waits until the test ends it. Records what it
 * was asked to run, with which inputs, and how many ran at once.
 */
class FakeExecutor implements TaskExecutor {
  readonly started: string[] = [];
  readonly inputs = new Map<string, TaskInputs>();
  readonly #pending = new Map<string, { resolve: (s: TaskStats) => void; reject: (e: unknown) => void }>();
  #waiters: (() => void)[] = [];
  running = 0;
  maxRunning = 0;

  execute(task: TaskNode, inputs: TaskInputs): Promise<TaskStats> {
    this.started.push(task.id);
    this.inputs.set(task.id, inputs);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    for (const wake of this.#waiters.splice(0)) wake();
    return new Promise<TaskStats>((resolve, reject) => this.#pending.set(task.id, { resolve, reject })).finally(() => this.running--);
  }

  /** Resolves once `id` has started (the orchestrator hands tasks out asynchronously). */
  async whenStarted(id: string): Promise<void> {
    while (!this.started.includes(id)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  async end(id: string, stats: Partial<TaskStats> = {}): Promise<void> {
    await this.whenStarted(id);
    this.#pending.get(id)!.resolve({ ...emptyStats('done'), ...stats });
  }

  async throwIn(id: string, error: Error): Promise<void> {
    await this.whenStarted(id);
    this.#pending.get(id)!.reject(error);
  }
}

/** A life cycle that records each task's end as `id:status`. */
function endings(): { life: RunLifeCycle; ended: string[] } {
  const ended: string[] = [];
  return { ended, life: { taskEnd: (task, stats) => void ended.push(`${task.id}:${stats.status}`) } };
}

const noStop = () => new AbortController().signal;

test('independent tasks run at once; a task starts only after its dependencies are done, with their record counts as its expected input', async () => {
  const graph = graphOf({ src: [], 'a': ['src'], 'b': ['src'], join: ['a', 'b'] });
  const executor = new FakeExecutor();
  const { life, ended } = endings();
  const run = orchestrate({ graph, executor, lifeCycle: life, stopSignal: noStop() });
  await executor.whenStarted('src');
  assert.deepEqual(executor.started, ['src']);
  await executor.end('src', { records: 5 });
  await executor.whenStarted('b');
  assert.deepEqual(executor.started, ['src', 'a', 'b'], 'a and b run in parallel');
  assert.equal(executor.inputs.get('a')!.expected, 5);
  await executor.end('b', { records: 3 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(!executor.started.includes('join'), 'join waits for a as well');
  await executor.end('a', { records: 4 });
  await executor.end('join');
  const result = await run;
  assert.equal(result.status, 'completed');
  assert.deepEqual(executor.inputs.get('join'), { expected: 7, upstream: ['a', 'b'], missing: [] });
  assert.equal(executor.inputs.get('src')!.expected, undefined, 'a source has no expected input count');
  assert.deepEqual(ended, ['src:done', 'b:done', 'a:done', 'join:done']);
  assert.equal(executor.maxRunning, 2);
});

test('a failed task skips its dependants with the reason; a fan-in task runs on the inputs that completed and is told what is missing', async () => {
  const graph = graphOf({ src: [], 'a': ['src'], 'b': ['src'], 'after-b': ['b'], 'last': ['after-b'], agg: ['a', 'b'] }, ['agg']);
  const executor = new FakeExecutor();
  const { life, ended } = endings();
  const run = orchestrate({ graph, executor, lifeCycle: life, stopSignal: noStop() });
  await executor.end('src', { records: 2 });
  await executor.end('a', { records: 2, items: 2 });
  await executor.end('b', { status: 'failed', reason: 'error rate 100%', items: 2, errors: 2 });
  await executor.end('agg');
  const result = await run;
  assert.equal(result.status, 'failed');
  assert.deepEqual(executor.started, ['src', 'a', 'b', 'agg']);
  assert.equal(result.tasks['after-b'].status, 'skipped');
  assert.equal(result.tasks['after-b'].reason, 'dependency b failed');
  assert.equal(result.tasks.last.reason, 'dependency after-b was skipped (b failed)');
  assert.deepEqual(executor.inputs.get('agg'), {
    expected: 2, upstream: ['a'],
    missing: [{ task: 'b', status: 'failed', reason: 'error rate 100%', items: 2, records: 0, errors: 2 }],
  });
  assert.deepEqual(ended, ['src:done', 'a:done', 'b:failed', 'after-b:skipped', 'last:skipped', 'agg:done']);
});

test('an executor that throws fails its task with the message; the run goes on with the others', async () => {
  const graph = graphOf({ x: [], y: [] });
  const executor = new FakeExecutor();
  const run = orchestrate({ graph, executor, lifeCycle: {}, stopSignal: noStop() });
  await executor.throwIn('x', new Error('worker lost'));
  await executor.end('y');
  const result = await run;
  assert.deepEqual([result.tasks.x.status, result.tasks.x.reason, result.tasks.y.status, result.status], ['failed', 'worker lost', 'done', 'failed']);
});

test('at most maxRunning tasks run at once, however wide the graph', async () => {
  const graph = graphOf(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`t${i}`, []])));
  const executor = new FakeExecutor();
  const run = orchestrate({ graph, executor, lifeCycle: {}, stopSignal: noStop(), maxRunning: 2 });
  for (let i = 0; i < 6; i++) await executor.end(`t${i}`);
  assert.equal((await run).status, 'completed');
  assert.equal(executor.maxRunning, 2);
  assert.deepEqual(executor.started, ['t0', 't1', 't2', 't3', 't4', 't5']);
});

test('after a stop no task starts: those never started end interrupted with the reason, and the run is interrupted', async () => {
  const graph = graphOf({ a: [], b: ['a'], c: ['b'] });
  const executor = new FakeExecutor();
  const stop = new AbortController();
  const { life, ended } = endings();
  const run = orchestrate({ graph, executor, lifeCycle: life, stopSignal: stop.signal });
  await executor.whenStarted('a');
  stop.abort();
  await executor.end('a');
  const result = await run;
  assert.equal(result.status, 'interrupted');
  assert.deepEqual(executor.started, ['a']);
  assert.deepEqual([result.tasks.b.status, result.tasks.b.reason], ['interrupted', 'not started: the run was interrupted']);
  assert.deepEqual(ended, ['a:done'], 'tasks that never started get no taskEnd');
});

test('a resumed run keeps the tasks done before and runs the rest', async () => {
  const graph = graphOf({ a: [], b: ['a'] });
  const executor = new FakeExecutor();
  const previous = { a: { ...emptyStats('done'), records: 9 }, gone: { ...emptyStats('done') } };
  const run = orchestrate({ graph, executor, lifeCycle: {}, stopSignal: noStop(), previous });
  await executor.end('b');
  const result = await run;
  assert.deepEqual(executor.started, ['b']);
  assert.equal(executor.inputs.get('b')!.expected, 9);
  assert.deepEqual(Object.keys(result.tasks).sort(), ['a', 'b'], 'a task no longer in the graph is dropped');
});

test('a life cycle that cannot record a task end (the manifest on a full disk) fails the run with that cause instead of throwing', async () => {
  const graph = graphOf({ a: [], b: ['a'] });
  const executor = new FakeExecutor();
  const failure = new RunFailure();
  const full = new RunIOError('/runs/r/manifest.json', 'write', Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
  const stop = AbortSignal.any([noStop(), failure.signal]);
  const run = orchestrate({ graph, executor, lifeCycle: { taskEnd: () => { throw full; } }, stopSignal: stop, failure });
  await executor.end('a');
  const result = await run;
  assert.equal(failure.error, full);
  assert.equal(result.status, 'failed');
  assert.deepEqual(executor.started, ['a'], 'nothing starts after the storage failure');
  assert.equal(result.tasks.b.reason, `not started: the run failed (${full.message})`);
});
