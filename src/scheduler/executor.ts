import type { TaskNode } from '../graph/types.js';
import type { TaskRuntime } from './task-runtime.js';
import type { TaskStats } from './task-stats.js';
import { runTask } from './run-task.js';

/**
 * Where a task runs. The orchestrator only sees this interface, so a distributed executor
 * (BullMQ workers on Redis, reading and writing the same run folder and cache) can replace the
 * in-process one without touching the node kinds.
 */
export interface TaskExecutor {
  execute(task: TaskNode, expected: number | undefined): Promise<TaskStats>;
}

export class InProcessExecutor implements TaskExecutor {
  constructor(private readonly runtime: TaskRuntime) {}

  execute(task: TaskNode, expected: number | undefined): Promise<TaskStats> {
    return runTask(task, this.runtime, expected);
  }
}
