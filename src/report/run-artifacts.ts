import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../artifacts/manifest.js';
import { readRunManifest, taskFileName } from '../artifacts/run-folder.js';
import type { TaskGraph } from '../types/graph.js';
import type { Coords } from '../types/records.js';

/**
 * What the report reads from a run folder besides metrics.json: the task graph (plan.json), the
 * manifest, and the records files of the tasks an aggregate node read. Every piece is optional: a
 * metrics document written outside a run folder still gets a report, without the item explorer,
 * predictions.csv or the cost table.
 */
export interface UpstreamTask {
  readonly taskId: string;
  readonly node: string;
  readonly coords: Coords;
  /** tasks/<task>.jsonl; absent when the task published no records (failed, skipped). */
  readonly file: string | undefined;
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function readPlan(runDir: string): TaskGraph | undefined {
  const plan = readJson<TaskGraph>(path.join(runDir, 'plan.json'));
  return plan && typeof plan.tasks === 'object' && typeof plan.dependencies === 'object' ? plan : undefined;
}

/** The run's manifest, checked (src/artifacts/run-folder.ts readRunManifest); undefined with the reason when unreadable. */
export function readManifest(runDir: string): Manifest | undefined {
  return readRunManifest({ manifestFile: path.join(runDir, 'manifest.json') }).manifest;
}

/**
 * The tasks the aggregate node `node` read, in plan order, with their records files. Undefined
 * when the folder has no plan.json (a metrics document rendered outside a run).
 */
export function upstreamTasks(runDir: string, node: string): UpstreamTask[] | undefined {
  const plan = readPlan(runDir);
  if (!plan) return undefined;
  const readers = plan.order.filter((id) => plan.tasks[id]?.nodeId === node);
  const read = new Set(readers.flatMap((id) => plan.dependencies[id] ?? []));
  return plan.order.filter((id) => read.has(id)).map((taskId) => {
    const task = plan.tasks[taskId];
    const file = path.join(runDir, 'tasks', `${taskFileName(taskId)}.jsonl`);
    return { taskId, node: task.nodeId, coords: task.coords, file: existsSync(file) ? file : undefined };
  });
}
