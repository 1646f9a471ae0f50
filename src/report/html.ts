import { formatEstimate, formatNumber } from '../stats/value.js';
import { formatP, headlineTables, holmCell, holmNote, intervalNotes, testLabel } from './markdown.js';
import type { MetricsDocument } from './metrics-document.js';
import type { RenderedChart } from './render-svg.js';

/**
 * The self-contained report page: inline CSS, pre-rendered SVG charts, no script and no URL. A
 * Content-Security-Policy forbids every fetch, so the page works from disk and cannot leak.
 */
export interface ReportPageOptions {
  readonly doc: MetricsDocument;
  readonly charts: readonly RenderedChart[];
  /** Run id and pipeline name, from the run's manifest, when known. */
  readonly runId?: string;
  readonly pipelineName?: string;
  readonly vaflowVersion: string;
}

export function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const CSS = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:0 0 2px}.meta{color:#666;margin:0}
table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}th:first-child,td:first-child{text-align:left}
th{background:#f5f5f5}caption{text-align:left;font-weight:bold;padding:4px 0}
.charts{display:flex;flex-wrap:wrap;gap:24px}
figure.chart{margin:0;padding:12px;border:1px solid #e5e5e5;border-radius:6px;max-width:100%;overflow-x:auto}
figcaption p{color:#555;margin:2px 0 8px;max-width:640px}
.warn{background:#fff8e1;border:1px solid #f0d48a;padding:8px 12px;border-radius:6px}
.na{color:#999}.scroll{overflow-x:auto;max-width:100%}footer{margin-top:40px;color:#888;font-size:12px}
`;

function cell(text: string): string {
  return text === 'n/a' ? '<td class="na">n/a</td>' : `<td>${escapeHtml(text)}</td>`;
}

function htmlTable(caption: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `<div class="scroll"><table><caption>${escapeHtml(caption)}</caption>`,
    `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}</tbody></table></div>`,
  ].join('\n');
}

export function renderReportHtml(options: ReportPageOptions): string {
  const { doc, charts } = options;
  const level = Math.round(doc.bootstrap.confidence * 100);
  const title = `vaflow report — ${options.pipelineName ?? doc.node}`;
  const meta = [
    options.runId ? `run ${options.runId}` : null,
    `node ${doc.node}`,
    `created ${doc.createdAt}`,
    `seed ${doc.seed}`,
    `${level}% intervals`,
  ].filter((s): s is string => s !== null);
  const body: string[] = [`<header><h1>${escapeHtml(title)}</h1><p class="meta">${meta.map(escapeHtml).join(' · ')}</p></header>`];
  if (doc.warnings.length > 0) {
    body.push(`<section id="warnings"><h2>Warnings</h2><div class="warn"><ul>${doc.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div></section>`);
  }
  const tables = headlineTables(doc);
  body.push('<section id="ablation"><h2>Ablation: headline metrics with intervals</h2>');
  body.push(`<p class="meta">Each cell: estimate [${level}% CI]. n/a: not defined for this group (metrics.csv gives the reason). Definitions: docs/statistics.md.</p>`);
  body.push(`<ul class="meta" id="interval-methods">${intervalNotes(doc).map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  body.push(tables.length ? tables.map((t) => htmlTable(t.title, t.header, t.rows)).join('\n') : '<p>No groups.</p>');
  body.push('</section>');
  if (doc.comparisons.length > 0) {
    body.push('<section id="comparisons"><h2>Paired comparisons (B − A)</h2>');
    body.push('<p class="meta">Items paired by id (and pooled coordinates). Classification: McNemar exact test (clustered McNemar when rows share an item id), effect = accuracy difference; similarity: Wilcoxon signed-rank on raw cosines within one embedder and on the calibrated z across embedders, effect = rank-biserial correlation.</p>');
    body.push(`<p class="meta" id="holm-family">${escapeHtml(holmNote(doc))}</p>`);
    body.push(comparisonTables(doc));
    body.push('</section>');
  }
  if (charts.length > 0) {
    body.push('<section id="charts"><h2>Charts</h2><div class="charts">');
    for (const chart of charts) {
      body.push(`<figure class="chart" data-chart="${escapeHtml(chart.id)}"><figcaption><h3>${escapeHtml(chart.title)}</h3><p>${escapeHtml(chart.caption)}</p></figcaption>${chart.svg}</figure>`);
    }
    body.push('</div></section>');
  }
  const classRows = doc.groups.flatMap((g) =>
    (g.classes ?? []).map((c) => [g.label, c.label, String(c.support), String(c.predicted), formatNumber(c.precision.value), formatEstimate(c.recall), formatNumber(c.f1.value)]),
  );
  if (classRows.length > 0) {
    body.push('<section id="per-class"><h2>Per class</h2>');
    body.push(htmlTable('precision, recall (per-class accuracy) and F1', ['group', 'class', 'support', 'predicted', 'precision', 'recall', 'F1'], classRows));
    body.push('</section>');
  }
  body.push(`<footer>Generated by vaflow ${escapeHtml(options.vaflowVersion)} from ${escapeHtml(doc.node)} metrics. Charts: Vega-Lite, rendered to SVG.</footer>`);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head>`,
    `<body>${body.join('\n')}</body></html>`,
  ].join('\n');
}

/** One table per kind: the compared values, what was held equal, deltas of the kind's first metrics, the test. */
function comparisonTables(doc: MetricsDocument): string {
  const coordsOf = new Map(doc.groups.map((g) => [g.key, g.coords]));
  const kinds = [...new Set(doc.comparisons.map((c) => c.kind))];
  return kinds.map((kind) => {
    const list = doc.comparisons.filter((c) => c.kind === kind);
    // Similarity: raw beside calibrated (across embedders only the calibrated deltas are defined); else the first three.
    const all = [...new Set(list.flatMap((c) => Object.keys(c.deltas)))];
    const metrics = kind === 'similarity' ? ['raw_mean', 'z_mean', 'percentile_mean'].filter((m) => all.includes(m)) : all.slice(0, 3);
    const rows = list.map((c) => {
      const a = coordsOf.get(c.a) ?? {};
      const b = coordsOf.get(c.b) ?? {};
      const held = Object.entries(a).filter(([axis]) => axis !== c.axis).map(([axis, v]) => `${axis}=${v}`).join(' · ');
      return [
        `${c.axis}: ${b[c.axis] ?? c.bLabel} vs ${a[c.axis] ?? c.aLabel}`,
        held || '—',
        String(c.paired),
        ...metrics.map((m) => formatEstimate(c.deltas[m])),
        testLabel(c),
        formatP(c.test?.p),
        holmCell(c),
        c.test ? formatNumber(c.test.effect.value) : 'n/a',
      ];
    });
    return htmlTable(`${kind}`, ['B vs A', 'held equal', 'paired', ...metrics.map((m) => `Δ ${m}`), 'test', 'p', 'p (Holm)', 'effect'], rows);
  }).join('\n');
}
