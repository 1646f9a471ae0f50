import type { FlowRecord } from '../types/records.js';
import type { TaskContext } from '../types/node-kind.js';
import type { TaskNode } from '../types/graph.js';
import type { ItemOutcome, RunLifeCycle } from '../types/run-events.js';
import type { JsonlWriter } from '../artifacts/jsonl.js';
import type { TaskStats } from '../types/task-stats.js';
import { describeItemError } from './item-errors.js';
import { outputRecord } from './output-record.js';

/** The streams and counters of one running task. */
export interface TaskIO {
  readonly context: TaskContext<Record<string, unknown>>;
  readonly stats: TaskStats;
  /** A fresh stream over every upstream task's records, each time it is called. */
  readonly inputs: () => AsyncIterable<FlowRecord>;
  readonly records: JsonlWriter;
  readonly errors: JsonlWriter;
}

/**
 * The one way an item of a task ends: counted in the task's stats and told to the life cycle
 * (`settled`), and for runners that write as items arrive, written first (`publish`, `fail`). The
 * item runner writes in input order later (InputOrder), so it only settles here.
 */
export interface ItemFunnel {
  /** Counts an item that ended (a record, an error, or work a plan leaves pending) and tells the life cycle. */
  settled(outcome: ItemOutcome): void;
  /** Writes the item's record (its fields merged, relabelled with this task), then settles it. */
  publish(id: string, fields: Readonly<Record<string, unknown>>, outcome: 'computed' | 'cached'): Promise<void>;
  /** Writes the item's error to the task's errors file, then settles it. */
  fail(id: string, error: unknown): Promise<void>;
}

export function itemFunnel(task: TaskNode, lifeCycle: RunLifeCycle, io: Pick<TaskIO, 'stats' | 'records' | 'errors'>): ItemFunnel {
  const { stats } = io;
  const settled = (outcome: ItemOutcome) => {
    if (outcome === 'error') stats.errors++;
    else if (outcome === 'pending') stats.pending++;
    else stats.records++;
    lifeCycle.itemEnd?.(task, outcome);
  };
  return {
    settled,
    async publish(id, fields, outcome) {
      const written = io.records.writeLine(JSON.stringify(outputRecord({ id, node: task.nodeId, coords: task.coords }, fields, task)));
      if (written) await written;
      settled(outcome);
    },
    async fail(id, error) {
      const written = io.errors.writeLine(JSON.stringify({ id, coords: task.coords, error: describeItemError(error) }));
      if (written) await written;
      settled('error');
    },
  };
}
