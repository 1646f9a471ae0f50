import type { TaskNode } from '../types/graph.js';
import type { ItemKind, ItemResult, MissingInput, TaskContext } from '../types/node-kind.js';
import type { FlowRecord } from '../types/records.js';
import type { CallTally } from './chat-calls.js';
import type { TaskRuntime } from './task-runtime.js';
import type { TaskStats } from '../types/task-stats.js';
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

/**
 * One sample of one item, computed elsewhere: resolves with the kind's result and what its chat calls
 * cost, or rejects with the item's error (as the retry layer left it). `key` is the item's cache key.
 */
export type RemoteItemCall = (input: FlowRecord, repeat: number, key: string) => Promise<{ result: ItemResult; tally: CallTally }>;

/**
 * Where item kinds run when not in this process: the Redis executor's workers (src/run/remote/). The engine
 * keeps everything else: cache lookups (only misses are dispatched), input order, records, counters.
 * Workers run the same item code with the same retry layer and timeouts (src/scheduler/item-call.ts).
 */
export interface ItemDispatcher {
  /** Makes a task's item work dispatchable (publishes what workers need); `onRetry` replays the workers' retries. */
  forTask(
    task: TaskNode,
    kind: ItemKind,
    ctx: TaskContext<Record<string, unknown>>,
    onRetry: (info: { attempt: number; delayMs: number; error: { code: string } }, itemId: string) => void,
  ): Promise<RemoteItemCall>;
}
