import type { FlowRecord } from '../../src/types/records.js';
import type { GroupItems } from '../../src/stats/group-data.js';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { compareText } from '../../src/stats/stable-order.js';
import { labelList, normaliseLabel, RecordGrouper, type Family, type RecordGrouping } from '../../src/stats/record-grouping.js';

export type { Family } from '../../src/stats/record-grouping.js';

/**
 * Streams records into per-group builders holding compact per-item tuples (label codes, numbers):
 * the records themselves are not kept. Groups are keyed by upstream node, record family and the
 * grouped coordinates; items by id plus the coordinates pooled over. `finish` orders everything by
 * stable keys — groups by key, items by id then pooled coordinates, labels by the label set then by
 * name — so the result depends on the records' content only, never on the order they arrived in.
 */
export interface CollectedGroup {
  readonly key: string;
  readonly family: Family;
  readonly node: string;
  readonly coords: Record<string, string>;
  readonly labelSet?: string;
  readonly items: GroupItems;
}

export interface CollectOptions {
  /** Coordinates to group by; null = every coordinate of each record. */
  readonly by: readonly string[] | null;
  readonly humanRatingField?: string;
}

export interface CollectResult {
  readonly groups: CollectedGroup[];
  readonly warnings: string[];
}

function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** A field by dotted path (`ratings.human`). */
function field(record: FlowRecord, dotted: string): unknown {
  let value: unknown = record;
  for (const part of dotted.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

interface ClassBuilder {
  readonly family: 'classification';
  keys: string[];
  ids: string[];
  codes: Map<string, number>;
  /** Label codes per item: one number for a single label (most records), a list otherwise. */
  truth: (number | number[])[];
  pred: (number | number[] | null)[];
  valence: (number | null)[];
  arousal: (number | null)[];
  labelSets: Set<string>;
  arrayPrediction: boolean;
}
interface SimilarityBuilder {
  readonly family: 'similarity';
  keys: string[];
  ids: string[];
  embedders: Set<string>;
  raw: (number | null)[];
  nullMean: (number | null)[];
  z: (number | null)[];
  percentile: (number | null)[];
  rating?: (number | null)[];
}
interface VaBuilder {
  readonly family: 'va';
  keys: string[];
  ids: string[];
  valence: number[];
  arousal: number[];
  annotatedValence: (number | null)[];
  annotatedArousal: (number | null)[];
}
type Builder = ClassBuilder | SimilarityBuilder | VaBuilder;

export class Collector {
  readonly #options: CollectOptions;
  readonly #groups = new Map<string, { node: string; coords: Record<string, string>; builder: Builder }>();
  readonly #skipped = new Map<string, number>();

  readonly #grouper: RecordGrouper;

  constructor(options: CollectOptions) {
    this.#options = options;
    this.#grouper = new RecordGrouper(options.by);
  }

  /** Adds a record to its group; returns its grouping (null for a record of no family aggregate reads). */
  add(record: FlowRecord): RecordGrouping | null {
    const grouping = this.#grouper.of(record);
    if (!grouping) {
      this.#skip(`${record.node}: records without classification, similarity or VA fields`);
      return null;
    }
    const { family, key, coords: ordered, itemKey } = grouping;
    let group = this.#groups.get(key);
    if (!group) {
      group = { node: record.node, coords: ordered, builder: newBuilder(family, this.#options.humanRatingField !== undefined) };
      this.#groups.set(key, group);
    }
    const problem = addItem(group.builder, record, itemKey, this.#options.humanRatingField);
    if (problem) this.#skip(`${record.node}: ${problem}`);
    return grouping;
  }

  #skip(reason: string): void {
    this.#skipped.set(reason, (this.#skipped.get(reason) ?? 0) + 1);
  }

  finish(): CollectResult {
    const warnings = [...this.#skipped].sort(([a], [b]) => compareText(a, b)).map(([reason, count]) => `skipped ${count} record(s): ${reason}`);
    const groups = [...this.#groups].sort(([a], [b]) => compareText(a, b)).map(([key, g]) => finishGroup(key, g));
    return { groups, warnings };
  }
}

function newBuilder(family: Family, withRating: boolean): Builder {
  if (family === 'classification') {
    return { family, keys: [], ids: [], codes: new Map(), truth: [], pred: [], valence: [], arousal: [], labelSets: new Set(), arrayPrediction: false };
  }
  if (family === 'similarity') {
    return { family, keys: [], ids: [], embedders: new Set(), raw: [], nullMean: [], z: [], percentile: [], ...(withRating ? { rating: [] } : {}) };
  }
  return { family, keys: [], ids: [], valence: [], arousal: [], annotatedValence: [], annotatedArousal: [] };
}

function code(builder: ClassBuilder, label: string): number {
  let c = builder.codes.get(label);
  if (c === undefined) {
    c = builder.codes.size;
    builder.codes.set(label, c);
  }
  return c;
}

/**
 * A truth or prediction field as label codes: `labelList` coded, with a single label as a bare code
 * (no list allocated per record); null when the field is neither a string nor a list of strings.
 */
function codes(builder: ClassBuilder, value: unknown): number | number[] | null {
  if (typeof value === 'string') {
    const label = normaliseLabel(value);
    return label === '' ? [] : code(builder, label);
  }
  const labels = labelList(value);
  return labels === null ? null : labels.map((l) => code(builder, l));
}

function asList(codes: number | number[]): number[] {
  return typeof codes === 'number' ? [codes] : codes;
}

/** Adds one record; returns why it was skipped, if it was. */
function addItem(builder: Builder, record: FlowRecord, key: string, ratingField?: string): string | undefined {
  if (builder.family === 'classification') {
    const truth = codes(builder, record.label);
    if (truth === null || (typeof truth !== 'number' && truth.length === 0)) return 'classification records without a truth `label`';
    if (Array.isArray(record.prediction)) builder.arrayPrediction = true;
    if (typeof record.labelSet === 'string') builder.labelSets.add(record.labelSet);
    builder.keys.push(key);
    builder.ids.push(record.id);
    builder.truth.push(truth);
    const predicted = record.valid === false || record.prediction === null ? null : codes(builder, record.prediction);
    // An empty string is no answer (invalid); an empty list is a valid multi-label answer (no category).
    const invalid = predicted === null || (typeof predicted !== 'number' && predicted.length === 0 && !Array.isArray(record.prediction));
    builder.pred.push(invalid ? null : predicted);
    builder.valence.push(num(record.valence));
    builder.arousal.push(num(record.arousal));
    return undefined;
  }
  if (builder.family === 'similarity') {
    const s = record.similarity as Record<string, unknown>;
    const embedder = typeof record.embedder === 'string' ? record.embedder : record.coords?.embedder;
    if (embedder !== undefined) builder.embedders.add(embedder);
    builder.keys.push(key);
    builder.ids.push(record.id);
    builder.raw.push(num(s.raw));
    builder.nullMean.push(num(s.nullMean));
    builder.z.push(num(s.z));
    builder.percentile.push(num(s.percentile));
    builder.rating?.push(ratingField ? num(field(record, ratingField)) : null);
    return undefined;
  }
  const annotated = typeof record.annotated === 'object' && record.annotated !== null ? (record.annotated as Record<string, unknown>) : {};
  builder.keys.push(key);
  builder.ids.push(record.id);
  builder.valence.push(num(record.valence) ?? 0);
  builder.arousal.push(num(record.arousal) ?? 0);
  builder.annotatedValence.push(num(annotated.valence));
  builder.annotatedArousal.push(num(annotated.arousal));
  return undefined;
}

/**
 * The item order: by id, then key (the pooled coordinates), then the item's content (`tie`), so
 * that even duplicate keys land in an order fixed by what they hold.
 */
function stableOrder(b: Builder, tie: (i: number) => string): number[] {
  const order = b.keys.map((_, i) => i);
  return order.sort((i, j) => compareText(b.ids[i], b.ids[j]) || compareText(b.keys[i], b.keys[j]) || compareText(tie(i), tie(j)));
}

/** Ids per item, kept only when several items share one (pooled coordinates): the clusters. `ids` are in stable order, sorted by id, so equal ids are neighbours. */
function clusterIds(ids: string[]): { ids?: string[] } {
  for (let i = 1; i < ids.length; i++) if (ids[i] === ids[i - 1]) return { ids };
  return {};
}

function finishGroup(key: string, g: { node: string; coords: Record<string, string>; builder: Builder }): CollectedGroup {
  const b = g.builder;
  const base = { key, family: b.family, node: g.node, coords: g.coords };
  if (b.family === 'similarity') {
    const order = stableOrder(b, (i) => JSON.stringify([b.raw[i], b.nullMean[i], b.z[i], b.percentile[i], b.rating?.[i]]));
    const at = <T>(values: T[]): T[] => order.map((i) => values[i]);
    return {
      ...base,
      items: {
        kind: 'similarity',
        keys: at(b.keys),
        ...clusterIds(at(b.ids)),
        embedders: [...b.embedders].sort(compareText),
        raw: at(b.raw),
        nullMean: at(b.nullMean),
        z: at(b.z),
        percentile: at(b.percentile),
        ...(b.rating ? { rating: at(b.rating) } : {}),
      },
    };
  }
  if (b.family === 'va') {
    const order = stableOrder(b, (i) => JSON.stringify([b.valence[i], b.arousal[i], b.annotatedValence[i], b.annotatedArousal[i]]));
    const at = <T>(values: T[]): T[] => order.map((i) => values[i]);
    return {
      ...base,
      items: {
        kind: 'va', keys: at(b.keys), ...clusterIds(at(b.ids)), valence: at(b.valence), arousal: at(b.arousal),
        annotatedValence: at(b.annotatedValence), annotatedArousal: at(b.annotatedArousal),
      },
    };
  }
  const setName = b.labelSets.size === 1 ? [...b.labelSets][0] : undefined;
  const set = setName ? getLabelSet(setName) : undefined;
  // Label-set order first (stable across runs and models), then labels seen outside the set, by name.
  const known = set ? set.labels.map(normaliseLabel).filter((l) => b.codes.has(l)) : [];
  const labels = [...known, ...[...b.codes.keys()].filter((l) => !known.includes(l)).sort(compareText)];
  const remap = new Int32Array(b.codes.size);
  for (const [label, old] of b.codes) remap[old] = labels.indexOf(label);
  const recode = (c: number | number[]): number | number[] => (typeof c === 'number' ? remap[c] : c.map((x) => remap[x]));
  const truthAll = b.truth.map(recode);
  const predAll = b.pred.map((p) => (p === null ? null : recode(p)));
  const order = stableOrder(b, (i) => JSON.stringify([asList(truthAll[i]), predAll[i] === null ? null : asList(predAll[i]), b.valence[i], b.arousal[i]]));
  const at = <T>(values: T[]): T[] => order.map((i) => values[i]);
  const truth = at(truthAll);
  const pred = at(predAll);
  const multi = (set?.multiLabel ?? false) || b.arrayPrediction || truth.some((t) => typeof t !== 'number' && t.length > 1);
  const withSet = setName ? { labelSet: setName } : {};
  const keyed = { keys: at(b.keys), ...clusterIds(at(b.ids)) };
  if (multi) {
    const classCount = Math.max(labels.length, set?.labels.length ?? 0);
    return { ...base, ...withSet, items: { kind: 'multilabel', ...keyed, labels, truth: truth.map(asList), pred: pred.map((p) => (p === null ? null : asList(p))), classCount } };
  }
  return {
    ...base,
    ...withSet,
    items: {
      kind: 'classification',
      ...keyed,
      labels,
      truth: truth.map((t) => (typeof t === 'number' ? t : t[0])),
      // A single-label answer naming several labels cannot be right: it is scored as invalid.
      pred: pred.map((p) => (typeof p === 'number' ? p : p === null || p.length !== 1 ? -1 : p[0])),
      valence: at(b.valence),
      arousal: at(b.arousal),
    },
  };
}
