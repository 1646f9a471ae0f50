import type { TaskNode } from '../types/graph.js';
import type { RunStatus, TaskStats } from '../types/task-stats.js';
import { RUN_EVENTS_VERSION, type LogInfo, type RetryInfo, type RunEndInfo, type RunEvent, type RunInfo } from '../types/run-events.js';

/**
 * The one place a life-cycle hook becomes a RunEvent: events.jsonl and `run --json` serialise what
 * these return, so the two streams cannot disagree. `now` stamps each event (injectable for tests).
 */
export function runEventBuilder(now: () => string = () => new Date().toISOString()) {
  return {
    runStart: (info: RunInfo): RunEvent => ({
      time: now(), event: 'run_start', eventsVersion: RUN_EVENTS_VERSION,
      runId: info.runId, runDir: info.runDir, pipeline: info.pipelineName, tasks: info.graph.order.length, resumed: info.resumed,
    }),
    taskStart: (task: TaskNode, expected: number | undefined): RunEvent => ({ time: now(), event: 'task_start', task: task.id, ...(expected !== undefined ? { expected } : {}) }),
    retry: (task: TaskNode, info: RetryInfo): RunEvent => ({ time: now(), event: 'retry', task: task.id, itemId: info.itemId, attempt: info.attempt, delayMs: info.delayMs, code: info.code }),
    taskEnd: (task: TaskNode, stats: TaskStats): RunEvent => ({ time: now(), event: 'task_end', task: task.id, ...stats }),
    log: (log: LogInfo): RunEvent => {
      const time = now();
      // A kind's own fields never overwrite what the event is (and keep their place after it).
      return { ...{ time, event: 'log', ...log }, time, event: 'log' };
    },
    progress: (task: string, counts: { done: number; cached: number; errors: number; expected?: number }): RunEvent => ({
      time: now(), event: 'progress', task, done: counts.done, cached: counts.cached, errors: counts.errors, ...(counts.expected !== undefined ? { expected: counts.expected } : {}),
    }),
    runEnd: (status: RunStatus, info: RunEndInfo): RunEvent => ({ time: now(), event: 'run_end', status, durationMs: info.durationMs, ...(info.failure ? { cause: info.failure } : {}) }),
  };
}

export type RunEventBuilder = ReturnType<typeof runEventBuilder>;
