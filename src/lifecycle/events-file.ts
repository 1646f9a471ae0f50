import { createWriteStream, type WriteStream } from 'node:fs';
import type { RunInfo, RunLifeCycle, RunStatus } from './life-cycle.js';
import type { TaskNode } from '../graph/types.js';
import type { TaskStats } from '../scheduler/task-stats.js';
import type { KindLogEvent } from '../types/node-kind.js';
import { redact } from '../util/redact.js';

/** events.jsonl: one structured line per run/task event, retry and kind log (items are in the task files). */
export class EventsFileLifeCycle implements RunLifeCycle {
  #stream?: WriteStream;

  constructor(private readonly file: string, private readonly now: () => string = () => new Date().toISOString()) {}

  #write(event: Record<string, unknown>): void {
    this.#stream ??= createWriteStream(this.file, { flags: 'a' });
    this.#stream.write(redact(JSON.stringify({ time: this.now(), ...event })) + '\n');
  }

  runStart(info: RunInfo): void {
    this.#write({ event: 'run_start', runId: info.runId, pipeline: info.pipelineName, tasks: info.graph.order.length, resumed: info.resumed });
  }
  taskStart(task: TaskNode, expected: number | undefined): void {
    this.#write({ event: 'task_start', task: task.id, expected });
  }
  retry(task: TaskNode, info: { itemId: string; attempt: number; delayMs: number; code: string }): void {
    this.#write({ event: 'retry', task: task.id, ...info });
  }
  taskEnd(task: TaskNode, stats: TaskStats): void {
    this.#write({ event: 'task_end', task: task.id, ...stats });
  }
  log(event: KindLogEvent & { task?: string }): void {
    this.#write({ event: 'log', ...event });
  }
  async runEnd(status: RunStatus, info: { durationMs: number }): Promise<void> {
    this.#write({ event: 'run_end', status, durationMs: info.durationMs });
    const stream = this.#stream;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }
}
