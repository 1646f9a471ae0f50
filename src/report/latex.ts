import type { MetricsDocument } from './metrics-document.js';
import { holmNote, intervalNotes } from './markdown.js';
import { slug } from './names.js';
import { comparisonTable, headlineTables, perClassTable, type Table } from './tables.js';

/**
 * The report's tables as LaTeX (`vaflow report RUN --format latex`): one booktabs `table` per
 * table, one column per factor, captions that say what the intervals are. Needs
 * `\usepackage{booktabs}`; every special character in labels is escaped, and the few non-ASCII
 * symbols vaflow itself writes (−, –, ·, Δ, κ, ρ, …) become math-mode commands, so pdfLaTeX compiles
 * the output as is.
 */
const SPECIAL: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}', '&': '\\&', '%': '\\%', $: '\\$', '#': '\\#', _: '\\_', '{': '\\{', '}': '\\}',
  '~': '\\textasciitilde{}', '^': '\\textasciicircum{}', '<': '$<$', '>': '$>$',
  '−': '$-$', '–': '--', '—': '---', '·': '$\\cdot$', 'Δ': '$\\Delta$', 'κ': '$\\kappa$', 'ρ': '$\\rho$', '…': '\\ldots{}', '×': '$\\times$', '≥': '$\\geq$', '≤': '$\\leq$',
};

export function escapeLatex(text: string): string {
  return text.replace(/[\\&%$#_{}~^<>−–—·Δκρ…×≥≤]/g, (c) => SPECIAL[c]);
}

function tabular(t: Table, caption: string, label: string): string {
  const align = t.header.map((_, i) => (i < Math.max(1, t.textColumns) ? 'l' : 'r')).join('');
  return [
    '\\begin{table}[ht]',
    '\\centering',
    '\\small',
    `\\caption{${escapeLatex(caption)}}`,
    `\\label{${label}}`,
    `\\begin{tabular}{${align}}`,
    '\\toprule',
    `${t.header.map(escapeLatex).join(' & ')} \\\\`,
    '\\midrule',
    ...t.rows.map((r) => `${r.map(escapeLatex).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
  ].join('\n');
}

export function renderLatex(doc: MetricsDocument): string {
  const level = Math.round(doc.bootstrap.confidence * 100);
  const ci = `Point estimates [${level}% confidence interval]; n/a: undefined.`;
  const label = (what: string) => `tab:vaflow-${slug(doc.node)}-${slug(what)}`;
  const parts = [
    `% vaflow: tables of aggregate node "${doc.node}" (needs \\usepackage{booktabs}).`,
    ...intervalNotes(doc).map((n) => `% ${n}`),
  ];
  for (const t of headlineTables(doc)) parts.push('', tabular(t, `${t.title}. ${ci}`, label(t.title)));
  const classes = perClassTable(doc);
  if (classes) parts.push('', tabular(classes, `${classes.title}. Recall with its ${level}% interval.`, label('per-class')));
  const comparisons = comparisonTable(doc);
  if (comparisons) parts.push('', tabular(comparisons, `${comparisons.title}. ${holmNote(doc)}`, label('comparisons')));
  return parts.join('\n') + '\n';
}
