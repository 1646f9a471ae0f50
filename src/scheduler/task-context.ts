import type { MissingInput, TaskContext } from '../types/node-kind.js';
import type { ResolvedEmbedder, ResolvedModel } from '../types/providers.js';
import type { TaskNode } from '../graph/types.js';
import type { TaskRuntime } from './task-runtime.js';
import path from 'node:path';

/** Embedder paths are relative to the pipeline file; kinds get them absolute. */
function resolveEmbedder(runtime: TaskRuntime, id: string | undefined): ResolvedEmbedder | undefined {
  const entry = id ? runtime.spec.embedders?.[id] : undefined;
  if (!id || !entry) return undefined;
  return { ...entry, id, ...(entry.path ? { path: path.resolve(runtime.specDir, entry.path) } : {}) };
}

function resolveModel(runtime: TaskRuntime, id: string | undefined): ResolvedModel | undefined {
  const entry = id ? runtime.spec.models?.[id] : undefined;
  return id && entry ? { ...entry, id } : undefined;
}

export function createTaskContext(task: TaskNode, runtime: TaskRuntime, missingInputs: readonly MissingInput[] = []): TaskContext<Record<string, unknown>> {
  return {
    taskId: task.id,
    nodeId: task.nodeId,
    params: task.params,
    coords: task.coords,
    model: resolveModel(runtime, task.coords.model),
    embedder: resolveEmbedder(runtime, task.coords.embedder),
    spec: runtime.spec,
    specDir: runtime.specDir,
    runDir: runtime.run.dir,
    seed: runtime.seed,
    signal: runtime.stopSignal,
    providers: runtime.providers,
    cache: runtime.cacheMode.read || runtime.cacheMode.write ? runtime.cache : null,
    ...(missingInputs.length > 0 ? { missingInputs } : {}),
    log: (event) => runtime.lifeCycle.log?.({ ...event, task: task.id }),
  };
}
