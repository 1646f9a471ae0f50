import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLifeCycle } from '../../src/lifecycle/progress.js';
import type { TaskNode } from '../../src/types/graph.js';

const task: TaskNode = {
  id: 'classify[model=local]', nodeId: 'classify', kind: 'classify', coords: { model: 'local' }, params: {}, axisParams: [],
  settings: { concurrency: 1, retries: 0, timeoutMs: 1000, maxErrorRate: 0, retryBudget: 0 },
};

test('on a TTY a warning is printed once above the live table, which is drawn again below it', () => {
  let out = '';
  const progress = new ProgressLifeCycle({ mode: 'tty', write: (text) => (out += text), now: () => 0, intervalMs: 3_600_000 });
  progress.taskStart(task, 3);
  progress.itemEnd(task, 'computed');
  progress.log({ level: 'warn', message: 'model local: the server refused response_format', task: task.id });
  progress.log({ level: 'debug', message: 'not for the terminal' });
  assert.equal(out.match(/warn: classify\[model=local\]: model local: the server refused response_format\n/g)?.length, 1);
  assert.ok(!out.includes('not for the terminal'));
  const afterWarning = out.slice(out.indexOf('refused response_format'));
  assert.match(afterWarning, /classify\[model=local\] {2}1\/3 {2}cached 0 {2}errors 0/, 'the table follows the warning');
});

test('plain and JSON modes print the warning as a line and as an event', () => {
  let plain = '';
  new ProgressLifeCycle({ mode: 'plain', write: (text) => (plain += text), now: () => 0 }).log({ level: 'warn', message: 'w' });
  assert.equal(plain, '  warn: w\n');
  let json = '';
  new ProgressLifeCycle({ mode: 'json', write: (text) => (json += text), now: () => 0 }).log({ level: 'warn', message: 'w' });
  assert.deepEqual(JSON.parse(json), { time: new Date(0).toISOString(), event: 'log', level: 'warn', message: 'w' });
});
