import type { GroupItems, GroupKind } from '../stats/group-data.js';
import type { GroupMetrics } from '../stats/group-metrics.js';
import type { ItemComparison } from '../stats/paired.js';
import { ConfigError } from '../errors.js';

/**
 * metrics.json: what an aggregate node computed, and all the report and `vaflow compare` need
 * (the report never recomputes; compare pairs the stored items across runs).
 */
export const METRICS_FORMAT = 'vaflow-metrics';
/** 2: intervals name their method, clusters, the shuffled baseline, embedders, the Holm family without degenerate tests. */
export const METRICS_VERSION = 2;

export interface MetricsGroup extends GroupMetrics {
  /** Stable identity across runs: node, kind and the grouped coordinates. */
  readonly key: string;
  /** Short human label, e.g. "model=llama32 · variant=lexical". */
  readonly label: string;
  readonly kind: GroupKind;
  /** The upstream node whose records formed the group. */
  readonly node: string;
  readonly coords: Readonly<Record<string, string>>;
  readonly labelSet?: string;
  readonly items: GroupItems;
}

export interface MetricsComparison extends ItemComparison {
  /** The coordinate compared (variant, model, ...). */
  readonly axis: string;
  readonly a: string;
  readonly b: string;
  readonly aLabel: string;
  readonly bLabel: string;
  readonly kind: GroupKind;
  /** Holm-adjusted p over the node's family of informative tests; null without a test, or for a degenerate one (outside the family). */
  readonly pHolm: number | null;
}

export interface MetricsDocument {
  readonly format: typeof METRICS_FORMAT;
  readonly version: typeof METRICS_VERSION;
  /** The aggregate node that wrote it. */
  readonly node: string;
  readonly createdAt: string;
  readonly seed: number;
  readonly bootstrap: { readonly resamples: number; readonly confidence: number };
  /** Coordinates grouped by (null: every coordinate present). */
  readonly by: readonly string[] | null;
  /** Requested metric names (null: the defaults). */
  readonly metrics: readonly string[] | null;
  readonly groups: MetricsGroup[];
  readonly comparisons: MetricsComparison[];
  /** Holm's step-down adjustment: `family` tests adjusted together; `degenerate` tests reported outside it. */
  readonly multipleTesting: { readonly method: 'holm'; readonly family: number; readonly degenerate: number };
  readonly warnings: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the envelope of a parsed metrics.json; the body is trusted as vaflow wrote it. */
export function parseMetricsDocument(value: unknown, file: string): MetricsDocument {
  if (!isRecord(value) || value.format !== METRICS_FORMAT) {
    throw new ConfigError(`${file}: not a vaflow metrics file (expected "format": "${METRICS_FORMAT}")`);
  }
  if (value.version !== METRICS_VERSION) {
    const older = typeof value.version === 'number' && value.version < METRICS_VERSION;
    throw new ConfigError(`${file}: metrics format version ${String(value.version)} is not supported (expected ${METRICS_VERSION})${older ? '; it was written by an earlier vaflow: rerun the pipeline (answers come from the cache) to rewrite it' : ''}`);
  }
  if (!Array.isArray(value.groups) || !Array.isArray(value.comparisons)) {
    throw new ConfigError(`${file}: expected "groups" and "comparisons" arrays`);
  }
  return value as unknown as MetricsDocument;
}

/** Output file names inside the run folder: plain with one aggregate node, `<node>.`-prefixed with several. */
export function outputNames(nodeId: string, prefixed: boolean): { json: string; csv: string; html: string; predictions: string } {
  const p = prefixed ? `${nodeId}.` : '';
  return { json: `${p}metrics.json`, csv: `${p}metrics.csv`, html: `${p}report.html`, predictions: `${p}predictions.csv` };
}
