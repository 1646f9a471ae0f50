import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskSchedule } from '../../src/scheduler/schedule.js';
import type { TaskGraph, TaskNode } from '../../src/types/graph.js';

const settings = { concurrency: 1, retries: 0, timeoutMs: 1, maxErrorRate: 0, retryBudget: 0 };
const node = (id: string, fanIn = false): TaskNode => ({ id, nodeId: id.split('[')[0], kind: 'k', coords: {}, params: {}, settings, axisParams: [], ...(fanIn ? { fanIn: true as const } : {}) });

/** src → classify[a], classify[b] → (scores: fan-in over both, after[a]: per variant, after classify[a]). */
function graph(): TaskGraph {
  const order = ['src', 'classify[a]', 'classify[b]', 'after[a]', 'scores'];
  return {
    roots: ['src'],
    order,
    tasks: Object.fromEntries(order.map((id) => [id, node(id, id === 'scores')])),
    dependencies: { src: [], 'classify[a]': ['src'], 'classify[b]': ['src'], 'after[a]': ['classify[a]'], scores: ['classify[a]', 'classify[b]'] },
  };
}

test('a fan-in task waits for every input to end, then runs on those that completed', () => {
  const schedule = new TaskSchedule(graph());
  assert.deepEqual(schedule.nextReady(), ['src']);
  schedule.complete('src');
  assert.deepEqual(schedule.nextReady(), ['classify[a]', 'classify[b]']);
  assert.deepEqual([...schedule.fail('classify[b]')], [], 'the fan-in task is not skipped while an input may still complete');
  assert.deepEqual(schedule.nextReady(), [], 'nor does it start before every input ended');
  schedule.complete('classify[a]');
  assert.deepEqual(schedule.nextReady(), ['after[a]', 'scores']);
  assert.deepEqual(schedule.nextReady(), [], 'every task has started');
});

test('a fan-in task none of whose inputs completed is skipped, as is every plain dependant of a failed task', () => {
  const schedule = new TaskSchedule(graph());
  schedule.complete('src');
  schedule.nextReady();
  assert.deepEqual([...schedule.fail('classify[a]')], [['after[a]', 'dependency classify[a] failed']]);
  assert.deepEqual([...schedule.fail('classify[b]')], [['scores', 'none of its 2 input task(s) completed']]);
  assert.deepEqual(schedule.nextReady(), []);
});

test('nextReady hands out at most `limit` ready tasks, in topological order, each once', () => {
  const schedule = new TaskSchedule(graph());
  assert.deepEqual(schedule.nextReady(1), ['src']);
  assert.deepEqual(schedule.nextReady(1), [], 'nothing else is ready before src completes');
  schedule.complete('src');
  assert.deepEqual(schedule.nextReady(1), ['classify[a]']);
  assert.deepEqual(schedule.nextReady(5), ['classify[b]']);
  assert.deepEqual(schedule.nextReady(5), [], 'nothing is handed out twice');
});

test('tasks done before a resume are never handed out, and their dependants are ready at once', () => {
  const schedule = new TaskSchedule(graph(), ['src', 'classify[a]']);
  assert.deepEqual(schedule.nextReady(), ['classify[b]', 'after[a]']);
  assert.deepEqual([...schedule.fail('classify[b]')], [], 'the fan-in still has a completed input');
  assert.deepEqual(schedule.nextReady(), ['scores']);
});
