import type { RunResult } from '../run/run-pipeline.js';

/**
 * The plan as a table. Counts downstream of uncached model calls (or of a batch node, which a plan
 * does not run) are lower bounds, shown as "≥N". `errors`: items that already failed (bad table rows,
 * undecodable images), each reported with its cause below the table.
 */
export function formatPlan(result: RunResult): string {
  const { graph, tasks } = result;
  const partial = new Set<string>();
  for (const id of graph.order) {
    const kind = result.pipeline.kinds.get(graph.tasks[id].nodeId);
    const upstreamPartial = graph.dependencies[id].some((dep) => partial.has(dep));
    if (upstreamPartial || tasks[id].pending > 0 || kind?.mode === 'batch') partial.add(id);
  }
  const rows = graph.order.map((id) => {
    const s = tasks[id];
    const kind = result.pipeline.kinds.get(graph.tasks[id].nodeId);
    const upstreamPartial = graph.dependencies[id].some((dep) => partial.has(dep));
    const items = kind?.mode === 'batch' ? '-' : `${upstreamPartial ? '≥' : ''}${s.items}`;
    // A source caches what it yields as work units (images); a plain table source has nothing to cache.
    const cacheable = (kind?.mode === 'item' && kind.cacheable !== false) || (kind?.mode === 'source' && s.cacheHits + s.pending > 0);
    const errors = kind?.mode === 'batch' ? '-' : String(s.errors);
    return [id, kind?.mode ?? '?', items, errors, cacheable ? String(s.cacheHits) : '-', cacheable ? String(s.pending) : '-', graph.dependencies[id].join(', ') || '-'];
  });
  const header = ['task', 'mode', 'items', 'errors', 'cached', 'to call', 'needs'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const calls = Object.values(tasks).reduce((n, s) => n + s.pending, 0);
  return [
    `${result.pipeline.spec.name}: ${graph.order.length} tasks`,
    line(header),
    ...rows.map(line),
    `model calls needed (at least): ${calls}`,
    '',
  ].join('\n');
}
