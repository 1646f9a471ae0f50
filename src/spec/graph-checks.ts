import type { NodeKind } from '../types/node-kind.js';
import { findCycles } from './cycles.js';
import type { LocatedIssue } from './issues.js';
import { isRecord } from '../util/is-record.js';

/** A node as read from the file, before it is known to be valid: only the fields of the right type. */
export interface NodeView {
  readonly id: string;
  readonly kind?: string;
  /** `needs` entries that are strings, with their index in the file. */
  readonly needs: readonly { readonly id: string; readonly index: number }[];
  readonly hasNeeds: boolean;
  readonly with: unknown;
  readonly matrix: unknown;
}

/** The `nodes` mapping as NodeViews, in file order (empty when `nodes` is not a mapping). */
export function viewNodes(value: unknown): NodeView[] {
  const nodes = isRecord(value) && isRecord(value.nodes) ? value.nodes : {};
  return Object.entries(nodes).map(([id, node]) => {
    const raw = isRecord(node) ? node : {};
    const needs = Array.isArray(raw.needs) ? raw.needs : [];
    return {
      id,
      kind: typeof raw.kind === 'string' && raw.kind !== '' ? raw.kind : undefined,
      needs: needs.flatMap((need: unknown, index) => (typeof need === 'string' ? [{ id: need, index }] : [])),
      hasNeeds: Array.isArray(raw.needs) && raw.needs.length > 0,
      with: raw.with,
      matrix: raw.matrix,
    };
  });
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Edges: unknown `needs`, cycles, sources with needs, consumers without, record types that do not fit. */
export function checkGraph(nodes: readonly NodeView[], kinds: ReadonlyMap<string, NodeKind>): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const ids = new Set(nodes.map((node) => node.id));
  const defined = [...ids].join(', ');
  for (const node of nodes) {
    for (const need of node.needs) {
      if (!ids.has(need.id)) issues.push({ path: ['nodes', node.id, 'needs', need.index], message: `unknown node "${need.id}" (defined: ${defined})` });
    }
    const kind = kinds.get(node.id);
    if (!kind) continue;
    if (kind.mode === 'source' || kind.consumes.length === 0) {
      if (node.hasNeeds) issues.push({ path: ['nodes', node.id, 'needs'], message: `kind ${kind.name} is a source: it reads no upstream records, so it takes no needs` });
      continue;
    }
    if (!node.hasNeeds) {
      issues.push({ path: ['nodes', node.id], message: `missing needs: kind ${kind.name} consumes ${orList(kind.consumes)} records from an upstream node` });
      continue;
    }
    for (const need of node.needs) {
      const upstream = kinds.get(need.id);
      if (!upstream || kind.consumes.includes(upstream.produces)) continue;
      issues.push({
        path: ['nodes', node.id, 'needs', need.index],
        message: `"${need.id}" produces ${upstream.produces} records; ${kind.name} consumes ${orList(kind.consumes)}`,
      });
    }
  }
  const edges = new Map(nodes.map((node) => [node.id, node.needs.map((need) => need.id)]));
  issues.push(...findCycles(edges));
  return issues;
}

/** Providers that answer from a record's valence and arousal, without a prompt. */
const PROMPT_FREE_PROVIDERS: ReadonlySet<string> = new Set(['circumplex']);

/**
 * A kind that reads prompts (classify, describe) also takes `va` records for the circumplex
 * baseline, so the record types fit; but a chat model given a `va` record has no messages to send
 * and every item would fail. Flags each such model, where the node names it.
 */
export function checkModelInputs(nodes: readonly NodeView[], kinds: ReadonlyMap<string, NodeKind>, value: unknown): LocatedIssue[] {
  const models = isRecord(value) && isRecord(value.models) ? value.models : {};
  const issues: LocatedIssue[] = [];
  for (const node of nodes) {
    const kind = kinds.get(node.id);
    const listed = isRecord(node.with) ? node.with.models : undefined;
    if (!kind?.consumes.includes('prompt') || !Array.isArray(listed)) continue;
    const unprompted = node.needs.filter((need) => {
      const upstream = kinds.get(need.id);
      return upstream !== undefined && upstream.produces !== 'prompt' && kind.consumes.includes(upstream.produces);
    });
    if (unprompted.length === 0) continue;
    const from = unprompted.map((need) => `"${need.id}" (${kinds.get(need.id)?.produces} records)`).join(', ');
    listed.forEach((id: unknown, index) => {
      const entry = typeof id === 'string' ? models[id] : undefined;
      const provider = isRecord(entry) && typeof entry.provider === 'string' ? entry.provider : undefined;
      if (provider === undefined || PROMPT_FREE_PROVIDERS.has(provider)) return;
      issues.push({
        path: ['nodes', node.id, 'with', 'models', index],
        message: `model "${String(id)}" (${provider}) needs prompt records, but ${from} gives none; put a prompt-variant node between them (its needs: [${unprompted[0]!.id}]), or use only the circumplex baseline here`,
      });
    });
  }
  return issues;
}
