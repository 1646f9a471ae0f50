import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLifeCycle } from '../../src/lifecycle/progress.js';
import { fitLine, fitTable } from '../../src/lifecycle/terminal-fit.js';
import type { TaskNode } from '../../src/types/graph.js';
import { VirtualTerminal } from '../helpers/virtual-terminal.js';

function task(id: string): TaskNode {
  return { id, nodeId: id.split('[')[0], kind: 'classify', coords: {}, params: {}, axisParams: [], settings: { concurrency: 1, retries: 0, timeoutMs: 1000, maxErrorRate: 0, retryBudget: 0 } };
}

function progress(size: { columns: number; rows: number }, clock: { now: number }) {
  const terminal = new VirtualTerminal(size.columns, size.rows);
  let raw = '';
  const life = new ProgressLifeCycle({ mode: 'tty', write: (text) => { raw += text; terminal.write(text); }, now: () => clock.now, intervalMs: 3_600_000, size: () => size });
  return { life, terminal, raw: () => raw };
}

const LONG = 'similarity[embedder=glove,model=circumplex-nearest-reference-point,variant=numeric-two-decimals]';

test('a task line longer than the terminal is cut to its width, the id shrinking before the counters', () => {
  const clock = { now: 0 };
  const { life, terminal } = progress({ columns: 80, rows: 24 }, clock);
  const t = task(LONG);
  life.taskStart(t, 133);
  for (let i = 0; i < 133; i++) life.itemEnd(t, 'computed');
  clock.now = 2000;
  life.log({ level: 'info', message: 'redraw' });
  const line = terminal.lines().find((l) => l.startsWith('…'))!;
  assert.ok([...line].length <= 79, `${[...line].length} columns: ${line}`);
  assert.equal(line, '… similarity[embed…c-two-decimals]  133/133  cached 0  errors 0  66.5/s  ETA 0s');
  assert.equal(terminal.wraps.length, 0);
});

test('fitLine keeps a line that fits, and cuts the end when even a short id leaves no room', () => {
  assert.equal(fitLine('✓ ', 'terms', '  63  cached 0', 80), '✓ terms  63  cached 0');
  const cut = fitLine('✓ ', 'terms', '  63/63  cached 0  errors 0  3.5/s', 20);
  assert.equal([...cut].length, 20);
  assert.equal(cut, '✓ terms  63/63  cac…');
});

test('a table taller than the terminal folds finished tasks, so each redraw moves up over the whole table and nothing else', () => {
  const clock = { now: 0 };
  const { life, terminal } = progress({ columns: 80, rows: 6 }, clock);
  life.log({ level: 'info', message: 'model absent left out: set X to include it' });
  const tasks = Array.from({ length: 12 }, (_, i) => task(`classify[variant=v${i}]`));
  for (const [i, t] of tasks.entries()) {
    life.taskStart(t, 10);
    for (let k = 0; k < 10; k++) life.itemEnd(t, 'computed');
    clock.now += 1000;
    if (i < 10) void life.taskEnd(t, { status: 'done', items: 10, records: 10, cacheHits: 0, cacheMisses: 10, pending: 0, errors: 0, retries: 0, inputTokens: 0, outputTokens: 0 });
    life.log({ level: 'warn', message: `note ${i}` });
  }
  life.runEnd('completed', { durationMs: 12_000 });
  const lines = terminal.lines();
  // Every notice survives, in order, above one final table of at most rows − 1 lines.
  const notices = lines.filter((l) => /^ {2}(info|warn):/.test(l));
  assert.deepEqual(notices, ['  info: model absent left out: set X to include it', ...tasks.map((_, i) => `  warn: note ${i}`)]);
  const table = lines.slice(lines.indexOf('  warn: note 11') + 1);
  assert.deepEqual(table.map((l) => l.replace(/ {2}[\d.]+\/s.*$/, '')), [
    '✓ 8 tasks done',
    '✓ classify[variant=v8]  10/10  cached 0  errors 0',
    '✓ classify[variant=v9]  10/10  cached 0  errors 0',
    '… classify[variant=v10]  10/10  cached 0  errors 0',
    '… classify[variant=v11]  10/10  cached 0  errors 0',
  ]);
  assert.equal(terminal.wraps.length, 0);
});

test('fitTable shows the newest rows under a "more above" line when even the unfinished ones do not fit', () => {
  const rows = Array.from({ length: 8 }, (_, i) => ({ text: `… t${i}`, done: false }));
  assert.deepEqual(fitTable(rows, 4), ['✓ 0 tasks done', '… 6 more above', '… t6', '… t7']);
  assert.deepEqual(fitTable([{ text: '✓ a', done: true }, { text: '… b', done: false }], 4), ['✓ a', '… b']);
  const mixed = ['✓ a', '✓ b', '✓ c', '… d', '✓ e'].map((text) => ({ text, done: text.startsWith('✓') }));
  assert.deepEqual(fitTable(mixed, 4), ['✓ 2 tasks done', '✓ c', '… d', '✓ e'], 'only as many of the oldest finished tasks fold as needed');
});

test('a finished task keeps the rate it had when it ended', () => {
  const clock = { now: 0 };
  const { life, raw } = progress({ columns: 120, rows: 24 }, clock);
  const t = task('classify[model=m]');
  life.taskStart(t, 10);
  for (let i = 0; i < 10; i++) life.itemEnd(t, 'computed');
  clock.now = 2000;
  void life.taskEnd(t, { status: 'done', items: 10, records: 10, cacheHits: 0, cacheMisses: 10, pending: 0, errors: 0, retries: 0, inputTokens: 0, outputTokens: 0 });
  clock.now = 60_000;
  life.runEnd('completed', { durationMs: 60_000 });
  const last = raw().split('\n').filter((l) => l.includes('classify[model=m]')).at(-1)!;
  assert.match(last, /10\/10 {2}cached 0 {2}errors 0 {2}5\.0\/s$/);
});
