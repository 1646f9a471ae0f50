import type { TaskNode } from '../types/graph.js';
import type { RunStatus, TaskStats } from '../types/task-stats.js';
import type { ItemOutcome, LogInfo, RetryInfo, RunEndInfo, RunInfo, RunLifeCycle } from '../types/run-events.js';

/** Hands every hook to each part in order; the hooks' contract is RunLifeCycle (src/types/run-events.ts). */
export class CompositeLifeCycle implements RunLifeCycle {
  constructor(private readonly parts: readonly RunLifeCycle[]) {}

  async runStart(info: RunInfo): Promise<void> {
    for (const p of this.parts) await p.runStart?.(info);
  }
  taskStart(task: TaskNode, expected: number | undefined): void {
    for (const p of this.parts) p.taskStart?.(task, expected);
  }
  itemEnd(task: TaskNode, outcome: ItemOutcome): void {
    for (const p of this.parts) p.itemEnd?.(task, outcome);
  }
  retry(task: TaskNode, info: RetryInfo): void {
    for (const p of this.parts) p.retry?.(task, info);
  }
  async taskEnd(task: TaskNode, stats: TaskStats): Promise<void> {
    for (const p of this.parts) await p.taskEnd?.(task, stats);
  }
  log(event: LogInfo): void {
    for (const p of this.parts) p.log?.(event);
  }
  /** Every part gets its runEnd even when an earlier one fails (a manifest on a full disk must not cost the run_end event); the first error is rethrown. */
  async runEnd(status: RunStatus, info: RunEndInfo): Promise<void> {
    let first: { error: unknown } | undefined;
    for (const p of this.parts) {
      try {
        await p.runEnd?.(status, info);
      } catch (error) {
        first ??= { error };
      }
    }
    if (first) throw first.error;
  }
}
