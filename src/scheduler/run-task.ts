import type { FlowRecord } from '../types/records.js';
import type { BatchKind, SourceKind } from '../types/node-kind.js';
import type { TaskNode } from '../graph/types.js';
import type { TaskRuntime } from './task-runtime.js';
import type { TaskIO } from './task-io.js';
import type { TaskInputs } from './executor.js';
import { JsonlWriter, readJsonl } from '../artifacts/jsonl.js';
import { createTaskContext } from './task-context.js';
import { emptyStats, errorRate, type TaskStats } from './task-stats.js';
import { runItemTask, outputRecord } from './run-items.js';
import { describeItemError } from './item-errors.js';
import { isStorageError } from '../errors.js';

/** Concatenated records of the upstream tasks, read back from their published JSONL files. */
function upstreamReader(upstream: readonly string[], runtime: TaskRuntime): () => AsyncIterable<FlowRecord> {
  const files = upstream.map((dep) => runtime.run.recordsFile(dep));
  return async function* () {
    for (const file of files) yield* readJsonl<FlowRecord>(file);
  };
}

async function runSource(task: TaskNode, kind: SourceKind, runtime: TaskRuntime, io: TaskIO): Promise<void> {
  for await (const item of kind.source(io.context)) {
    if (runtime.stopSignal.aborted) break;
    io.stats.items++;
    if ('error' in item) {
      io.stats.errors++;
      await io.errors.write({ id: item.id, coords: task.coords, error: describeItemError(item.error) });
      runtime.lifeCycle.itemEnd?.(task, 'error');
      continue;
    }
    await io.records.write(outputRecord({ id: item.id, node: task.nodeId, coords: task.coords }, item.fields, task));
    io.stats.records++;
    runtime.lifeCycle.itemEnd?.(task, 'computed');
  }
}

async function runBatch(task: TaskNode, kind: BatchKind, runtime: TaskRuntime, io: TaskIO): Promise<void> {
  let counted = false;
  const inputs = () => {
    const first = !counted;
    counted = true;
    const source = io.inputs();
    return (async function* () {
      for await (const record of source) {
        if (first) io.stats.items++;
        yield record;
      }
    })();
  };
  for await (const record of kind.batch(inputs, io.context)) {
    if (runtime.stopSignal.aborted) break;
    await io.records.write({ ...record, node: task.nodeId, coords: { ...task.coords, ...record.coords } });
    io.stats.records++;
    runtime.lifeCycle.itemEnd?.(task, 'computed');
  }
}

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
  try {
    const io: TaskIO = { context: await createTaskContext(task, runtime, inputs.missing), stats, inputs: upstreamReader(inputs.upstream, runtime), records, errors };
    if (kind.mode === 'source') await runSource(task, kind, runtime, io);
    else if (kind.mode === 'item') await runItemTask(task, kind, runtime, io);
    else if (!runtime.dryRun) await runBatch(task, kind, runtime, io);
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
