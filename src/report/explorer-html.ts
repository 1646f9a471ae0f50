import type { ExplorerData } from './explorer-data.js';
import { escapeHtml } from './html-escape.js';

/**
 * The item explorer's section of report.html: a group filter, one (empty) section per group that
 * the script fills with its filters, table and pager, the data as one JSON block, and the script.
 * The JSON is embedded once and parsed once; `<` is escaped so no string can close the block.
 */
export function explorerSection(data: ExplorerData, script: string): string {
  const total = data.groups.reduce((n, g) => n + g.key.length, 0);
  const json = JSON.stringify(data).replaceAll('<', '\\u003c');
  return [
    '<section id="items"><h2>Items</h2>',
    `<p class="meta">Every item of each classification and description group (${total} rows): the answer as the model gave it, how it was read, and its scores. Filter by truth, prediction and result, sort descriptions by similarity; rows are drawn ${50} at a time. Confusion-matrix cells link here. Texts longer than 1200 characters are cut; predictions.csv and tasks/*.jsonl hold them whole.</p>`,
    `<p><label>Group <select id="explorer-group"><option value="">all groups</option>${data.groups.map((g) => `<option value="${escapeHtml(g.anchor)}">${escapeHtml(g.title)}</option>`).join('')}</select></label></p>`,
    '<noscript><p class="warn">The item explorer needs JavaScript; predictions.csv holds the same rows.</p></noscript>',
    ...data.groups.map((g, i) => `<section class="explorer" id="${escapeHtml(g.anchor)}" data-group="${i}"><h3>${escapeHtml(g.title)} · ${g.key.length} items</h3></section>`),
    `<script type="application/json" id="explorer-data">${json}</script>`,
    `<script>${script}</script>`,
    '</section>',
  ].join('\n');
}
