import { createWriteStream, type WriteStream } from 'node:fs';
import type { RunEndInfo, RunInfo, RunLifeCycle, RunStatus } from './life-cycle.js';
import { RunIOError } from '../errors.js';
import type { TaskNode } from '../graph/types.js';
import type { TaskStats } from '../scheduler/task-stats.js';
import type { KindLogEvent } from '../types/node-kind.js';
import { redact } from '../util/redact.js';

/**
 * events.jsonl: one structured line per run/task event, retry and kind log (items are in the task
 * files). A write error (full disk) is handed to `onError` once, as a RunIOError naming the file.
 */
export class EventsFileLifeCycle implements RunLifeCycle {
  #stream?: WriteStream;
  #failure?: RunIOError;

  constructor(
    private readonly file: string,
    private readonly onError: (error: RunIOError) => void = () => undefined,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  #write(event: Record<string, unknown>): void {
    if (this.#failure) return;
    if (!this.#stream) {
      this.#stream = createWriteStream(this.file, { flags: 'a' });
      this.#stream.on('error', (error) => {
        if (this.#failure) return;
        this.#failure = new RunIOError(this.file, 'write', error);
        this.onError(this.#failure);
      });
    }
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
  async runEnd(status: RunStatus, info: RunEndInfo): Promise<void> {
    this.#write({ event: 'run_end', status, durationMs: info.durationMs, ...(info.failure ? { cause: info.failure } : {}) });
    const stream = this.#stream;
    if (stream && !stream.destroyed) await new Promise<void>((resolve) => stream.end(() => resolve()));
    // 'close' comes after 'finish' or after the error that ends the stream: the outcome is known then.
    if (stream && !stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    if (this.#failure) throw this.#failure;
  }
}
