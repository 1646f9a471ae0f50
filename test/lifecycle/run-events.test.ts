import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventsFileLifeCycle } from '../../src/lifecycle/events-file.js';
import { ProgressLifeCycle } from '../../src/lifecycle/progress.js';
import { emptyStats } from '../../src/types/task-stats.js';
import type { RunEvent, RunLifeCycle } from '../../src/types/run-events.js';
import type { TaskGraph, TaskNode } from '../../src/types/graph.js';
import { withTempDir } from '../helpers/temp-dir.js';

const settings = { concurrency: 1, retries: 2, timeoutMs: 1000, maxErrorRate: 0, retryBudget: 0 };
const source: TaskNode = { id: 'faces', nodeId: 'faces', kind: 'extract', coords: {}, params: {}, settings, axisParams: [] };
const classify: TaskNode = { id: 'classify[model=m]', nodeId: 'classify', kind: 'classify', coords: { model: 'm' }, params: {}, settings, axisParams: [] };
const graph: TaskGraph = { roots: ['faces'], order: ['faces', 'classify[model=m]'], tasks: { faces: source, 'classify[model=m]': classify }, dependencies: { faces: [], 'classify[model=m]': ['faces'] } };

/** The same run, hook by hook, told to a life cycle. */
async function drive(life: RunLifeCycle): Promise<void> {
  await life.runStart?.({ runId: 'r1', runDir: '/runs/r1', pipelineName: 'demo', graph, resumed: false, dryRun: false });
  life.taskStart?.(source, undefined);
  await life.taskEnd?.(source, { ...emptyStats('done'), items: 2, records: 2 });
  life.taskStart?.(classify, 2);
  life.retry?.(classify, { itemId: 'img-1', attempt: 1, delayMs: 250, code: 'VAFLOW_RATE_LIMITED' });
  life.log?.({ level: 'warn', message: 'model m: the server refused response_format', task: classify.id, model: 'm', event: 'not the event name', time: 'not the time' });
  await life.taskEnd?.(classify, { ...emptyStats('failed'), reason: 'error rate 1 over 0', items: 2, errors: 2, retries: 1 });
  await life.runEnd?.('failed', { durationMs: 1234, failure: 'cannot write x' });
}

const T = '2026-11-30T21:00:00.000Z';
const expected: RunEvent[] = [
  { time: T, event: 'run_start', eventsVersion: 1, runId: 'r1', runDir: '/runs/r1', pipeline: 'demo', tasks: 2, resumed: false },
  { time: T, event: 'task_start', task: 'faces' },
  { time: T, event: 'task_end', task: 'faces', ...emptyStats('done'), items: 2, records: 2 },
  { time: T, event: 'task_start', task: 'classify[model=m]', expected: 2 },
  { time: T, event: 'retry', task: 'classify[model=m]', itemId: 'img-1', attempt: 1, delayMs: 250, code: 'VAFLOW_RATE_LIMITED' },
  { time: T, event: 'log', level: 'warn', message: 'model m: the server refused response_format', task: 'classify[model=m]', model: 'm' },
  { time: T, event: 'task_end', task: 'classify[model=m]', ...emptyStats('failed'), reason: 'error rate 1 over 0', items: 2, errors: 2, retries: 1 },
  { time: T, event: 'run_end', status: 'failed', durationMs: 1234, cause: 'cannot write x' },
];

test('events.jsonl and `run --json` carry the same RunEvents, one a line, with the format version in run_start', async () => {
  await withTempDir('run-events', async (dir) => {
    const file = path.join(dir, 'events.jsonl');
    await drive(new EventsFileLifeCycle(file, () => undefined, () => T));
    let json = '';
    const progress = new ProgressLifeCycle({ mode: 'json', write: (text) => (json += text), now: () => Date.parse(T), intervalMs: 3_600_000 });
    await drive(progress);
    const fromFile = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as RunEvent);
    const fromStdout = json.trimEnd().split('\n').map((line) => JSON.parse(line) as RunEvent);
    assert.deepEqual(fromFile, expected);
    assert.deepEqual(fromStdout, expected);
    assert.equal(readFileSync(file, 'utf8').split('\n')[0].slice(0, 40), `{"time":"${T}","event":"run_start"`.slice(0, 40), 'time and event lead each line');
  });
});
