export type TaskStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'interrupted';

/** How a run ended (the manifest says `running` until then). */
export type RunStatus = 'completed' | 'failed' | 'interrupted';

/** Counters of one task, as they appear in the manifest. */
export interface TaskStats {
  status: TaskStatus;
  /** Why a task failed or was skipped. */
  reason?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Input items seen (records read, or rows yielded by a source). */
  items: number;
  /** Records written. */
  records: number;
  cacheHits: number;
  cacheMisses: number;
  /** Items not computed because a plan does not call models. */
  pending: number;
  errors: number;
  retries: number;
  inputTokens: number;
  outputTokens: number;
  /** In the currency of the model's price table; absent without one. */
  cost?: number;
  /**
   * The records were an earlier run's, copied (src/scheduler/task-reuse.ts): that records file, relative
   * to the runs folder. Absent when the task computed its records.
   */
  reusedFrom?: string;
  /** A fan-in task that ran without some of its inputs: the upstream tasks that failed or were skipped. */
  missingInputs?: string[];
}

export function emptyStats(status: TaskStatus = 'pending'): TaskStats {
  return { status, items: 0, records: 0, cacheHits: 0, cacheMisses: 0, pending: 0, errors: 0, retries: 0, inputTokens: 0, outputTokens: 0 };
}

/** Errors over items; a task with no items has no error rate (0). */
export function errorRate(stats: TaskStats): number {
  return stats.items === 0 ? 0 : stats.errors / stats.items;
}
