import type { Coords } from './records.js';

/** Engine settings resolved for one task (from `defaults`, overridden by the node's `with`). */
export interface EngineSettings {
  /** The node's own cap on calls in flight (its `with.concurrency`), shared by its tasks; null: only the run's cap. */
  readonly concurrency: number | null;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly maxErrorRate: number;
  readonly retryBudget: number;
}

/** One concrete task: a node at one combination of its matrix axes. Plain, serialisable data. */
export interface TaskNode {
  /** Readable id: `classify[model=llama32,variant=lexical]`, or the node id when there are no axes. */
  readonly id: string;
  readonly nodeId: string;
  readonly kind: string;
  readonly coords: Coords;
  /** The node's `with` without engine settings, with this task's matrix values applied. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly settings: EngineSettings;
  /** Params an axis stands for (models, embedders, variants): left out of the cache key. */
  readonly axisParams: readonly string[];
  /**
   * Set on fan-in tasks (a batch kind with `fanIn: true`, e.g. aggregate): the task runs once every
   * dependency has ended, on those that completed, and is told which ones failed or were skipped.
   */
  readonly fanIn?: true;
}

export interface TaskGraph {
  readonly roots: readonly string[];
  readonly tasks: Readonly<Record<string, TaskNode>>;
  /** Task id → ids of the tasks it reads. */
  readonly dependencies: Readonly<Record<string, readonly string[]>>;
  /** Every task id in a topological order (dependencies first). */
  readonly order: readonly string[];
}
