import type { Pipeline } from '../types/generated/pipeline.js';

/** Node ids, dependencies first, ties in file order. Throws on a cycle (the spec check reports cycles with positions first). */
export function topologicalNodeOrder(spec: Pipeline): string[] {
  const ids = Object.keys(spec.nodes);
  const state = new Map<string, 'visiting' | 'done'>();
  const out: string[] = [];
  const visit = (id: string, trail: string[]) => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`cycle: ${[...trail.slice(trail.indexOf(id)), id].join(' → ')}`);
    state.set(id, 'visiting');
    for (const need of spec.nodes[id]?.needs ?? []) if (need in spec.nodes) visit(need, [...trail, id]);
    state.set(id, 'done');
    out.push(id);
  };
  for (const id of ids) visit(id, []);
  return out;
}
