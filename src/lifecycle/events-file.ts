import { createWriteStream, type WriteStream } from 'node:fs';
import type { LogInfo, RetryInfo, RunEndInfo, RunEvent, RunInfo, RunLifeCycle } from '../types/run-events.js';
import type { RunStatus, TaskStats } from '../types/task-stats.js';
import { RunIOError } from '../errors.js';
import type { TaskNode } from '../types/graph.js';
import { redact } from '../util/redact.js';
import { runEventBuilder, type RunEventBuilder } from './run-event.js';

/**
 * events.jsonl: one RunEvent per line (run and task starts and ends, retries, kind logs; items are in
 * the task files), redacted; the format is docs/events.md. A write error (full disk) is handed to
 * `onError` once, as a RunIOError naming the file.
 */
export class EventsFileLifeCycle implements RunLifeCycle {
  #stream?: WriteStream;
  #failure?: RunIOError;
  readonly #events: RunEventBuilder;

  constructor(
    private readonly file: string,
    private readonly onError: (error: RunIOError) => void = () => undefined,
    now: () => string = () => new Date().toISOString(),
  ) {
    this.#events = runEventBuilder(now);
  }

  #write(event: RunEvent): void {
    if (this.#failure) return;
    if (!this.#stream) {
      this.#stream = createWriteStream(this.file, { flags: 'a' });
      this.#stream.on('error', (error) => {
        if (this.#failure) return;
        this.#failure = new RunIOError(this.file, 'write', error);
        this.onError(this.#failure);
      });
    }
    this.#stream.write(redact(JSON.stringify(event)) + '\n');
  }

  runStart(info: RunInfo): void {
    this.#write(this.#events.runStart(info));
  }
  taskStart(task: TaskNode, expected: number | undefined): void {
    this.#write(this.#events.taskStart(task, expected));
  }
  retry(task: TaskNode, info: RetryInfo): void {
    this.#write(this.#events.retry(task, info));
  }
  taskEnd(task: TaskNode, stats: TaskStats): void {
    this.#write(this.#events.taskEnd(task, stats));
  }
  log(event: LogInfo): void {
    this.#write(this.#events.log(event));
  }
  async runEnd(status: RunStatus, info: RunEndInfo): Promise<void> {
    this.#write(this.#events.runEnd(status, info));
    const stream = this.#stream;
    if (stream && !stream.destroyed) await new Promise<void>((resolve) => stream.end(() => resolve()));
    // 'close' comes after 'finish' or after the error that ends the stream: the outcome is known then.
    if (stream && !stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    if (this.#failure) throw this.#failure;
  }
}
