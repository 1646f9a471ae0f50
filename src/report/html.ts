import { formatEstimate, formatNumber } from '../stats/value.js';
import type { ExplorerData } from './explorer-data.js';
import { explorerSection } from './explorer-html.js';
import { escapeHtml } from './html-escape.js';
import { EXPLORER_SCRIPT, scriptHashSource } from './explorer-script.js';
import { holmNote, intervalNotes } from './markdown.js';
import type { MetricsDocument } from './metrics-document.js';
import type { RenderedChart } from './render-svg.js';
import { formatP, headlineTables, holmCell, perClassTable, testLabel, type Table } from './tables.js';
import { formatCost, type ModelUsage } from './usage.js';

/**
 * The self-contained report page: inline CSS, pre-rendered SVG charts, and — when the run's records
 * are at hand — the item explorer: its data as one JSON block and one small inline script, allowed
 * by the Content-Security-Policy through its hash. The policy forbids every fetch and connection
 * (default-src 'none'), so the page works from disk and cannot leak.
 */
export interface ReportPageOptions {
  readonly doc: MetricsDocument;
  readonly charts: readonly RenderedChart[];
  /** Run id and pipeline name, from the run's manifest, when known. */
  readonly runId?: string;
  readonly pipelineName?: string;
  readonly vaflowVersion: string;
  /** The item explorer's data (absent without the run's task records). */
  readonly explorer?: ExplorerData;
  /** Tokens and cost per model, from the run's manifest. */
  readonly usage?: readonly ModelUsage[];
  /** Each chart's standalone SVG, relative to the page (figures/<id>.svg). */
  readonly figureFiles?: ReadonlyMap<string, string>;
  /** predictions.csv, relative to the page, when written. */
  readonly predictionsFile?: string;
}

const CSS = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 4px}.meta{color:#666;margin:0}
table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}th.t,td.t{text-align:left}
th{background:#f5f5f5}caption{text-align:left;font-weight:bold;padding:4px 0}
.charts{display:flex;flex-wrap:wrap;gap:24px}
figure.chart{margin:0;padding:12px;border:1px solid #e5e5e5;border-radius:6px;max-width:100%;overflow-x:auto}
figcaption p{color:#555;margin:2px 0 8px;max-width:640px}figcaption a{color:#555}
.warn{background:#fff8e1;border:1px solid #f0d48a;padding:8px 12px;border-radius:6px}
.na{color:#999}.scroll{overflow-x:auto;max-width:100%}footer{margin-top:40px;color:#888;font-size:12px}
section.explorer{border-top:1px solid #eee;margin-top:12px}
.controls{display:flex;flex-wrap:wrap;gap:12px;margin:6px 0}.controls label{color:#444}
table.items th,table.items td{text-align:left;vertical-align:top}table.items td.num{text-align:right}
table.items td.text{white-space:normal;min-width:220px;max-width:420px}
td.result.right{color:#2a7a2a}td.result.wrong{color:#b03030}td.result.invalid{color:#8a6d00}
.count{color:#555;margin:4px 0}.pager{display:flex;gap:12px;align-items:center;margin-bottom:12px}
`;

function cell(text: string, textColumn: boolean): string {
  if (text === 'n/a') return '<td class="na">n/a</td>';
  return `<td${textColumn ? ' class="t"' : ''}>${escapeHtml(text)}</td>`;
}

function htmlTable(t: Table, id?: string): string {
  const text = (i: number) => i < Math.max(1, t.textColumns);
  return [
    `<div class="scroll"><table${id ? ` id="${id}"` : ''}><caption>${escapeHtml(t.title)}</caption>`,
    `<thead><tr>${t.header.map((h, i) => `<th${text(i) ? ' class="t"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${t.rows.map((r) => `<tr>${r.map((c, i) => cell(c, text(i))).join('')}</tr>`).join('\n')}</tbody></table></div>`,
  ].join('\n');
}

export function usageTable(usage: readonly ModelUsage[]): Table {
  return {
    title: 'Tokens and cost per model (cost in the currency of the model\'s price table)',
    header: ['model', 'tasks', 'items', 'from cache', 'calls', 'input tokens', 'output tokens', 'cost'],
    rows: usage.map((u) => [u.model, String(u.tasks), String(u.items), String(u.cacheHits), String(u.calls), String(u.inputTokens), String(u.outputTokens), formatCost(u.cost)]),
    textColumns: 1,
  };
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
  const body: string[] = [`<header><h1>${escapeHtml(title)}</h1><p class="meta">${meta.map(escapeHtml).join(' · ')}</p>`];
  const links = [
    options.explorer && options.explorer.groups.length > 0 ? '<a href="#items">items</a>' : null,
    options.predictionsFile ? `<a href="${escapeHtml(options.predictionsFile)}">${escapeHtml(options.predictionsFile)}</a>` : null,
  ].filter((s): s is string => s !== null);
  if (links.length) body.push(`<p class="meta">${links.join(' · ')}</p>`);
  body.push('</header>');
  if (doc.warnings.length > 0) {
    body.push(`<section id="warnings"><h2>Warnings</h2><div class="warn"><ul>${doc.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div></section>`);
  }
  const tables = headlineTables(doc);
  body.push('<section id="ablation"><h2>Ablation: headline metrics with intervals</h2>');
  body.push(`<p class="meta">Each cell: estimate [${level}% CI]. n/a: not defined for this group (metrics.csv gives the reason). Definitions: docs/statistics.md.</p>`);
  body.push(`<ul class="meta" id="interval-methods">${intervalNotes(doc).map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  body.push(tables.length ? tables.map((t) => htmlTable(t)).join('\n') : '<p>No groups.</p>');
  body.push('</section>');
  if (options.usage && options.usage.length > 0) {
    body.push('<section id="usage"><h2>Cost and tokens</h2>', htmlTable(usageTable(options.usage), 'usage-table'), '</section>');
  }
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
      const file = options.figureFiles?.get(chart.id);
      const link = file ? ` <a class="figure-file" href="${escapeHtml(file)}">${escapeHtml(file)}</a>` : '';
      body.push(`<figure class="chart" data-chart="${escapeHtml(chart.id)}" aria-label="${escapeHtml(chart.title)}">${chart.svg}<figcaption><p>${escapeHtml(chart.caption)}${link}</p></figcaption></figure>`);
    }
    body.push('</div></section>');
  }
  const classes = perClassTable(doc);
  if (classes) body.push('<section id="per-class"><h2>Per class</h2>', htmlTable(classes), '</section>');
  const explorer = options.explorer && options.explorer.groups.length > 0 ? options.explorer : undefined;
  if (explorer) body.push(explorerSection(explorer, EXPLORER_SCRIPT));
  body.push(`<footer>Generated by vaflow ${escapeHtml(options.vaflowVersion)} from ${escapeHtml(doc.node)} metrics. Charts: Vega-Lite, rendered to SVG.</footer>`);
  const scripts = explorer ? ` script-src ${scriptHashSource(EXPLORER_SCRIPT)};` : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none';${scripts} style-src 'unsafe-inline'; img-src data:">`,
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
    return htmlTable({ title: kind, header: ['B vs A', 'held equal', 'paired', ...metrics.map((m) => `Δ ${m}`), 'test', 'p', 'p (Holm)', 'effect'], rows, textColumns: 2 });
  }).join('\n');
}
