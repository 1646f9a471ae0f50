import type { TaskNode, TaskGraph } from './graph.js';
import type { RunStatus, TaskStats } from './task-stats.js';
import type { Awaitable, KindLogEvent } from './node-kind.js';
import type { ProviderLine, ProviderRate } from './rate-limits.js';

/** What a run is, told to every life cycle before any task starts. */
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

/** A retry about to be slept on: the item, the attempt that failed (1 = first), the wait, the error's code. */
export interface RetryInfo {
  readonly itemId: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly code: string;
}

export interface RunEndInfo {
  readonly durationMs: number;
  /** Why the run failed as a whole (a storage failure), beyond its failed tasks. */
  readonly failure?: string;
}

/** A kind's log line or an engine notice, with the task it came from. */
export type LogInfo = KindLogEvent & { readonly task?: string };

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
  retry?(task: TaskNode, info: RetryInfo): void;
  /** Called when a task ends, whatever its status (done, failed, skipped, interrupted). */
  taskEnd?(task: TaskNode, stats: TaskStats): Awaitable<void>;
  /** A kind's own log line, or an engine notice. */
  log?(event: LogInfo): void;
  /** Called last, after every artifact is flushed. */
  runEnd?(status: RunStatus, info: RunEndInfo): Awaitable<void>;
}

/**
 * Version of the run event format (events.jsonl and `run --json`), in every run_start event. Adding an
 * event or a field keeps it; renaming or removing one, or changing a field's meaning, bumps it.
 */
export const RUN_EVENTS_VERSION = 1;

/**
 * One line of events.jsonl (and of `run --json` on stdout): the run's life cycle as data. Built once
 * per hook by src/lifecycle/run-event.ts; documented in docs/events.md. `time` is ISO 8601 UTC.
 */
export type RunEvent =
  | {
      readonly event: 'run_start'; readonly time: string; readonly eventsVersion: typeof RUN_EVENTS_VERSION;
      readonly runId: string; readonly runDir: string; readonly pipeline: string; readonly tasks: number; readonly resumed: boolean;
    }
  | { readonly event: 'task_start'; readonly time: string; readonly task: string; readonly expected?: number }
  | ({ readonly event: 'retry'; readonly time: string; readonly task: string } & RetryInfo)
  | ({ readonly event: 'task_end'; readonly time: string; readonly task: string } & TaskStats)
  | ({ readonly event: 'log'; readonly time: string } & LogInfo)
  /** `run --json` only (a periodic sample of a running task; events.jsonl has the task's end). */
  | { readonly event: 'progress'; readonly time: string; readonly task: string; readonly done: number; readonly cached: number; readonly errors: number; readonly expected?: number }
  /** `run --json` only (a periodic sample of a provider's request rate and the limit it keeps to). */
  | ({ readonly event: 'rate'; readonly time: string } & ProviderLine)
  | { readonly event: 'run_end'; readonly time: string; readonly status: RunStatus; readonly durationMs: number; readonly cause?: string };

export type RunEventName = RunEvent['event'];
