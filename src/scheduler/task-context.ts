import type { MissingInput, TaskContext } from '../types/node-kind.js';
import type { ResolvedEmbedder, ResolvedModel } from '../types/providers.js';
import type { TaskNode } from '../types/graph.js';
import type { TaskRuntime } from './task-runtime.js';
import path from 'node:path';
import { emptyTally } from './chat-calls.js';
import { cachedEmbedder } from './embed-cached.js';
import { cachedChartRenderer } from './chart-cached.js';
import { cachedComputation } from './computed-cached.js';
import { chartRendererVersion, loadChartRenderer } from '../report/render-svg.js';

/** Embedder paths are relative to the pipeline file; kinds get them absolute, with their source resolved. */
async function resolveEmbedder(runtime: TaskRuntime, id: string | undefined): Promise<ResolvedEmbedder | undefined> {
  const entry = id ? runtime.spec.embedders?.[id] : undefined;
  if (!id || !entry) return undefined;
  return runtime.providers.resolveEmbedder({ ...entry, id, ...(entry.path ? { path: path.resolve(runtime.specDir, entry.path) } : {}) });
}

async function resolveModel(runtime: TaskRuntime, id: string | undefined): Promise<ResolvedModel | undefined> {
  const entry = id ? runtime.spec.models?.[id] : undefined;
  return id && entry ? runtime.providers.resolveModel({ ...entry, id }) : undefined;
}

/**
 * The context a task's kind sees. Its model and embedder come with their source resolved (the base
 * URL the client uses, file digests), which the cache keys need; `providers.chat` goes through the
 * run's call-level cache, `providers.embedder` through its embedding cache and
 * `providers.renderCharts` through its chart cache and `providers.computeCached` through it too, so a kind never
 * touches the cache itself. A model file that cannot be read fails the task here, naming it.
 */
export async function createTaskContext(task: TaskNode, runtime: TaskRuntime, missingInputs: readonly MissingInput[] = []): Promise<TaskContext<Record<string, unknown>>> {
  const [model, embedder] = await Promise.all([resolveModel(runtime, task.coords.model), resolveEmbedder(runtime, task.coords.embedder)]);
  return {
    taskId: task.id,
    nodeId: task.nodeId,
    params: task.params,
    coords: task.coords,
    model,
    embedder,
    spec: runtime.spec,
    specDir: runtime.specDir,
    runDir: runtime.run.dir,
    seed: runtime.seed,
    signal: runtime.stopSignal,
    providers: {
      chat: runtime.chatCalls.chatFor({ repeat: 0, tally: emptyTally(), origin: task.id }),
      embedder: (entry) => cachedEmbedder(entry, { load: () => runtime.providers.loadEmbedder(entry), cache: runtime.cache, mode: runtime.cacheMode }),
      renderCharts: cachedChartRenderer({ load: () => runtime.providers.shared('renderer:charts', loadChartRenderer), version: chartRendererVersion, cache: runtime.cache, mode: runtime.cacheMode }),
      computeCached: cachedComputation({ cache: runtime.cache, mode: runtime.cacheMode }),
      shared: runtime.providers.shared,
      fileDigest: runtime.providers.fileDigest,
    },
    ...(missingInputs.length > 0 ? { missingInputs } : {}),
    log: (event) => runtime.lifeCycle.log?.({ ...event, task: task.id }),
  };
}
