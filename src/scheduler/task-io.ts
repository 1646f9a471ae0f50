import type { FlowRecord } from '../types/records.js';
import type { TaskContext } from '../types/node-kind.js';
import type { TaskNode } from '../types/graph.js';
import type { RunLifeCycle } from '../types/run-events.js';
import type { JsonlWriter } from '../artifacts/jsonl.js';
import type { TaskStats } from '../types/task-stats.js';
import { describeItemError } from './item-errors.js';
import { outputRecord } from './run-items.js';

/** The streams and counters of one running task. */
export interface TaskIO {
  readonly context: TaskContext<Record<string, unknown>>;
  readonly stats: TaskStats;
  /** A fresh stream over every upstream task's records, each time it is called. */
  readonly inputs: () => AsyncIterable<FlowRecord>;
  readonly records: JsonlWriter;
  readonly errors: JsonlWriter;
}

/** The one way an item of a task ends, written in arrival order: a record, or an item error. */
export interface ItemFunnel {
  /** Writes the item's record (its fields merged, relabelled with this task), counts it and tells the life cycle. */
  publish(id: string, fields: Readonly<Record<string, unknown>>, outcome: 'computed' | 'cached'): Promise<void>;
  /** Counts the item's error, writes it to the task's errors file and tells the life cycle. */
  fail(id: string, error: unknown): Promise<void>;
}

export function itemFunnel(task: TaskNode, lifeCycle: RunLifeCycle, io: TaskIO): ItemFunnel {
  return {
    async publish(id, fields, outcome) {
      await io.records.write(outputRecord({ id, node: task.nodeId, coords: task.coords }, fields, task));
      io.stats.records++;
      lifeCycle.itemEnd?.(task, outcome);
    },
    async fail(id, error) {
      io.stats.errors++;
      await io.errors.write({ id, coords: task.coords, error: describeItemError(error) });
      lifeCycle.itemEnd?.(task, 'error');
    },
  };
}
