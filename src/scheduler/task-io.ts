import type { FlowRecord } from '../types/records.js';
import type { TaskContext } from '../types/node-kind.js';
import type { JsonlWriter } from '../artifacts/jsonl.js';
import type { TaskStats } from '../types/task-stats.js';

/** The streams and counters of one running task. */
export interface TaskIO {
  readonly context: TaskContext<Record<string, unknown>>;
  readonly stats: TaskStats;
  /** A fresh stream over every upstream task's records, each time it is called. */
  readonly inputs: () => AsyncIterable<FlowRecord>;
  readonly records: JsonlWriter;
  readonly errors: JsonlWriter;
}
