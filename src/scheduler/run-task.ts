import type { FlowRecord } from '../types/records.js';
import type { BatchKind, NodeKind, SourceKind, SourceWork } from '../types/node-kind.js';
import type { TaskNode } from '../types/graph.js';
import type { TaskRuntime } from './task-runtime.js';
import { itemFunnel, type ItemFunnel, type TaskIO } from './task-io.js';
import type { TaskInputs } from './executor.js';
import { batchesOf, JsonlWriter, readJsonlFiles, recordStream } from '../artifacts/jsonl.js';
import { createTaskContext } from './task-context.js';
import { emptyStats, errorRate, type TaskStats } from '../types/task-stats.js';
import { runItemTask } from './run-items.js';
import { taskReuse } from './task-reuse.js';
import { describeItemError } from './item-errors.js';
import { CACHE_FORMAT_VERSION } from '../cache/key.js';
import { hashJson } from '../util/hash.js';
import { isStorageError } from '../errors.js';

/** Concatenated records of the upstream tasks, read back from their published JSONL files (also a chunk at a time: `batchesOf`). */
function upstreamReader(upstream: readonly string[], runtime: TaskRuntime): () => AsyncIterable<FlowRecord> {
  const files = upstream.map((dep) => runtime.run.recordsFile(dep));
  return () => readJsonlFiles<FlowRecord>(files);
}

/** Computations of source work in flight in a run, by cache key: two tasks asking for one key share it. */
const workInFlight = new WeakMap<TaskRuntime, Map<string, Promise<unknown>>>();

async function runSource(task: TaskNode, kind: SourceKind, runtime: TaskRuntime, io: TaskIO): Promise<void> {
  const funnel = itemFunnel(task, runtime.lifeCycle, io);
  for await (const item of kind.source(io.context)) {
    if (runtime.stopSignal.aborted) break;
    // `--limit N`: the first N items (a table's first N rows, in file order); the source is not read further.
    if (runtime.sourceLimit !== undefined && io.stats.items >= runtime.sourceLimit) break;
    io.stats.items++;
    if ('compute' in item) await runSourceWork(task, kind, item, runtime, io, funnel);
    else if ('error' in item) await funnel.fail(item.id, item.error);
    else await funnel.publish(item.id, item.fields, 'computed');
  }
}

/** A ConfigError (by code, so a local kind's own copy counts) is the task's problem, not the item's. */
function isConfigError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'VAFLOW_CONFIG';
}

/** One unit of source work: cache lookup, else (not in a plan) compute once per run and store; then its record. */
async function runSourceWork(
  task: TaskNode, kind: SourceKind, work: SourceWork, runtime: TaskRuntime, io: TaskIO, funnel: ItemFunnel,
): Promise<void> {
  const key = hashJson({ v: CACHE_FORMAT_VERSION, ns: 'source', kind: kind.name, kindVersion: kind.version, key: work.key });
  const cached = runtime.cacheMode.read ? runtime.cache?.get(key) : undefined;
  let value: unknown = cached;
  let computed = false;
  if (cached !== undefined) {
    io.stats.cacheHits++;
  } else if (runtime.dryRun) {
    funnel.settled('pending');
    return;
  } else {
    let inFlight = workInFlight.get(runtime);
    if (!inFlight) workInFlight.set(runtime, (inFlight = new Map()));
    let pending = inFlight.get(key);
    const owner = !pending;
    if (!pending) {
      io.stats.cacheMisses++;
      pending = work.compute();
      inFlight.set(key, pending);
    }
    try {
      value = await pending;
    } catch (error) {
      if (isConfigError(error)) throw error;
      return funnel.fail(work.id, error);
    } finally {
      if (owner) inFlight.delete(key);
    }
    if (owner) {
      computed = true;
      if (runtime.cacheMode.write) runtime.cache?.put(key, value, { namespace: 'source', origin: task.id });
    } else {
      io.stats.cacheHits++;
    }
  }
  let fields: Readonly<Record<string, unknown>>;
  try {
    fields = work.finish(value);
  } catch (error) {
    return funnel.fail(work.id, error);
  }
  await funnel.publish(work.id, fields, computed ? 'computed' : 'cached');
}

async function runBatch(task: TaskNode, kind: BatchKind, runtime: TaskRuntime, io: TaskIO): Promise<void> {
  let counted = false;
  const inputs = () => {
    const first = !counted;
    counted = true;
    const source = io.inputs();
    if (!first) return source;
    // Counted a chunk of records at a time, and still offered in chunks (`batchesOf`) to a kind that takes them.
    return recordStream(async function* () {
      for await (const batch of batchesOf(source)) {
        for (let i = 0; i < batch.length; i++) {
          io.stats.items++;
          // Progress counts the inputs read against the inputs expected, not the records written
          // (an aggregate writes one per group: counting those showed "1020/105").
          runtime.lifeCycle.itemEnd?.(task, 'computed');
        }
        yield batch;
      }
    });
  };
  for await (const record of kind.batch(inputs, io.context)) {
    if (runtime.stopSignal.aborted) break;
    await io.records.write({ ...record, node: task.nodeId, coords: { ...task.coords, ...record.coords } });
    io.stats.records++;
  }
}

type ModeRunner<K extends NodeKind> = (task: TaskNode, kind: K, runtime: TaskRuntime, io: TaskIO) => Promise<void>;

/** How each mode of kind runs; a plan calls nothing, so a batch task (aggregate, calibration) runs only for real. */
const RUNNERS: { readonly [M in NodeKind['mode']]: ModeRunner<Extract<NodeKind, { mode: M }>> } = {
  source: runSource,
  item: runItemTask,
  batch: (task, kind, runtime, io) => (runtime.dryRun ? Promise.resolve() : runBatch(task, kind, runtime, io)),
};

/** Runs one task to its end and returns its counters; never throws for item failures. */
export async function runTask(task: TaskNode, runtime: TaskRuntime, inputs: TaskInputs): Promise<TaskStats> {
  const kind = runtime.kinds.get(task.nodeId);
  if (!kind) throw new Error(`no kind loaded for node ${task.nodeId}`);
  const stats = emptyStats('running');
  const started = Date.now();
  stats.startedAt = new Date(started).toISOString();
  const records = new JsonlWriter(runtime.run.recordsFile(task.id));
  const errors = new JsonlWriter(runtime.run.errorsFile(task.id), { onlyIfWritten: true });
  if (inputs.missing.length > 0) stats.missingInputs = inputs.missing.map((m) => m.task);
  runtime.lifeCycle.taskStart?.(task, inputs.expected);
  let reuse: Awaited<ReturnType<typeof taskReuse>> = null;
  try {
    const io: TaskIO = { context: await createTaskContext(task, runtime, inputs.missing), stats, inputs: upstreamReader(inputs.upstream, runtime), records, errors };
    reuse = inputs.missing.length === 0 ? await taskReuse(task, kind, runtime, io.context, inputs.upstream) : null;
    const reused = (await reuse?.restore(records, stats)) ?? false;
    // The kind's mode picks its runner; the union cannot be narrowed through the lookup.
    if (!reused) await (RUNNERS[kind.mode] as ModeRunner<NodeKind>)(task, kind, runtime, io);
  } catch (error) {
    stats.status = 'failed';
    stats.reason = `${kind.name} failed: ${describeItemError(error).message}`;
    // A full disk or no file handles is not this task's problem alone: it stops the run.
    if (isStorageError(error)) runtime.failure.fail(error);
  }
  if (stats.status === 'failed' && runtime.failure.error) {
    await records.abandon();
    await errors.abandon();
  } else if (runtime.stopSignal.aborted) {
    stats.status = 'interrupted';
    await records.abandon();
    await errors.abandon();
  } else {
    const rate = errorRate(stats);
    if (stats.status === 'running' && rate > task.settings.maxErrorRate) {
      stats.status = 'failed';
      stats.reason = `error rate ${(rate * 100).toFixed(1)}% is above maxErrorRate ${(task.settings.maxErrorRate * 100).toFixed(1)}% (${stats.errors} of ${stats.items} items failed; see ${runtime.run.errorsFile(task.id)})`;
    }
    try {
      await records.commit();
      await errors.commit();
      if (stats.status === 'running') stats.status = 'done';
      await reuse?.remember(runtime.run.recordsFile(task.id), stats);
    } catch (error) {
      stats.status = 'failed';
      stats.reason = describeItemError(error).message;
      runtime.failure.fail(error);
    }
  }
  stats.endedAt = new Date().toISOString();
  stats.durationMs = Date.now() - started;
  return stats;
}
