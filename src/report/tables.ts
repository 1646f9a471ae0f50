import { formatEstimate, formatNumber, type Estimate } from '../stats/value.js';
import type { MetricsComparison, MetricsDocument, MetricsGroup } from './metrics-document.js';
import { axesOf, factorName } from './names.js';

/**
 * The report's tables as plain data, rendered as HTML (html.ts), Markdown (markdown.ts) and LaTeX
 * (latex.ts) alike. A group takes one column per factor (model, prompt variant, embedder, …), so a
 * table pastes into a paper or a data frame without splitting labels; a `node` column joins them
 * when the groups come from several upstream nodes.
 */
export interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** How many leading columns hold text (left-aligned); the rest are numbers. */
  readonly textColumns: number;
}

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** Rows, and the item ids they come from when the group pools coordinates. */
export function groupSize(g: Pick<MetricsGroup, 'n' | 'clusters'>): string {
  return g.clusters === undefined ? String(g.n) : `${g.n} (${g.clusters} ids)`;
}

/** The test's name, with the scale a similarity test ran on. */
export function testLabel(c: Pick<MetricsComparison, 'test' | 'testReason'>): string {
  if (!c.test) return c.testReason ?? 'n/a';
  return typeof c.test.detail.scale === 'string' ? `${c.test.name} (${c.test.detail.scale})` : c.test.name;
}

export function holmCell(c: MetricsComparison): string {
  return c.test?.degenerate ? 'not in family' : formatP(c.pHolm);
}

/** The first delta with a value (across embedders the raw-scale deltas are undefined), else the first. */
export function leadingDelta(c: MetricsComparison): [string, Estimate] | undefined {
  const entries = Object.entries(c.deltas);
  return entries.find(([, e]) => e.value !== null) ?? entries[0];
}

export const KIND_TITLES: Readonly<Record<MetricsGroup['kind'], string>> = {
  classification: 'Classification (single label)',
  multilabel: 'Classification (multi-label)',
  similarity: 'Description similarity',
  va: 'VA agreement (extracted vs annotated)',
};

/** The factor columns of a set of groups: header cells and each group's cells. */
export function factorColumns(groups: readonly MetricsGroup[]): { header: string[]; cells(g: MetricsGroup): string[] } {
  const axes = axesOf(groups);
  const withNode = new Set(groups.map((g) => g.node)).size > 1;
  return {
    header: [...(withNode ? ['node'] : []), ...axes.map(factorName), ...(axes.length || withNode ? [] : ['group'])],
    cells: (g) => [...(withNode ? [g.node] : []), ...axes.map((a) => g.coords[a] ?? '–'), ...(axes.length || withNode ? [] : ['all items'])],
  };
}

/** One table per record kind: each group's factors, n and every headline metric with its interval. */
export function headlineTables(doc: MetricsDocument): Table[] {
  const out: Table[] = [];
  for (const kind of Object.keys(KIND_TITLES) as MetricsGroup['kind'][]) {
    const groups = doc.groups.filter((g) => g.kind === kind);
    if (groups.length === 0) continue;
    const metrics = [...new Set(groups.flatMap((g) => Object.keys(g.headline)))];
    if (metrics.length === 0) continue;
    const factors = factorColumns(groups);
    out.push({
      title: KIND_TITLES[kind],
      header: [...factors.header, 'n', ...metrics],
      rows: groups.map((g) => [...factors.cells(g), groupSize(g), ...metrics.map((m) => formatEstimate(g.headline[m]))]),
      textColumns: factors.header.length,
    });
  }
  return out;
}

/** Precision, recall (per-class accuracy, with interval) and F1 per group and class. */
export function perClassTable(doc: MetricsDocument): Table | undefined {
  const groups = doc.groups.filter((g) => g.classes && g.classes.length > 0);
  if (groups.length === 0) return undefined;
  const factors = factorColumns(groups);
  return {
    title: 'Per class: precision, recall (per-class accuracy) and F1',
    header: [...factors.header, 'class', 'support', 'predicted', 'precision', 'recall', 'F1'],
    rows: groups.flatMap((g) => g.classes!.map((c) => [
      ...factors.cells(g), c.label, String(c.support), String(c.predicted), formatNumber(c.precision.value), formatEstimate(c.recall), formatNumber(c.f1.value),
    ])),
    textColumns: factors.header.length + 1,
  };
}

/** Paired comparisons: B vs A, the leading delta, the test, p and Holm-adjusted p, the effect size. */
export function comparisonTable(doc: MetricsDocument): Table | undefined {
  if (doc.comparisons.length === 0) return undefined;
  return {
    title: 'Paired comparisons (B − A)',
    header: ['comparison', 'paired items', 'delta', 'test', 'p', 'p (Holm)', 'effect size'],
    rows: doc.comparisons.map((c) => {
      const [metric, delta] = leadingDelta(c) ?? ['', undefined];
      return [
        `${c.bLabel} vs ${c.aLabel}`,
        String(c.paired),
        metric ? `${metric}: ${formatEstimate(delta)}` : 'n/a',
        testLabel(c),
        formatP(c.test?.p),
        holmCell(c),
        c.test ? `${c.test.effect.name}: ${formatNumber(c.test.effect.value)}` : 'n/a',
      ];
    }),
    textColumns: 1,
  };
}
