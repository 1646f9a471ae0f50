import { formatEstimate, formatNumber, type Estimate, type IntervalMethod } from '../stats/value.js';
import type { MetricsComparison, MetricsDocument, MetricsGroup } from './metrics-document.js';

/** Markdown tables for a paper: headline metrics with intervals per kind, per-class rows, paired comparisons. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

const KIND_TITLES: Record<MetricsGroup['kind'], string> = {
  classification: 'Classification (single label)',
  multilabel: 'Classification (multi-label)',
  similarity: 'Description similarity',
  va: 'VA agreement (extracted vs annotated)',
};

/** Rows, and the item ids they come from when the group pools coordinates. */
export function groupSize(g: Pick<MetricsGroup, 'n' | 'clusters'>): string {
  return g.clusters === undefined ? String(g.n) : `${g.n} (${g.clusters} ids)`;
}

const METHOD_NAMES: Record<IntervalMethod, string> = {
  'clopper-pearson': 'Clopper–Pearson',
  'clopper-pearson-clustered': 'Clopper–Pearson at the clustered effective sample size',
  'percentile-bootstrap': 'expanded percentile bootstrap',
  'cluster-bootstrap': 'expanded percentile bootstrap over item ids',
  'tango-score': "Tango's score interval for paired proportions",
  'tango-score-clustered': "Tango's score interval at the clustered effective number of pairs",
  'newcombe-clopper-pearson': "Newcombe's square-and-add on Clopper–Pearson limits (no paired items)",
};

/** One sentence per interval method used in the document, naming the metrics it served (docs/statistics.md). */
export function intervalNotes(doc: MetricsDocument): string[] {
  const byMethod = new Map<IntervalMethod, Set<string>>();
  const note = (metric: string, e: Estimate | undefined) => {
    if (e?.method) byMethod.set(e.method, (byMethod.get(e.method) ?? new Set()).add(metric));
  };
  for (const g of doc.groups) {
    for (const [metric, e] of Object.entries(g.headline)) note(metric, e);
    for (const c of g.classes ?? []) note('per-class accuracy', c.recall);
  }
  for (const c of doc.comparisons) for (const [metric, e] of Object.entries(c.deltas)) note(`Δ ${metric}`, e);
  const level = Math.round(doc.bootstrap.confidence * 100);
  const out = [...byMethod].map(([method, metrics]) => {
    const resamples = method.endsWith('bootstrap') ? ` (${doc.bootstrap.resamples} resamples, seed ${doc.seed})` : '';
    return `${level}% ${METHOD_NAMES[method]}${resamples}: ${[...metrics].join(', ')}.`;
  });
  if (doc.groups.some((g) => g.clusters !== undefined)) out.push('"n (k ids)": the group pools coordinates, so its n rows come from k items; intervals and tests treat the k items as the units.');
  if (doc.groups.some((g) => 'shuffled_mean' in g.headline)) {
    out.push('shuffled_mean: the shuffled-reference baseline, each description against other items\' references under the same embedder; read raw_mean against it.');
  }
  return out;
}

/** The test's name, with the scale a similarity test ran on. */
export function testLabel(c: Pick<MetricsComparison, 'test' | 'testReason'>): string {
  if (!c.test) return c.testReason ?? 'n/a';
  return typeof c.test.detail.scale === 'string' ? `${c.test.name} (${c.test.detail.scale})` : c.test.name;
}

export function holmCell(c: MetricsComparison): string {
  return c.test?.degenerate ? 'not in family' : formatP(c.pHolm);
}

export function holmNote(doc: MetricsDocument): string {
  const { family, degenerate } = doc.multipleTesting;
  const left = degenerate > 0 ? `; ${degenerate} degenerate comparison(s) (${[...new Set(doc.comparisons.flatMap((c) => (c.test?.degenerate ? [c.test.degenerate] : [])))].join('; ')}) have p = 1 by construction and are reported outside the family` : '';
  return `p (Holm): Holm's step-down adjustment over the node's ${family} informative test(s)${left}.`;
}

/** The first delta with a value (across embedders the raw-scale deltas are undefined), else the first. */
export function leadingDelta(c: MetricsComparison): [string, Estimate] | undefined {
  const entries = Object.entries(c.deltas);
  return entries.find(([, e]) => e.value !== null) ?? entries[0];
}

export function headlineTables(doc: MetricsDocument): { title: string; header: string[]; rows: string[][] }[] {
  const out: { title: string; header: string[]; rows: string[][] }[] = [];
  for (const kind of Object.keys(KIND_TITLES) as MetricsGroup['kind'][]) {
    const groups = doc.groups.filter((g) => g.kind === kind);
    if (groups.length === 0) continue;
    const metrics = [...new Set(groups.flatMap((g) => Object.keys(g.headline)))];
    if (metrics.length === 0) continue;
    out.push({
      title: KIND_TITLES[kind],
      header: ['group', 'n', ...metrics],
      rows: groups.map((g) => [g.label, groupSize(g), ...metrics.map((m) => formatEstimate(g.headline[m]))]),
    });
  }
  return out;
}

export function renderMarkdown(doc: MetricsDocument): string {
  const parts = [`## Metrics (${doc.node})`, '', 'Point estimates [confidence interval]; n/a = undefined. Definitions: docs/statistics.md.', '', ...intervalNotes(doc).map((n) => `- ${n}`)];
  for (const t of headlineTables(doc)) parts.push('', `### ${t.title}`, '', table(t.header, t.rows));
  const withClasses = doc.groups.filter((g) => g.classes && g.classes.length > 0);
  if (withClasses.length > 0) {
    parts.push('', '### Per class', '');
    const rows = withClasses.flatMap((g) =>
      g.classes!.map((c) => [g.label, c.label, String(c.support), formatNumber(c.precision.value), formatEstimate(c.recall), formatNumber(c.f1.value)]),
    );
    parts.push(table(['group', 'class', 'support', 'precision', 'recall (per-class accuracy)', 'F1'], rows));
  }
  if (doc.comparisons.length > 0) {
    parts.push('', '### Paired comparisons (B − A)', '');
    const rows = doc.comparisons.map((c) => {
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
    });
    parts.push(table(['comparison', 'paired items', 'delta', 'test', 'p', 'p (Holm)', 'effect size'], rows), '', holmNote(doc));
  }
  if (doc.warnings.length > 0) parts.push('', '### Warnings', '', ...doc.warnings.map((w) => `- ${w}`));
  return parts.join('\n') + '\n';
}
