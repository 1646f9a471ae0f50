import path from 'node:path';
import type { NodeKind, TaskContext } from '../types/node-kind.js';
import type { TaskNode } from '../types/graph.js';
import type { TaskStats } from '../types/task-stats.js';
import type { TaskRuntime } from './task-runtime.js';
import type { JsonlWriter } from '../artifacts/jsonl.js';
import { hashFile, hashJson } from '../util/hash.js';
import { CACHE_FORMAT_VERSION } from '../cache/key.js';
import { installedDependencyVersions } from '../artifacts/manifest.js';
import { codeDigest } from '../util/code-digest.js';

/** What the cache keeps of a reusable task that completed: where its records are, and what they hash to. */
export interface ReusedRecords {
  /** Absolute path of the records file, in the run folder that wrote it last. */
  readonly file: string;
  readonly sha256: string;
  readonly items: number;
  readonly records: number;
}

/** One task's side of reuse: `restore` before it runs, `remember` once its records file is published. */
export interface TaskReuse {
  /**
   * Makes `records` a copy of the identical records an earlier run wrote, when the cache names some
   * and the file still holds exactly those bytes; fills the stats and returns true. False: compute.
   */
  restore(records: JsonlWriter, stats: TaskStats): Promise<boolean>;
  /** Keeps a completed task's records, computed or copied, for the next run (only when every item became a record). */
  remember(file: string, stats: TaskStats): Promise<void>;
}

const NAMESPACE = 'task-records';

/** The engine code that writes a task's records (relabelling, splicing, JSONL): part of every key. */
const ENGINE_CODE = new URL('./run-task.js', import.meta.url).href;

/**
 * Reuse for a task whose kind declares `reusable` (extract on a table, prompt-variant): its records
 * are a function of the kind's code, the engine's, the installed dependencies, the task (node,
 * coordinates, params), the seed, `--limit`, its upstream records and the files the kind names, all
 * by content. A rerun with all of those unchanged copies the earlier records file instead of
 * computing it again, and reads it back through sha256 first: a file that changed or vanished since
 * is not used. A plan may copy records into its scratch folder but keeps none (it writes no cache
 * entry). Null when the task cannot take part: no cache, a kind without the declaration, or one that
 * says its records depend on something else this time.
 */
export async function taskReuse(
  task: TaskNode, kind: NodeKind, runtime: TaskRuntime, context: TaskContext<Record<string, unknown>>, upstream: readonly string[],
): Promise<TaskReuse | null> {
  const { cache, cacheMode } = runtime;
  // A kind that calls a model (cacheable items) keeps its answers in the cache item by item; a batch kind writes more than records.
  if (kind.mode === 'batch' || (kind.mode === 'item' && kind.cacheable !== false) || !kind.reusable) return null;
  if (!cache || (!cacheMode.read && !cacheMode.write)) return null;
  const files = await kind.reusable.files(context);
  if (files === null) return null;
  // A file that cannot be read is the kind's to report, in its own words, when it runs.
  const digests = await Promise.all(files.map(digestOrNull));
  if (digests.includes(null)) return null;
  const key = hashJson({
    v: CACHE_FORMAT_VERSION,
    ns: NAMESPACE,
    kind: kind.name,
    kindVersion: kind.version,
    code: codeDigest(kind.reusable.code),
    engine: codeDigest(ENGINE_CODE),
    dependencies: installedDependencyVersions(),
    task: { node: task.nodeId, coords: task.coords, params: task.params },
    seed: runtime.seed,
    limit: runtime.sourceLimit ?? null,
    upstream: await Promise.all(upstream.map((dep) => hashFile(runtime.run.recordsFile(dep)))),
    files: digests,
  });
  let restored: ReusedRecords | undefined;
  return {
    async restore(records, stats) {
      if (!cacheMode.read) return false;
      const entry = reusedRecords(cache.get(key));
      // Read through before the copy: records files of finished runs are never written again, so the
      // bytes checked are the bytes copied.
      if (!entry || (await digestOrNull(entry.file)) !== entry.sha256) return false;
      await records.copyFrom(entry.file);
      restored = entry;
      stats.items = entry.items;
      stats.records = entry.records;
      stats.reusedFrom = path.relative(path.dirname(runtime.run.dir), entry.file).split(path.sep).join('/');
      for (let i = 0; i < entry.records; i++) runtime.lifeCycle.itemEnd?.(task, 'cached');
      return true;
    },
    async remember(file, stats) {
      if (!cacheMode.write || stats.errors > 0 || stats.pending > 0 || stats.status !== 'done') return;
      // A copy is named by the digest it was checked against; the newest copy stands for the
      // records from now on, so deleting older runs does not lose them.
      const entry: ReusedRecords = { file: path.resolve(file), sha256: restored?.sha256 ?? await hashFile(file), items: stats.items, records: stats.records };
      cache.put(key, entry, { namespace: NAMESPACE, origin: task.id });
    },
  };
}

/** A stored entry, or undefined when the value is not one (damaged, or written by other code). */
function reusedRecords(value: unknown): ReusedRecords | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Partial<ReusedRecords>;
  const counts = [entry.items, entry.records].every((n) => Number.isSafeInteger(n) && n! >= 0);
  return typeof entry.file === 'string' && typeof entry.sha256 === 'string' && counts ? (entry as ReusedRecords) : undefined;
}

/** The file's sha256, or null when it cannot be read (an earlier run folder deleted or moved). */
async function digestOrNull(file: string): Promise<string | null> {
  try {
    return await hashFile(file);
  } catch {
    return null;
  }
}
