import type { Estimate, IntervalMethod } from '../stats/value.js';
import type { MetricsDocument } from './metrics-document.js';
import { comparisonTable, headlineTables, perClassTable, type Table } from './tables.js';

/** Markdown tables for a paper: headline metrics with intervals per kind, per-class rows, paired comparisons. */
function table(t: Table): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${t.header.map(esc).join(' | ')} |`,
    `| ${t.header.map((_, i) => (i < Math.max(1, t.textColumns) ? '---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

const METHOD_NAMES: Record<IntervalMethod, string> = {
  'clopper-pearson': 'Clopper–Pearson',
  'clopper-pearson-clustered': 'Clopper–Pearson at the clustered effective sample size',
  'percentile-bootstrap': 'expanded percentile bootstrap',
  'cluster-bootstrap': 'expanded percentile bootstrap over item ids',
  'percentile-bootstrap-tango': "paired expanded percentile bootstrap, widened to Tango's interval of the discordance in the metric's units",
  'cluster-bootstrap-tango': "paired expanded percentile bootstrap over item ids, widened to Tango's interval of the discordance (clustered effective number of pairs) in the metric's units",
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
    const resamples = method.includes('bootstrap') ? ` (${doc.bootstrap.resamples} resamples, seed ${doc.seed})` : '';
    return `${level}% ${METHOD_NAMES[method]}${resamples}: ${[...metrics].join(', ')}.`;
  });
  if (doc.groups.some((g) => g.clusters !== undefined)) out.push('"n (k ids)": the group pools coordinates, so its n rows come from k items; intervals and tests treat the k items as the units.');
  if (doc.groups.some((g) => 'shuffled_mean' in g.headline)) {
    out.push('shuffled_mean: the shuffled-reference baseline, each description against other items\' references under the same embedder; read raw_mean against it.');
  }
  return out;
}

export function holmNote(doc: MetricsDocument): string {
  const { family, degenerate } = doc.multipleTesting;
  const left = degenerate > 0 ? `; ${degenerate} degenerate comparison(s) (${[...new Set(doc.comparisons.flatMap((c) => (c.test?.degenerate ? [c.test.degenerate] : [])))].join('; ')}) have p = 1 by construction and are reported outside the family` : '';
  return `p (Holm): Holm's step-down adjustment over the node's ${family} informative test(s)${left}.`;
}

export function renderMarkdown(doc: MetricsDocument): string {
  const parts = [`## Metrics (${doc.node})`, '', 'Point estimates [confidence interval]; n/a = undefined. Definitions: docs/statistics.md.', '', ...intervalNotes(doc).map((n) => `- ${n}`)];
  for (const t of headlineTables(doc)) parts.push('', `### ${t.title}`, '', table(t));
  const classes = perClassTable(doc);
  if (classes) parts.push('', '### Per class', '', table(classes));
  const comparisons = comparisonTable(doc);
  if (comparisons) parts.push('', `### ${comparisons.title}`, '', table(comparisons), '', holmNote(doc));
  if (doc.warnings.length > 0) parts.push('', '### Warnings', '', ...doc.warnings.map((w) => `- ${w}`));
  return parts.join('\n') + '\n';
}
