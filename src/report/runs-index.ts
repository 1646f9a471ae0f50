import path from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write.js';
import type { RunLifeCycle } from '../types/run-events.js';
import { vaflowVersion } from '../util/paths.js';
import { escapeHtml } from './html-escape.js';
import { metricName } from './names.js';
import { type RunHeadline, type RunSummary, summariseRuns } from './run-list.js';
import { formatCost } from './usage.js';

/**
 * runs/index.html: every run in the folder, newest first, with status, pipeline, models, items,
 * headline metrics, tokens and cost, and links to each run's report(s) — the offline answer to
 * `promptfoo view`. Static and self-contained (no script, no URL outside the runs folder; links are
 * relative, so the folder can be moved, zipped or served as is). Rebuilt after every run
 * (RunsIndexLifeCycle) and by `vaflow view`.
 */
export const INDEX_FILE = 'index.html';

const CSS = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;margin:0 auto;max-width:1400px;padding:24px}
h1{font-size:22px;margin:0 0 4px}.meta{color:#666;margin:0 0 16px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f5f5f5}
td.num{text-align:right;white-space:nowrap}.status-completed{color:#2a7a2a}.status-failed{color:#b03030}
.status-interrupted,.status-unreadable{color:#8a6d00}.status-running{color:#1f5fa8}.small{color:#666;font-size:12px}
ul{margin:0;padding-left:16px}
`;

function headlineItem(h: RunHeadline): string {
  const ci = h.ciLow !== null && h.ciHigh !== null ? ` [${h.ciLow.toFixed(3)}, ${h.ciHigh.toFixed(3)}]` : '';
  const of = h.groups > 1 ? `best of ${h.groups} groups: ` : '';
  return `<li>${escapeHtml(`${metricName(h.metric)} ${h.value.toFixed(3)}${ci}`)} <span class="small">(${escapeHtml(`${h.node ? `${h.node}, ` : ''}${of}${h.label}`)})</span></li>`;
}

function row(r: RunSummary): string {
  const href = (file: string) => `${encodeURIComponent(r.id)}/${encodeURIComponent(file)}`;
  const reports = r.reports.length
    ? r.reports.map((f) => `<a href="${href(f)}">${escapeHtml(f)}</a>`).join('<br>')
    : '<span class="small">no report</span>';
  const status = r.stale !== undefined ? 'interrupted (stale)' : r.status;
  const when = r.startedAt ? r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
  return [
    '<tr>',
    `<td>${escapeHtml(r.id)}<br><span class="small">${escapeHtml(when)}</span></td>`,
    `<td class="status-${escapeHtml(r.status)}"${r.stale ? ` title="${escapeHtml(r.stale)}"` : ''}>${escapeHtml(status)}</td>`,
    `<td>${escapeHtml(r.pipeline)}</td>`,
    `<td>${escapeHtml(r.models.join(', ') || '—')}</td>`,
    `<td class="num">${r.items === null ? '—' : r.items}</td>`,
    `<td>${r.headline.length ? `<ul>${r.headline.map(headlineItem).join('')}</ul>` : '—'}</td>`,
    `<td class="num">${r.inputTokens + r.outputTokens ? `${r.inputTokens} + ${r.outputTokens}` : '—'}</td>`,
    `<td class="num">${formatCost(r.cost ?? undefined)}</td>`,
    `<td>${reports}</td>`,
    '</tr>',
  ].join('');
}

export function renderRunsIndex(runs: readonly RunSummary[], options: { runsDir: string; generatedAt: string }): string {
  const newestFirst = [...runs].reverse();
  const body = [
    '<h1>vaflow runs</h1>',
    `<p class="meta">${runs.length} run(s) in ${escapeHtml(options.runsDir)} · generated ${escapeHtml(options.generatedAt)} by vaflow ${escapeHtml(vaflowVersion)} · headline: each record kind's first metric, best group, with its interval · compare two runs with <code>vaflow compare RUN_A RUN_B</code></p>`,
    runs.length === 0
      ? '<p>No runs yet.</p>'
      : `<table><thead><tr><th>run</th><th>status</th><th>pipeline</th><th>models</th><th>items</th><th>headline</th><th>tokens (in + out)</th><th>cost</th><th>report</th></tr></thead><tbody>${newestFirst.map(row).join('\n')}</tbody></table>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>vaflow runs</title><style>${CSS}</style></head>`,
    `<body>${body.join('\n')}</body></html>`,
  ].join('\n');
}

/** Rebuilds runs/index.html from every run folder; returns its path. */
export async function writeRunsIndex(runsDir: string, now: () => Date = () => new Date()): Promise<string> {
  const file = path.join(runsDir, INDEX_FILE);
  const runs = await summariseRuns(runsDir);
  await writeFileAtomic(file, renderRunsIndex(runs, { runsDir, generatedAt: now().toISOString() }));
  return file;
}

/**
 * Rebuilds the index when a run ends. A failure to rebuild loses nothing (the index is derived,
 * and `vaflow view` rebuilds it) and never fails the run: it is reported on stderr.
 */
export class RunsIndexLifeCycle implements RunLifeCycle {
  constructor(
    private readonly runsDir: string,
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {}

  async runEnd(): Promise<void> {
    try {
      await writeRunsIndex(this.runsDir);
    } catch (error) {
      this.warn(`runs index not rebuilt (${error instanceof Error ? error.message : String(error)}); \`vaflow view\` rebuilds it`);
    }
  }
}
