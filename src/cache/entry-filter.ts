/**
 * Which cache entries `vaflow cache clear` selects. Both stores use this one predicate (the SQLite
 * store calls it from SQL as a function), so they cannot disagree. Every condition given must hold.
 */
export interface EntryFilter {
  /** Entries of these models (ids as under `models:`): their chat answers and their tasks' item results. */
  readonly models?: readonly string[];
  /** Entries written by these nodes' tasks. Embeddings are keyed by text and embedder, shared by every node: never selected by node or model. */
  readonly nodes?: readonly string[];
  /** item, chat, source, embedding. */
  readonly namespaces?: readonly string[];
  /** Last used before this time (epoch ms). */
  readonly lastUsedBefore?: number;
  /** Created after this time (epoch ms). */
  readonly createdAfter?: number;
}

/** What a store keeps about an entry besides its value. */
export interface EntryFacts {
  readonly namespace: string;
  /** The task id (`classify[model=m,variant=v]`), or `embedder:<id>` for an embedding. */
  readonly origin?: string | null;
  /** The model id recorded with the entry (entries written before vaflow recorded it have none). */
  readonly model?: string | null;
  readonly createdAt: number;
  readonly lastUsed: number;
}

export function isEmptyFilter(filter: EntryFilter | undefined): boolean {
  return !filter || (!filter.models?.length && !filter.nodes?.length && !filter.namespaces?.length && filter.lastUsedBefore === undefined && filter.createdAfter === undefined);
}

/** The node of a task id: `classify[model=m]` → classify; not a task id (`embedder:glove`) → undefined. */
function nodeOf(origin: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9_.-]*)(\[.*\])?$/.exec(origin);
  return match?.[1];
}

/** A coordinate of a task id: `classify[model=m,variant=v]`, `model` → m. */
function coordinateOf(origin: string, axis: string): string | undefined {
  const inside = /\[(.*)\]$/.exec(origin)?.[1];
  if (!inside) return undefined;
  for (const part of inside.split(',')) {
    const eq = part.indexOf('=');
    if (part.slice(0, eq) === axis) return part.slice(eq + 1);
  }
  return undefined;
}

/**
 * The model an entry belongs to: the one recorded with it; for an older item or chat entry, its
 * task's `model` coordinate (a chat answer is keyed by its model's identity, so the task that stored
 * it asked that model).
 */
export function modelOfEntry(facts: EntryFacts): string | undefined {
  if (facts.model) return facts.model;
  if ((facts.namespace === 'item' || facts.namespace === 'chat') && facts.origin) return coordinateOf(facts.origin, 'model');
  return undefined;
}

export function entryMatches(filter: EntryFilter, facts: EntryFacts): boolean {
  if (filter.namespaces?.length && !filter.namespaces.includes(facts.namespace)) return false;
  if (filter.lastUsedBefore !== undefined && !(facts.lastUsed < filter.lastUsedBefore)) return false;
  if (filter.createdAfter !== undefined && !(facts.createdAt > filter.createdAfter)) return false;
  if (filter.nodes?.length) {
    const node = facts.origin ? nodeOf(facts.origin) : undefined;
    if (facts.namespace === 'embedding' || !node || !filter.nodes.includes(node)) return false;
  }
  if (filter.models?.length) {
    const model = modelOfEntry(facts);
    if (facts.namespace === 'embedding' || !model || !filter.models.includes(model)) return false;
  }
  return true;
}
