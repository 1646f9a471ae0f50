import { readJsonl } from '../artifacts/jsonl.js';
import { correctness } from '../stats/group-data.js';
import { INVALID_COLUMN } from '../stats/group-metrics.js';
import { groupingOf, type RecordGrouping } from '../stats/record-grouping.js';
import { compareText } from '../stats/stable-order.js';
import type { FlowRecord } from '../types/records.js';
import type { MetricsDocument, MetricsGroup } from './metrics-document.js';
import { coordsPhrase, itemsAnchor } from './names.js';
import type { UpstreamTask } from './run-artifacts.js';

/**
 * The item explorer's data: one entry per classification / description-similarity group, as
 * columns (parallel arrays) over the group's items in metrics.json order, with every string stored
 * once in a shared table (references and descriptions repeat across models, variants and
 * embedders) and numbers rounded to 6 decimals (the table shows 2–3). Truth, prediction, correctness and scores come from
 * metrics.json, so the explorer agrees with the confusion matrix by construction; the words (the
 * model's answer, why it is invalid, the description, the reference) are joined from the task
 * records by item key, streamed from tasks/*.jsonl.
 */
export interface ExplorerData {
  readonly strings: string[];
  readonly groups: ExplorerGroup[];
}

export interface ExplorerGroup {
  readonly anchor: string;
  readonly title: string;
  readonly kind: 'classification' | 'multilabel' | 'similarity';
  /** Truth / prediction filter options: the group's classes in order (and the invalid column); similarity: the truth labels seen. */
  readonly labels: string[];
  /**
   * Columns over the items. Strings are indexes into ExplorerData.strings (−1: none): item key,
   * truth, prediction (−1: invalid), the model's answer, why it is invalid, the description, the
   * reference. A column that would hold nothing for the group is left out.
   */
  readonly key: number[];
  readonly truth: number[];
  readonly pred?: number[];
  /** 1 right, 0 wrong (classification). */
  readonly correct?: number[];
  readonly answer?: number[];
  readonly reason?: number[];
  readonly text?: number[];
  readonly reference?: number[];
  readonly valence?: (number | null)[];
  readonly arousal?: (number | null)[];
  /** Similarity: raw cosine, calibrated z, percentile among the shuffled references, the shuffled-reference mean. */
  readonly raw?: (number | null)[];
  readonly z?: (number | null)[];
  readonly percentile?: (number | null)[];
  readonly nullMean?: (number | null)[];
}

/** Longer answers and texts are cut here (with "…"); predictions.csv and tasks/*.jsonl keep them whole. */
export const MAX_TEXT = 1200;

/** What the explorer keeps of one record: its words, and the VA and truth of similarity records (not in metrics.json). */
interface RecordWords {
  readonly answer?: string;
  readonly reason?: string;
  readonly text?: string;
  readonly reference?: string;
  readonly label?: string;
  readonly valence?: number;
  readonly arousal?: number;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A truth label or label list as one string (`pain, suffering`). */
export function labelText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ') || undefined;
  return undefined;
}

function wordsOf(record: FlowRecord): RecordWords {
  return {
    answer: str(record.answer),
    reason: str(record.invalidReason),
    text: str(record.text),
    reference: str(record.reference),
    label: labelText(record.label),
    valence: num(record.valence),
    arousal: num(record.arousal),
  };
}

const EXPLORED = new Set(['classification', 'multilabel', 'similarity']);

/**
 * The words of records by group key and item key: what the explorer joins to metrics.json. Filled
 * from the task files (`buildExplorerData` without words), or by aggregate as it reads the records.
 */
export class ExplorerWords {
  /** Per group, per item key: the record's words, or a list when several records share the key (no list per record). */
  readonly #byGroup = new Map<string, Map<string, RecordWords | RecordWords[]>>();
  #lastKey?: string;
  #lastGroup?: Map<string, RecordWords | RecordWords[]>;

  add(record: FlowRecord, grouping: RecordGrouping): void {
    let byKey = grouping.key === this.#lastKey ? this.#lastGroup : this.#byGroup.get(grouping.key);
    if (!byKey) this.#byGroup.set(grouping.key, (byKey = new Map()));
    this.#lastKey = grouping.key;
    this.#lastGroup = byKey;
    const words = wordsOf(record);
    const held = byKey.get(grouping.itemKey);
    if (held === undefined) byKey.set(grouping.itemKey, words);
    else if (Array.isArray(held)) held.push(words);
    else byKey.set(grouping.itemKey, [held, words]);
  }

  of(groupKey: string): ReadonlyMap<string, RecordWords | RecordWords[]> {
    return this.#byGroup.get(groupKey) ?? new Map();
  }
}

/** The explorer's data for the document's groups, with the words of their records: given, or streamed once from the task files. */
export async function buildExplorerData(doc: MetricsDocument, tasks: readonly UpstreamTask[], given?: ExplorerWords): Promise<ExplorerData> {
  const groups = doc.groups.filter((g) => EXPLORED.has(g.kind));
  let words = given;
  if (!words) {
    const read = new ExplorerWords();
    const wanted = new Set(groups.map((g) => g.key));
    for (const task of tasks) {
      if (!task.file) continue;
      for await (const record of readJsonl<FlowRecord>(task.file)) {
        const grouping = groupingOf(record, doc.by);
        if (grouping && wanted.has(grouping.key)) read.add(record, grouping);
      }
    }
    words = read;
  }
  const strings = new StringTable();
  return { strings: strings.values, groups: groups.map((g) => explorerGroup(g, words.of(g.key), strings)) };
}

class StringTable {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();

  /** Index of `s` (cut to MAX_TEXT), or −1 for none. */
  at(s: string | undefined): number {
    if (s === undefined) return -1;
    const text = s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
    let i = this.#index.get(text);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(text);
      this.#index.set(text, i);
    }
    return i;
  }
}

function round(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value * 1e6) / 1e6;
}

/** `{ [name]: values }`, or nothing when every entry is empty (−1 / null): a column the group has no use for. */
function present<K extends string, T extends number | null>(name: K, values: T[]): Partial<Record<K, T[]>> {
  return (values.some((v) => v !== null && v !== -1) ? { [name]: values } : {}) as Partial<Record<K, T[]>>;
}

function explorerGroup(g: MetricsGroup, records: ReadonlyMap<string, RecordWords | RecordWords[]>, strings: StringTable): ExplorerGroup {
  const items = g.items;
  // Items sharing a key (duplicate records) take that key's records in turn, in an order fixed by
  // their content (the records file follows completion order).
  for (const held of records.values()) if (Array.isArray(held)) held.sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
  const taken = new Map<string, number>();
  const words = items.keys.map((k): RecordWords => {
    const held = records.get(k);
    if (!Array.isArray(held)) return held ?? {};
    const i = taken.get(k) ?? 0;
    taken.set(k, i + 1);
    return held[Math.min(i, held.length - 1)];
  });
  const base = {
    anchor: itemsAnchor(g.key),
    title: `${KIND_TITLES[items.kind as ExplorerGroup['kind']]} — ${coordsPhrase(g.coords)}`,
    key: items.keys.map((k) => strings.at(k)),
    ...present('answer', words.map((w) => strings.at(w.answer))),
    ...present('reason', words.map((w) => strings.at(w.reason))),
  };
  // Descriptions are scored against their reference; a classification answer is not.
  const described = {
    ...present('text', words.map((w) => strings.at(w.text))),
    ...present('reference', words.map((w) => strings.at(w.reference))),
  };
  if (items.kind === 'classification' || items.kind === 'multilabel') {
    const right = correctness(items)!;
    const truth = items.kind === 'classification'
      ? items.truth.map((t) => strings.at(items.labels[t]))
      : items.truth.map((t) => strings.at(t.map((c) => items.labels[c]).join(', ')));
    const pred = items.kind === 'classification'
      ? items.pred.map((p) => (p === -1 ? -1 : strings.at(items.labels[p])))
      : items.pred.map((p) => (p === null ? -1 : strings.at(p.map((c) => items.labels[c]).join(', ') || '(none)')));
    return {
      ...base,
      kind: items.kind,
      labels: [...items.labels, INVALID_COLUMN],
      truth,
      pred,
      correct: right.map((r) => (r ? 1 : 0)),
      ...present('valence', items.kind === 'classification' ? items.valence.map(round) : words.map((w) => round(w.valence))),
      ...present('arousal', items.kind === 'classification' ? items.arousal.map(round) : words.map((w) => round(w.arousal))),
    };
  }
  if (items.kind !== 'similarity') throw new Error(`the item explorer does not show ${items.kind} groups`);
  const truthLabels = words.map((w) => w.label);
  return {
    ...base,
    ...described,
    kind: 'similarity',
    labels: [...new Set(truthLabels.filter((l): l is string => l !== undefined))].sort(compareText),
    truth: truthLabels.map((l) => strings.at(l)),
    ...present('valence', words.map((w) => round(w.valence))),
    ...present('arousal', words.map((w) => round(w.arousal))),
    raw: items.raw.map(round),
    ...present('z', items.z.map(round)),
    ...present('percentile', items.percentile.map(round)),
    ...present('nullMean', items.nullMean.map(round)),
  };
}

const KIND_TITLES: Readonly<Record<ExplorerGroup['kind'], string>> = {
  classification: 'Classification',
  multilabel: 'Classification (multi-label)',
  similarity: 'Description',
};
