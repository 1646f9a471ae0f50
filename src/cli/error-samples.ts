import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { RunInfo, RunLifeCycle } from '../types/run-events.js';
import type { TaskNode } from '../types/graph.js';
import type { TaskStats } from '../types/task-stats.js';
import { taskFileName } from '../artifacts/run-folder.js';
import { redact } from '../util/redact.js';
import { compareText } from '../stats/stable-order.js';

/** How many item errors per task the terminal shows. */
export const SHOWN_ERRORS = 3;

/** Bytes read from the start of an errors file: enough for a few records, whatever the file's size. */
const HEAD_BYTES = 64 * 1024;

export interface TaskErrors {
  readonly taskId: string;
  readonly errors: number;
  readonly items: number;
  /** The first few error messages, in file order. */
  readonly first: readonly string[];
  /** Where all of them are (gone after a plan, whose run folder is a scratch one). */
  readonly file: string;
}

/** The messages of the first `count` complete records at the start of a tasks/<task>.errors.jsonl file. */
export function firstErrorMessages(file: string, count: number): string[] {
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      text = buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  const lines = text.split('\n');
  if (text.length === HEAD_BYTES) lines.pop(); // possibly cut
  const messages: string[] = [];
  for (const line of lines) {
    if (messages.length >= count) break;
    try {
      const record = JSON.parse(line) as { error?: { message?: unknown } };
      if (typeof record.error?.message === 'string') messages.push(record.error.message);
    } catch {
      // a torn last line: skip
    }
  }
  return messages;
}

/**
 * Collects, as each task ends, its item-error count and first few messages (read from its errors
 * file while the run folder still exists: a plan's folder is removed before the command prints).
 */
export class ErrorSamplesLifeCycle implements RunLifeCycle {
  readonly #tasks: TaskErrors[] = [];
  #runDir = '';

  runStart(info: RunInfo): void {
    this.#runDir = info.runDir;
  }

  taskEnd(task: TaskNode, stats: TaskStats): void {
    if (stats.errors === 0 || !this.#runDir) return;
    const file = path.join(this.#runDir, 'tasks', `${taskFileName(task.id)}.errors.jsonl`);
    this.#tasks.push({ taskId: task.id, errors: stats.errors, items: stats.items, first: firstErrorMessages(file, SHOWN_ERRORS), file });
  }

  /** By task id: the summary reads the same whichever task ended first. */
  get tasks(): readonly TaskErrors[] {
    return [...this.#tasks].sort((a, b) => compareText(a.taskId, b.taskId));
  }
}

/**
 * `item errors:` then, per task with errors, its count and first messages; `showFiles` adds where
 * the rest are (not for a plan, whose folder is gone). Empty when no task had an item error.
 */
export function formatErrorSamples(tasks: readonly TaskErrors[], options: { showFiles: boolean }): string {
  if (tasks.length === 0) return '';
  const lines = ['item errors:'];
  for (const task of tasks) {
    lines.push(`  ${task.taskId}: ${task.errors} of ${task.items} item${task.items === 1 ? '' : 's'}`);
    for (const message of task.first) lines.push(`    ${redact(message).split('\n').join('\\n')}`);
    const more = task.errors - task.first.length;
    if (options.showFiles) lines.push(`    ${more > 0 ? `… ${more} more; all` : 'all'} in ${path.relative(process.cwd(), task.file) || task.file}`);
    else if (more > 0) lines.push(`    … ${more} more`);
  }
  return lines.join('\n') + '\n';
}
