import { computeGroupMetrics, HEADLINE_METRICS } from '../../src/stats/group-metrics.js';
import type { GroupKind } from '../../src/stats/group-data.js';
import { compareItems } from '../../src/stats/paired.js';
import { holmAdjust } from '../../src/stats/multiple-testing.js';
import { deriveSeed } from '../../src/stats/prng.js';
import type { Estimate } from '../../src/stats/value.js';
import { METRICS_FORMAT, METRICS_VERSION, type MetricsComparison, type MetricsDocument, type MetricsGroup } from '../../src/report/metrics-document.js';
import type { CollectedGroup } from './collect.js';
import type { AggregateParams } from './params.generated.js';

export type MetricName = NonNullable<AggregateParams['metrics']>[number];

/** Which headline metrics each requested name stands for. */
const HEADLINE_OF: Readonly<Record<MetricName, readonly string[]>> = {
  accuracy: ['accuracy'],
  macro_f1: ['macro_f1'],
  weighted_f1: ['weighted_f1'],
  kappa: ['kappa'],
  invalid_rate: ['invalid_rate'],
  exact_match: ['exact_match'],
  jaccard: ['jaccard'],
  hamming: ['hamming'],
  micro_f1: ['micro_f1'],
  similarity: ['raw_mean', 'shuffled_mean', 'raw_median', 'z_mean', 'z_median', 'percentile_mean', 'missing_rate'],
  agreement: HEADLINE_METRICS.va,
  spearman_human: ['spearman_human'],
  confusion: [],
  per_class: [],
};

export interface BuildOptions {
  readonly node: string;
  readonly seed: number;
  readonly params: AggregateParams;
  readonly now?: () => Date;
}

export interface AxisPairs {
  readonly axis: string;
  readonly pairs?: readonly (readonly string[])[];
}

function selectedHeadline(kind: GroupKind, metrics: readonly MetricName[] | undefined): readonly string[] {
  const all: readonly string[] = HEADLINE_METRICS[kind];
  if (!metrics) return all;
  const wanted = new Set(metrics.flatMap((m) => HEADLINE_OF[m]));
  return all.filter((m) => wanted.has(m));
}

function pick(record: Record<string, Estimate>, keys: readonly string[]): Record<string, Estimate> {
  return Object.fromEntries(keys.filter((k) => k in record).map((k) => [k, record[k]]));
}

function labelOf(group: CollectedGroup, showNode: boolean): string {
  const coords = Object.entries(group.coords).map(([a, v]) => `${a}=${v}`).join(' · ');
  if (!coords) return group.node;
  return showNode ? `${group.node}: ${coords}` : coords;
}

/** Computes every group's metrics and the requested comparisons into the metrics.json document. */
export function buildDocument(collected: readonly CollectedGroup[], warnings: string[], options: BuildOptions): MetricsDocument {
  const { params } = options;
  const resamples = params.bootstrap?.resamples ?? 1000;
  const confidence = params.bootstrap?.confidence ?? 0.95;
  const nodesPerFamily = new Map<string, Set<string>>();
  for (const g of collected) nodesPerFamily.set(g.family, (nodesPerFamily.get(g.family) ?? new Set()).add(g.node));
  const wantConfusion = !params.metrics || params.metrics.includes('confusion');
  const wantClasses = !params.metrics || params.metrics.includes('per_class');

  const groups: MetricsGroup[] = [];
  for (const g of collected) {
    const keys = selectedHeadline(g.items.kind, params.metrics);
    const classLevel = g.items.kind === 'classification' && (wantConfusion || wantClasses);
    if (keys.length === 0 && !classLevel) {
      warnings.push(`${g.key}: none of the requested metrics applies to ${g.items.kind} records`);
      continue;
    }
    const computed = computeGroupMetrics(g.items, { resamples, confidence, seed: deriveSeed(options.seed, g.key) });
    groups.push({
      key: g.key,
      label: labelOf(g, (nodesPerFamily.get(g.family)?.size ?? 0) > 1),
      kind: g.items.kind,
      node: g.node,
      coords: g.coords,
      ...(g.labelSet ? { labelSet: g.labelSet } : {}),
      n: computed.n,
      ...(computed.clusters !== undefined ? { clusters: computed.clusters } : {}),
      headline: pick(computed.headline, keys),
      ...(wantClasses && computed.classes ? { classes: computed.classes } : {}),
      ...(wantConfusion && computed.confusion ? { confusion: computed.confusion } : {}),
      items: g.items,
    });
    if (g.items.kind === 'similarity' && g.items.embedders.length > 1) {
      warnings.push(`${g.key}: pools the raw cosines of ${g.items.embedders.join(', ')}, which are on different scales (raw_mean, raw_median and spearman_human mix them; comparisons use the calibrated z); add "embedder" to \`by\``);
    }
    if (params.humanRatingField && g.items.kind === 'similarity' && computed.headline.spearman_human?.value === null) {
      warnings.push(`${g.key}: spearman_human undefined (${computed.headline.spearman_human.reason}); is "${params.humanRatingField}" set on the records?`);
    }
  }
  const { comparisons, family } = compareGroups(groups, { ...options, resamples, confidence, warnings });
  return {
    format: METRICS_FORMAT,
    version: METRICS_VERSION,
    node: options.node,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    seed: options.seed,
    bootstrap: { resamples, confidence },
    by: params.by ?? null,
    metrics: params.metrics ?? null,
    groups,
    comparisons,
    multipleTesting: { method: 'holm', family, degenerate: comparisons.filter((c) => c.test?.degenerate).length },
    warnings,
  };
}

/**
 * The document as the run's cache keeps it: each group's items (the bulk of it, and already in the
 * cache key) left out, their place held by null so the keys keep their order; `withItems` puts them back.
 */
export function withoutItems(doc: MetricsDocument): MetricsDocument {
  return { ...doc, groups: doc.groups.map((g) => ({ ...g, items: null as unknown as MetricsGroup['items'] })) };
}

/**
 * A kept document with its groups' items from `collected` (by group key) and its `createdAt` set to
 * `now`: the same document `buildDocument` makes of `collected` at `now`, key for key and bit for bit.
 */
export function withItems(doc: MetricsDocument, collected: readonly CollectedGroup[], now: Date): MetricsDocument {
  const items = new Map(collected.map((g) => [g.key, g.items]));
  return {
    ...doc,
    createdAt: now.toISOString(),
    groups: doc.groups.map((g) => {
      const own = items.get(g.key);
      if (!own) throw new Error(`aggregate: the kept metrics name group ${g.key}, which the records do not have`);
      return { ...g, items: own };
    }),
  };
}

/** The axis specs `compare` stands for: `all-pairs` = every coordinate seen on the groups. */
export function axisSpecs(compare: AggregateParams['compare'], groups: readonly MetricsGroup[]): AxisPairs[] {
  if (compare === 'none') return [];
  if (compare === undefined || compare === 'all-pairs') {
    const axes = [...new Set(groups.flatMap((g) => Object.keys(g.coords)))];
    return axes.map((axis) => ({ axis }));
  }
  return compare;
}

function compareGroups(
  groups: readonly MetricsGroup[],
  options: BuildOptions & { resamples: number; confidence: number; warnings: string[] },
): { comparisons: MetricsComparison[]; family: number } {
  const draft: Omit<MetricsComparison, 'pHolm'>[] = [];
  for (const spec of axisSpecs(options.params.compare, groups)) {
    // Buckets: same node and kind, equal on every coordinate except the compared axis.
    const buckets = new Map<string, MetricsGroup[]>();
    for (const g of groups) {
      if (!(spec.axis in g.coords)) continue;
      const rest = Object.entries(g.coords).filter(([a]) => a !== spec.axis).map(([a, v]) => `${a}=${v}`).join(',');
      const bucket = `${g.node}/${g.kind}[${rest}]`;
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), g]);
    }
    if (buckets.size === 0) options.warnings.push(`compare: no group has the coordinate "${spec.axis}" (is it in \`by\`?)`);
    for (const members of buckets.values()) {
      const byValue = new Map(members.map((g) => [g.coords[spec.axis], g]));
      const values = [...byValue.keys()];
      const pairs = spec.pairs ?? values.flatMap((a, i) => values.slice(i + 1).map((b) => [a, b]));
      for (const [va, vb] of pairs) {
        const a = byValue.get(va);
        const b = byValue.get(vb);
        if (!a || !b) continue;
        const result = compareItems(a.items, b.items, { resamples: options.resamples, confidence: options.confidence, seed: deriveSeed(options.seed, `${a.key}~${b.key}`) });
        if (result.paired === 0) options.warnings.push(`compare ${a.label} vs ${b.label}: no items in common, no paired test`);
        const keys = Object.keys(a.headline);
        draft.push({
          axis: spec.axis, a: a.key, b: b.key, aLabel: a.label, bLabel: b.label, kind: a.kind, ...result,
          deltas: pick(result.deltas, keys),
          valuesA: Object.fromEntries(keys.map((k) => [k, result.valuesA[k] ?? null])),
          valuesB: Object.fromEntries(keys.map((k) => [k, result.valuesB[k] ?? null])),
        });
      }
    }
  }
  // The Holm family: every informative test of the node. A degenerate test (no discordant pair,
  // every difference zero) has p = 1 by construction; counting it would only inflate m.
  const tested = draft.flatMap((c, i) => (c.test && !c.test.degenerate ? [{ i, p: c.test.p }] : []));
  const adjusted = holmAdjust(tested.map((t) => t.p));
  const pHolm = new Map(tested.map((t, j) => [t.i, adjusted[j]]));
  return { comparisons: draft.map((c, i) => ({ ...c, pHolm: pHolm.get(i) ?? null })), family: tested.length };
}
