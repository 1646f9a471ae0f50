import { formatEstimate, formatNumber } from '../stats/value.js';
import type { MetricsDocument, MetricsGroup } from './metrics-document.js';

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
      rows: groups.map((g) => [g.label, String(g.n), ...metrics.map((m) => formatEstimate(g.headline[m]))]),
    });
  }
  return out;
}

export function renderMarkdown(doc: MetricsDocument): string {
  const level = Math.round(doc.bootstrap.confidence * 100);
  const parts = [`## Metrics (${doc.node})`, '', `Point estimates with ${level}% percentile-bootstrap intervals (${doc.bootstrap.resamples} resamples, seed ${doc.seed}); n/a = undefined.`];
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
      const [metric, delta] = Object.entries(c.deltas)[0] ?? ['', undefined];
      return [
        `${c.bLabel} vs ${c.aLabel}`,
        String(c.paired),
        metric ? `${metric}: ${formatEstimate(delta)}` : 'n/a',
        c.test ? c.test.name : (c.testReason ?? 'n/a'),
        formatP(c.test?.p),
        formatP(c.pHolm),
        c.test ? `${c.test.effect.name}: ${formatNumber(c.test.effect.value)}` : 'n/a',
      ];
    });
    parts.push(table(['comparison', 'paired items', 'delta', 'test', 'p', 'p (Holm)', 'effect size'], rows));
  }
  if (doc.warnings.length > 0) parts.push('', '### Warnings', '', ...doc.warnings.map((w) => `- ${w}`));
  return parts.join('\n') + '\n';
}
