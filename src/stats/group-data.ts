import { clusterIndex } from './bootstrap.js';

/**
 * The compact per-item data aggregate keeps for one group (one record type × coordinate combination):
 * just what the metrics need, as parallel arrays sorted by item (id, then pooled coordinates), so
 * every position is a function of the records' content. It is stored in metrics.json, so `vaflow
 * compare` can pair items across runs and recompute intervals without the records.
 */
interface ItemsBase {
  /** Item key: record id plus the coordinates not grouped by; pairs items across groups and runs. */
  readonly keys: string[];
  /**
   * Record id per item; present only when `by` pools coordinates and several items share an id.
   * Items with one id form a cluster: intervals and paired tests resample and test ids, not rows.
   */
  readonly ids?: string[];
}

export interface SingleLabelItems extends ItemsBase {
  readonly kind: 'classification';
  /** Class names; codes index into this list. */
  readonly labels: string[];
  readonly truth: number[];
  /** Predicted class code, or −1 for an invalid answer. */
  readonly pred: number[];
  /** The VA input of each item, for the VA-plane chart (null when the record had none). */
  readonly valence: (number | null)[];
  readonly arousal: (number | null)[];
}

export interface MultiLabelItems extends ItemsBase {
  readonly kind: 'multilabel';
  readonly labels: string[];
  readonly truth: number[][];
  /** Predicted class codes, or null for an invalid answer. */
  readonly pred: (number[] | null)[];
  /** Size of the label space for Hamming loss (the label set when known, else the labels seen). */
  readonly classCount: number;
}

export interface SimilarityItems extends ItemsBase {
  readonly kind: 'similarity';
  /**
   * The embedders whose scores the group holds (sorted; empty when the records name none). Raw
   * cosines of different embedders are on different scales: comparisons across embedders use the
   * calibrated scores only.
   */
  readonly embedders: string[];
  /** Raw cosine similarity, or null when the embedder could not score the pair. */
  readonly raw: (number | null)[];
  /** Mean cosine of the description to other items' references (the shuffled-reference baseline), or null. */
  readonly nullMean: (number | null)[];
  /** Calibrated against the shuffled-pair null: z-score and percentile. */
  readonly z: (number | null)[];
  readonly percentile: (number | null)[];
  /** Human rating (humanRatingField), when configured. */
  readonly rating?: (number | null)[];
}

export interface VaItems extends ItemsBase {
  readonly kind: 'va';
  readonly valence: number[];
  readonly arousal: number[];
  readonly annotatedValence: (number | null)[];
  readonly annotatedArousal: (number | null)[];
}

export type GroupItems = SingleLabelItems | MultiLabelItems | SimilarityItems | VaItems;
export type GroupKind = GroupItems['kind'];

export function itemCount(items: GroupItems): number {
  return items.keys.length;
}

/** Cluster index per item (items sharing a record id), or null when every item is its own id. */
export function itemClusters(items: GroupItems): Int32Array | null {
  if (!items.ids) return null;
  const { index, count } = clusterIndex(items.ids);
  return count === items.ids.length ? null : index;
}

/**
 * The group restricted to the items at `indices`, in that order: the paired items of a comparison,
 * so that each resample reads them directly rather than through an index of an index.
 */
export function subsetItems(items: GroupItems, indices: readonly number[]): GroupItems {
  const at = <T>(values: readonly T[]): T[] => indices.map((i) => values[i]);
  const base = { keys: at(items.keys), ...(items.ids ? { ids: at(items.ids) } : {}) };
  switch (items.kind) {
    case 'classification':
      return { ...base, kind: items.kind, labels: items.labels, truth: at(items.truth), pred: at(items.pred), valence: at(items.valence), arousal: at(items.arousal) };
    case 'multilabel':
      return { ...base, kind: items.kind, labels: items.labels, truth: at(items.truth), pred: at(items.pred), classCount: items.classCount };
    case 'similarity':
      return {
        ...base, kind: items.kind, embedders: items.embedders, raw: at(items.raw), nullMean: at(items.nullMean), z: at(items.z), percentile: at(items.percentile),
        ...(items.rating ? { rating: at(items.rating) } : {}),
      };
    case 'va':
      return { ...base, kind: items.kind, valence: at(items.valence), arousal: at(items.arousal), annotatedValence: at(items.annotatedValence), annotatedArousal: at(items.annotatedArousal) };
  }
}

/** Whether an item was answered correctly (classification: exact label; multi-label: exact set). Null for other kinds. */
export function correctness(items: GroupItems): boolean[] | null {
  if (items.kind === 'classification') return items.truth.map((t, i) => items.pred[i] === t);
  if (items.kind === 'multilabel') {
    return items.truth.map((t, i) => {
      const p = items.pred[i];
      return p !== null && p.length === t.length && t.every((c) => p.includes(c));
    });
  }
  return null;
}
