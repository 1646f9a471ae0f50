import type { Estimate, Value } from '../stats/value.js';
import type { MetricsDocument } from './metrics-document.js';

/**
 * Flat metric rows: one per group × headline metric, per class × statistic, and per comparison ×
 * delta. The same rows become the aggregate node's records and metrics.csv.
 */
export interface MetricRow {
  readonly section: 'group' | 'class' | 'comparison';
  /** Group key, or `<A key> vs <B key>` for a comparison. */
  readonly group: string;
  readonly label: string;
  readonly kind: string;
  readonly coords: Readonly<Record<string, string>>;
  readonly metric: string;
  readonly class: string | null;
  readonly value: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  /** How the interval was made (clopper-pearson, percentile-bootstrap, …), when there is one. */
  readonly ciMethod: string | null;
  readonly n: number;
  /** Paired test p-value and its Holm adjustment (comparison rows). */
  readonly p: number | null;
  readonly pHolm: number | null;
  /** Why the value or its interval is undefined. */
  readonly reason: string | null;
}

type Measured = Pick<MetricRow, 'value' | 'ciLow' | 'ciHigh' | 'ciMethod' | 'reason'>;

function fromEstimate(e: Estimate): Measured {
  return { value: e.value, ciLow: e.ci?.[0] ?? null, ciHigh: e.ci?.[1] ?? null, ciMethod: e.ci ? (e.method ?? null) : null, reason: e.reason ?? e.ciReason ?? null };
}

function fromValue(v: Value): Measured {
  return { value: v.value, ciLow: null, ciHigh: null, ciMethod: null, reason: v.reason ?? null };
}

export function metricRows(doc: MetricsDocument): MetricRow[] {
  const rows: MetricRow[] = [];
  const none = { p: null, pHolm: null };
  for (const g of doc.groups) {
    const base = { group: g.key, label: g.label, kind: g.kind, coords: g.coords, n: g.n, ...none };
    for (const [metric, e] of Object.entries(g.headline)) rows.push({ section: 'group', ...base, metric, class: null, ...fromEstimate(e) });
    for (const c of g.classes ?? []) {
      const cls = { section: 'class' as const, ...base, n: c.support, class: c.label };
      rows.push({ ...cls, metric: 'precision', ...fromValue(c.precision) });
      rows.push({ ...cls, metric: 'recall', ...fromEstimate(c.recall) });
      rows.push({ ...cls, metric: 'f1', ...fromValue(c.f1) });
    }
  }
  for (const c of doc.comparisons) {
    const base = {
      section: 'comparison' as const,
      group: `${c.a} vs ${c.b}`,
      label: `${c.bLabel} − ${c.aLabel}`,
      kind: c.kind,
      coords: { axis: c.axis },
      class: null,
      n: c.paired,
      p: c.test?.p ?? null,
      pHolm: c.pHolm,
    };
    for (const [metric, e] of Object.entries(c.deltas)) rows.push({ ...base, metric: `delta_${metric}`, ...fromEstimate(e) });
    if (c.test) {
      const reason = c.test.degenerate ? `degenerate test, outside the Holm family: ${c.test.degenerate}` : (c.test.effect.reason ?? null);
      rows.push({ ...base, metric: `effect_${c.test.name}`, value: c.test.effect.value, ciLow: null, ciHigh: null, ciMethod: null, reason });
    }
  }
  return rows;
}

/** One CSV cell: quoted when it holds a comma, quote or line break; null is empty. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV with one column per coordinate axis seen; undefined values are empty cells, with the reason beside them. */
export function rowsToCsv(rows: readonly MetricRow[]): string {
  const axes = [...new Set(rows.filter((r) => r.section !== 'comparison').flatMap((r) => Object.keys(r.coords)))].sort();
  const header = ['section', 'group', 'label', 'kind', ...axes, 'metric', 'class', 'value', 'ci_low', 'ci_high', 'ci_method', 'n', 'p', 'p_holm', 'reason'];
  const lines = [header.join(',')];
  for (const r of rows) {
    const coords = axes.map((a) => (r.section === 'comparison' ? null : r.coords[a] ?? null));
    lines.push([r.section, r.group, r.label, r.kind, ...coords, r.metric, r.class, r.value, r.ciLow, r.ciHigh, r.ciMethod, r.n, r.p, r.pHolm, r.reason].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}
