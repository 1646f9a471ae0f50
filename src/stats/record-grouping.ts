import type { FlowRecord } from '../types/records.js';

/**
 * Which aggregate group and item a record belongs to. One definition, used by aggregate to build
 * the groups and by the report to find a group's records again (the item explorer,
 * predictions.csv): a group is one upstream node × record family × the coordinates in `by`; an
 * item is the record id plus the coordinates pooled over (those not in `by`).
 */
export type Family = 'classification' | 'similarity' | 'va';

export interface RecordGrouping {
  readonly family: Family;
  /** `<node>/<family>[axis=value,…]`: the group key stored in metrics.json. */
  readonly key: string;
  /** The grouped coordinates, in `by` order (sorted axes when `by` is null). */
  readonly coords: Record<string, string>;
  /** Record id, plus `|axis=value,…` for the pooled coordinates (sorted by axis). */
  readonly itemKey: string;
}

/** Which record family a record belongs to, from its fields (records carry no type tag). */
export function familyOf(record: FlowRecord): Family | null {
  if (typeof record.similarity === 'object' && record.similarity !== null) return 'similarity';
  if ('prediction' in record || 'valid' in record) return 'classification';
  if (typeof record.valence === 'number' && typeof record.arousal === 'number' && !('text' in record) && !('messages' in record)) return 'va';
  return null;
}

/** The record's group and item keys; null for a record of no family aggregate reads. */
export function groupingOf(record: FlowRecord, by: readonly string[] | null): RecordGrouping | null {
  const family = familyOf(record);
  if (!family) return null;
  return withItem(groupOf(record.node, family, record.coords ?? {}, by), record.id);
}

/** What a record's grouping owes to its node, family and coordinates: the part records of one task share. */
interface GroupPart {
  readonly family: Family;
  readonly key: string;
  readonly coords: Record<string, string>;
  /** The pooled coordinates, `axis=value,…` sorted by axis ('' for none). */
  readonly pooled: string;
}

function groupOf(node: string, family: Family, coords: Readonly<Record<string, string>>, by: readonly string[] | null): GroupPart {
  const grouped: Record<string, string> = {};
  const pooled: string[] = [];
  for (const axis of Object.keys(coords).sort()) {
    if (by === null || by.includes(axis)) grouped[axis] = coords[axis];
    else pooled.push(`${axis}=${coords[axis]}`);
  }
  const ordered = by === null ? grouped : Object.fromEntries(by.filter((a) => a in grouped).map((a) => [a, grouped[a]]));
  return {
    family,
    key: `${node}/${family}[${Object.entries(ordered).map(([a, v]) => `${a}=${v}`).join(',')}]`,
    coords: ordered,
    pooled: pooled.join(','),
  };
}

function withItem(part: GroupPart, id: string): RecordGrouping {
  return { family: part.family, key: part.key, coords: part.coords, itemKey: part.pooled ? `${id}|${part.pooled}` : id };
}

/**
 * `groupingOf` for a stream of records, with the group part worked out once per node, family and
 * coordinates (the records of one task share them) instead of once per record. The groupings'
 * `coords` objects are shared: read them, never change them.
 */
export class RecordGrouper {
  readonly #by: readonly string[] | null;
  readonly #parts = new Map<string, GroupPart>();
  #last?: { readonly family: Family; readonly node: string; readonly axes: readonly string[]; readonly values: readonly unknown[]; readonly part: GroupPart };

  constructor(by: readonly string[] | null) {
    this.#by = by;
  }

  of(record: FlowRecord): RecordGrouping | null {
    const family = familyOf(record);
    if (!family) return null;
    const coords = record.coords ?? {};
    const axes = Object.keys(coords);
    // Records come task by task: most have the last record's node, family and coordinates (same axes, same order).
    const last = this.#last;
    if (last && last.family === family && last.node === record.node && sameCoords(last.axes, last.values, axes, coords)) return withItem(last.part, record.id);
    // Lengths first: no node, axis or value can make two different coordinate sets read the same.
    let signature = `${family}${record.node.length}:${record.node}`;
    for (const axis of axes) signature += `${axis.length}:${axis}${String(coords[axis]).length}:${coords[axis]}`;
    let part = this.#parts.get(signature);
    if (!part) this.#parts.set(signature, (part = groupOf(record.node, family, coords, this.#by)));
    this.#last = { family, node: record.node, axes, values: axes.map((a) => coords[a]), part };
    return withItem(part, record.id);
  }
}

/** Whether `coords` has exactly `axes`, in that order, with `values` (what the signature of `RecordGrouper.of` spells out). */
function sameCoords(axes: readonly string[], values: readonly unknown[], otherAxes: readonly string[], coords: Readonly<Record<string, unknown>>): boolean {
  if (axes.length !== otherAxes.length) return false;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== otherAxes[i] || coords[axes[i]] !== values[i]) return false;
  return true;
}

/** Labels compare trimmed and lower-cased. */
export function normaliseLabel(label: string): string {
  return label.trim().toLowerCase();
}

/** A truth or prediction field as normalised labels (a list for multi-label); null when it is neither a string nor a list of strings. */
export function labelList(value: unknown): string[] | null {
  if (typeof value === 'string') return value.trim() === '' ? [] : [normaliseLabel(value)];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...new Set(value.map(normaliseLabel))];
  return null;
}
