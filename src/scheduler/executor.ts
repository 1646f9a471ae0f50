import type { TaskNode } from '../graph/types.js';
import type { MissingInput } from '../types/node-kind.js';
import type { TaskRuntime } from './task-runtime.js';
import type { TaskStats } from './task-stats.js';
import { runTask } from './run-task.js';

/** What a task reads: the upstream tasks that completed (in graph order) and, for fan-in tasks, those that did not. */
export interface TaskInputs {
  /** Input records expected (the completed upstream tasks' record counts); undefined for a source. */
  readonly expected: number | undefined;
  /** Ids of the upstream tasks whose published records the task reads, in dependency order. */
  readonly upstream: readonly string[];
  /** Fan-in tasks only: upstream tasks that failed or were skipped. */
  readonly missing: readonly MissingInput[];
}

/**
 * Where a task runs. The orchestrator only sees this interface, so a distributed executor
 * (BullMQ workers on Redis, reading and writing the same run folder and cache) can replace the
 * in-process one without touching the node kinds.
 */
export interface TaskExecutor {
  execute(task: TaskNode, inputs: TaskInputs): Promise<TaskStats>;
}

export class InProcessExecutor implements TaskExecutor {
  constructor(private readonly runtime: TaskRuntime) {}

  execute(task: TaskNode, inputs: TaskInputs): Promise<TaskStats> {
    return runTask(task, this.runtime, inputs);
  }
}
