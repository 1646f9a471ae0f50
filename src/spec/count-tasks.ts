import type { LoadedPipeline } from './index.js';
import { isRecord } from './json.js';

/** How many tasks a node's own axes make: models × embedders × explicit matrix × the kind's axes(). */
function ownAxes(pipeline: LoadedPipeline, id: string): number | undefined {
  const node = pipeline.spec.nodes[id];
  const kind = pipeline.kinds.get(id);
  if (!node || !kind) return undefined;
  const params: Record<string, unknown> = isRecord(node.with) ? node.with : {};
  let count = 1;
  for (const list of [params.models, params.embedders]) if (Array.isArray(list) && list.length > 0) count *= list.length;
  for (const values of Object.values(node.matrix ?? {})) count *= values.length;
  try {
    for (const axis of Object.values(kind.axes?.(params) ?? {})) count *= Math.max(1, axis.values.length);
  } catch {
    return undefined;
  }
  return count;
}

/**
 * Tasks in the expanded graph when that is plain arithmetic: each node runs once per combination of its
 * own axes times its single upstream's tasks (fan-in batches once). Undefined when a node joins several
 * upstreams (the graph builder decides those), so callers print just the node count.
 */
export function countTasks(pipeline: LoadedPipeline): number | undefined {
  const memo = new Map<string, number | undefined>();
  const tasksOf = (id: string): number | undefined => {
    if (memo.has(id)) return memo.get(id);
    const own = ownAxes(pipeline, id);
    const needs = pipeline.spec.nodes[id]?.needs ?? [];
    const kind = pipeline.kinds.get(id);
    let result: number | undefined;
    if (own === undefined || needs.length > 1) result = undefined;
    else if (needs.length === 0 || (kind?.mode === 'batch' && kind.fanIn)) result = own;
    else {
      const upstream = tasksOf(needs[0] ?? '');
      result = upstream === undefined ? undefined : upstream * own;
    }
    memo.set(id, result);
    return result;
  };
  let total = 0;
  for (const id of Object.keys(pipeline.spec.nodes)) {
    const tasks = tasksOf(id);
    if (tasks === undefined) return undefined;
    total += tasks;
  }
  return total;
}
