import type { Pipeline } from '../types/generated/pipeline.js';
import { UsageError } from '../errors.js';

/**
 * `run --only NODE…`: the pipeline cut down to those nodes and every node they need, transitively.
 * The upstream nodes run in the same run (their items come from the cache when cached), so the run
 * folder holds every record the selected nodes read, as a full run's does; nothing is borrowed from
 * an earlier run, whose parameters may differ. Nodes downstream of the selection do not run.
 */
export function selectNodes(spec: Pipeline, only: readonly string[]): Pipeline {
  if (only.length === 0) return spec;
  const known = Object.keys(spec.nodes);
  const unknown = only.filter((id) => !Object.hasOwn(spec.nodes, id));
  if (unknown.length > 0) {
    throw new UsageError(`--only ${unknown.join(' ')}: no such node${unknown.length === 1 ? '' : 's'} in ${spec.name} (nodes: ${known.join(', ')})`);
  }
  const keep = new Set<string>();
  const visit = (id: string) => {
    if (keep.has(id)) return;
    keep.add(id);
    for (const need of spec.nodes[id].needs ?? []) visit(need);
  };
  for (const id of only) visit(id);
  const nodes: Pipeline['nodes'] = {};
  for (const id of known) if (keep.has(id)) nodes[id] = spec.nodes[id];
  return { ...spec, nodes };
}
