import type { TaskNode, TaskGraph } from '../graph/types.js';
import type { TaskStats } from '../scheduler/task-stats.js';
import type { Awaitable, KindLogEvent } from '../types/node-kind.js';
import type { ProviderRate } from '../scheduler/provider-services.js';


export interface RunInfo {
  readonly runId: string;
  readonly runDir: string;
  readonly pipelineName: string;
  readonly graph: TaskGraph;
  readonly resumed: boolean;
  readonly dryRun: boolean;
  /** Each provider's request rate and rate limit, now (the progress display asks as it redraws). */
  readonly providerRates?: () => readonly ProviderRate[];
}

export type ItemOutcome = 'computed' | 'cached' | 'error' | 'pending';

export type RunStatus = 'completed' | 'failed' | 'interrupted';

export interface RunEndInfo {
  readonly durationMs: number;
  /** Why the run failed as a whole (a storage failure), beyond its failed tasks. */
  readonly failure?: string;
}

/**
 * Hooks around a run, every one optional. The orchestrator calls them; the terminal display,
 * events.jsonl and the manifest are separate implementations, combined by CompositeLifeCycle.
 */
export interface RunLifeCycle {
  /** Called once the graph is built and the run folder exists, before any task starts. */
  runStart?(info: RunInfo): Awaitable<void>;
  /** Called when a task's dependencies are done and it starts; `expected` is its input count when known. */
  taskStart?(task: TaskNode, expected: number | undefined): void;
  /** Called for every item as it settles (a hot path: keep it cheap and synchronous). */
  itemEnd?(task: TaskNode, outcome: ItemOutcome): void;
  /** Called before a retry is slept on. */
  retry?(task: TaskNode, info: { itemId: string; attempt: number; delayMs: number; code: string }): void;
  /** Called when a task ends, whatever its status (done, failed, skipped, interrupted). */
  taskEnd?(task: TaskNode, stats: TaskStats): Awaitable<void>;
  /** A kind's own log line, or an engine notice. */
  log?(event: KindLogEvent & { task?: string }): void;
  /** Called last, after every artifact is flushed. */
  runEnd?(status: RunStatus, info: RunEndInfo): Awaitable<void>;
}

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
  retry(task: TaskNode, info: { itemId: string; attempt: number; delayMs: number; code: string }): void {
    for (const p of this.parts) p.retry?.(task, info);
  }
  async taskEnd(task: TaskNode, stats: TaskStats): Promise<void> {
    for (const p of this.parts) await p.taskEnd?.(task, stats);
  }
  log(event: KindLogEvent & { task?: string }): void {
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
