import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDocument } from '../../nodes/aggregate/build-document.js';
import { Collector } from '../../nodes/aggregate/collect.js';
import { escapeLatex, renderLatex } from '../../src/report/latex.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { FlowRecord } from '../../src/types/records.js';
import { allRecords } from '../nodes/aggregate/fixtures.js';

function doc(records: readonly FlowRecord[]) {
  const collector = new Collector({ by: null });
  for (const r of records) collector.add(r);
  const { groups, warnings } = collector.finish();
  return buildDocument(groups, warnings, { node: 'scores', seed: 42, params: {}, now: () => new Date(0) });
}

/** Model names as users write them: underscores, an ampersand, a percent sign. */
function renamed(): FlowRecord[] {
  const names: Record<string, string> = { 'gpt4o-mini': 'gpt_4o & co', llama32: 'llama 3.2 (50%)' };
  return allRecords().map((r) => (r.coords.model ? { ...r, coords: { ...r.coords, model: names[r.coords.model] ?? r.coords.model } } : r));
}

test('LaTeX tables: booktabs, one column per factor, every special character escaped', () => {
  const tex = renderLatex(doc(renamed()));
  // Classification: model and prompt variant as two text columns, then n and five metrics.
  assert.match(tex, /\\begin\{tabular\}\{llrrrrrr\}\n\\toprule\nmodel & prompt variant & n & accuracy & macro\\_f1 & weighted\\_f1 & kappa & invalid\\_rate \\\\\n\\midrule/);
  assert.match(tex, /\ngpt\\_4o \\& co & lexical & 42 & 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] & /);
  assert.match(tex, /\nllama 3\.2 \(50\\%\) & numeric & 42 & /);
  assert.match(tex, /\\caption\{Classification \(single label\)\. Point estimates \[95\\% confidence interval\]; n\/a: undefined\.\}/);
  assert.match(tex, /\\label\{tab:vaflow-scores-classification-single-label\}/);
  // Similarity: embedder, model, prompt variant.
  assert.match(tex, /\nembedder & model & prompt variant & n & raw\\_mean & shuffled\\_mean/);
  // Comparisons: the symbols vaflow writes become math.
  assert.match(tex, /\\caption\{Paired comparisons \(B \$-\$ A\)\. p \(Holm\)/);
  // Outside comments and math, no unescaped special character and no raw non-ASCII symbol of vaflow's own.
  for (const line of tex.split('\n').filter((l) => !l.startsWith('%'))) {
    const bare = line.replace(/\$[^$]*\$/g, '').replace(/\\[&%$#_{}]/g, '');
    assert.doesNotMatch(bare, /[%#_$]|[−–·Δκρ…]/u, line);
  }
  const rows = tex.split('\n').filter((l) => l.endsWith('\\\\'));
  const tabulars = [...tex.matchAll(/\\begin\{tabular\}\{(\w+)\}([\s\S]*?)\\end\{tabular\}/g)];
  assert.ok(tabulars.length >= 4 && rows.length > 20);
  for (const [, align, body] of tabulars) {
    for (const line of body.split('\n').filter((l) => l.endsWith('\\\\'))) {
      assert.equal((line.match(/(?<!\\)&/g) ?? []).length, align.length - 1, `columns in: ${line}`);
    }
  }
});

test('escapeLatex', () => {
  assert.equal(escapeLatex('a_b & c% $5 #1 {x} ~ ^ \\ <x> − – · Δ κ ρ …'), 'a\\_b \\& c\\% \\$5 \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} $<$x$>$ $-$ -- $\\cdot$ $\\Delta$ $\\kappa$ $\\rho$ \\ldots{}');
});

test('Markdown tables: one column per factor, text columns left-aligned', () => {
  const md = renderMarkdown(doc(allRecords()));
  assert.match(md, /\| model \| prompt variant \| n \| accuracy \| macro_f1 \|[^\n]*\n\| --- \| --- \| ---: \| ---: \|/);
  assert.match(md, /\| gpt4o-mini \| lexical \| 42 \| /);
  assert.match(md, /\| model \| prompt variant \| class \| support \| predicted \| precision \| recall \| F1 \|\n\| --- \| --- \| --- \| ---: \|/);
  // The VA group has one factor of its own.
  assert.match(md, /\| VA source \| n \| valence_pearson \|/);
});
