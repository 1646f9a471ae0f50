import type { TaskGraph } from '../types/graph.js';
import type { RunLifeCycle } from '../types/run-events.js';
import type { RunStatus } from '../types/task-stats.js';
import type { MissingInput } from '../types/node-kind.js';
import type { TaskExecutor, TaskInputs } from './executor.js';
import { TaskSchedule } from './schedule.js';
import type { RunFailure } from './run-failure.js';
import { emptyStats, type TaskStats } from '../types/task-stats.js';

export interface OrchestrateOptions {
  readonly graph: TaskGraph;
  readonly executor: TaskExecutor;
  readonly lifeCycle: RunLifeCycle;
  /** Aborted on interruption or a storage failure: no new task starts. */
  readonly stopSignal: AbortSignal;
  /** Where a storage failure of the life cycle (the manifest on a full disk) is recorded. */
  readonly failure?: RunFailure;
  /**
   * Tasks running at once. Each holds a few files (its records and errors, one upstream file at a
   * time), so this bounds the open files however wide the graph is. @default Infinity
   */
  readonly maxRunning?: number;
  /** Tasks finished by an earlier attempt of this run (resume), with their counters. */
  readonly previous?: Readonly<Record<string, TaskStats>>;
}

export interface OrchestrateResult {
  readonly status: RunStatus;
  readonly tasks: Record<string, TaskStats>;
}

/**
 * The run loop: start every ready task (independent tasks run in parallel), record each ending,
 * skip the dependants of failed tasks with the reason (a fan-in task runs on the inputs that
 * completed and is told which did not), stop starting tasks once interrupted.
 */
export async function orchestrate(options: OrchestrateOptions): Promise<OrchestrateResult> {
  const { graph, executor, lifeCycle, stopSignal } = options;
  const tasks: Record<string, TaskStats> = {};
  const done = Object.entries(options.previous ?? {}).filter(([id, s]) => s.status === 'done' && id in graph.tasks).map(([id]) => id);
  for (const id of done) tasks[id] = options.previous![id];
  for (const id of graph.order) tasks[id] ??= emptyStats();
  const schedule = new TaskSchedule(graph, done);
  const running = new Map<string, Promise<void>>();

  const inputsOf = (id: string): TaskInputs => {
    const deps = graph.dependencies[id];
    const upstream = deps.filter((dep) => tasks[dep].status === 'done');
    const missing: MissingInput[] = deps.filter((dep) => tasks[dep].status !== 'done').map((dep) => {
      const s = tasks[dep];
      return { task: dep, status: s.status === 'skipped' ? 'skipped' : 'failed', reason: s.reason ?? s.status, items: s.items, records: s.records, errors: s.errors };
    });
    return { expected: deps.length === 0 ? undefined : upstream.reduce((sum, dep) => sum + tasks[dep].records, 0), upstream, missing };
  };

  const taskEnd = async (id: string) => {
    try {
      await lifeCycle.taskEnd?.(graph.tasks[id], tasks[id]);
    } catch (error) {
      if (!options.failure) throw error;
      options.failure.fail(error);
    }
  };

  const settle = async (id: string, stats: TaskStats) => {
    tasks[id] = stats;
    await taskEnd(id);
    if (stats.status === 'done') {
      schedule.complete(id);
      return;
    }
    if (stats.status !== 'failed') return;
    for (const [blocked, reason] of schedule.fail(id)) {
      tasks[blocked] = { ...emptyStats('skipped'), reason };
      await taskEnd(blocked);
    }
  };

  for (;;) {
    if (!stopSignal.aborted) {
      for (const id of schedule.nextReady((options.maxRunning ?? Infinity) - running.size)) {
        const started = executor
          .execute(graph.tasks[id], inputsOf(id))
          .catch((error: unknown) => ({ ...emptyStats('failed'), reason: error instanceof Error ? error.message : String(error) }))
          .then((stats) => settle(id, stats))
          .finally(() => running.delete(id));
        running.set(id, started);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  const statuses = Object.values(tasks).map((s) => s.status);
  const failed = options.failure?.error;
  const status: RunStatus = failed
    ? 'failed'
    : stopSignal.aborted || statuses.includes('interrupted')
      ? 'interrupted'
      : statuses.some((s) => s === 'failed' || s === 'skipped') ? 'failed' : 'completed';
  if (stopSignal.aborted) {
    const reason = failed ? `not started: the run failed (${failed.message})` : 'not started: the run was interrupted';
    for (const [id, s] of Object.entries(tasks)) if (s.status === 'pending') tasks[id] = { ...s, status: 'interrupted', reason };
  }
  return { status, tasks };
}
