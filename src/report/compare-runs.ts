import { compareItems, type ItemComparison } from '../stats/paired.js';
import { deriveSeed } from '../stats/prng.js';
import { formatEstimate, formatNumber } from '../stats/value.js';
import { formatP, testLabel } from './tables.js';
import type { MetricsDocument, MetricsGroup } from './metrics-document.js';

/**
 * Run A vs run B: for every group present in both (same aggregate node, same group key), each
 * headline metric's value in A and B and the delta B − A with a bootstrap interval (paired over the
 * items both runs share), plus the paired test. Groups or items found in one run only are warned about.
 */
export interface GroupDelta extends ItemComparison {
  readonly node: string;
  readonly key: string;
  readonly label: string;
  readonly kind: MetricsGroup['kind'];
  readonly nA: number;
  readonly nB: number;
}

export interface RunComparison {
  readonly deltas: GroupDelta[];
  readonly warnings: string[];
}

export interface CompareRunsOptions {
  readonly resamples: number;
  readonly confidence: number;
  readonly seed: number;
}

export function compareRuns(a: readonly MetricsDocument[], b: readonly MetricsDocument[], options: CompareRunsOptions): RunComparison {
  const warnings: string[] = [];
  const deltas: GroupDelta[] = [];
  const docsB = new Map(b.map((d) => [d.node, d]));
  for (const docA of a) {
    const docB = docsB.get(docA.node);
    if (!docB) { warnings.push(`aggregate node "${docA.node}" is in run A only`); continue; }
    const groupsB = new Map(docB.groups.map((g) => [g.key, g]));
    for (const ga of docA.groups) {
      const gb = groupsB.get(ga.key);
      if (!gb) { warnings.push(`${docA.node}: group ${ga.label} is in run A only`); continue; }
      groupsB.delete(ga.key);
      if (ga.kind !== gb.kind) { warnings.push(`${docA.node}: group ${ga.label} is ${ga.kind} in A but ${gb.kind} in B; not compared`); continue; }
      const result = compareItems(ga.items, gb.items, { ...options, seed: deriveSeed(options.seed, ga.key) });
      if (result.paired === 0) warnings.push(`${docA.node}: ${ga.label}: no item ids in common; deltas are unpaired and there is no paired test`);
      else if (result.onlyA + result.onlyB > 0) warnings.push(`${docA.node}: ${ga.label}: items differ (${result.onlyA} only in A, ${result.onlyB} only in B); deltas and the test use the ${result.paired} shared items`);
      const metrics = Object.keys(ga.headline).filter((m) => m in gb.headline);
      deltas.push({
        node: docA.node,
        key: ga.key,
        label: ga.label,
        kind: ga.kind,
        nA: ga.n,
        nB: gb.n,
        ...result,
        deltas: Object.fromEntries(metrics.map((m) => [m, result.deltas[m]])),
      });
    }
    for (const gb of groupsB.values()) warnings.push(`${docA.node}: group ${gb.label} is in run B only`);
    docsB.delete(docA.node);
  }
  for (const node of docsB.keys()) warnings.push(`aggregate node "${node}" is in run B only`);
  return { deltas, warnings };
}

/** Plain-text rendering for the terminal. */
export function formatRunComparison(c: RunComparison, labels: { a: string; b: string; confidence: number }): string {
  const level = Math.round(labels.confidence * 100);
  const out = [`A = ${labels.a}`, `B = ${labels.b}`, `values A → B on the paired items; Δ = B − A with ${level}% bootstrap interval`];
  for (const d of c.deltas) {
    out.push('', `${d.node}: ${d.label}  (n A ${d.nA}, n B ${d.nB}, paired ${d.paired}${d.pairedClusters !== undefined ? ` from ${d.pairedClusters} ids` : ''})`);
    const width = Math.max(...Object.keys(d.deltas).map((m) => m.length), 6);
    for (const [m, e] of Object.entries(d.deltas)) {
      out.push(`  ${m.padEnd(width)}  ${formatNumber(d.valuesA[m])} → ${formatNumber(d.valuesB[m])}  Δ ${formatEstimate(e)}${e.value === null && e.reason ? ` (${e.reason})` : ''}`);
    }
    if (d.test) {
      const degenerate = d.test.degenerate ? ` — degenerate: ${d.test.degenerate}` : '';
      out.push(`  ${testLabel(d)}: p ${d.test.p < 0.001 ? '< 0.001' : `= ${formatP(d.test.p)}`}, ${d.test.effect.name} = ${formatNumber(d.test.effect.value)} (n = ${d.test.n})${degenerate}`);
    } else {
      out.push(`  no paired test: ${d.testReason ?? 'n/a'}`);
    }
  }
  if (c.deltas.length === 0) out.push('', 'no group in common');
  if (c.warnings.length > 0) out.push('', 'warnings:', ...c.warnings.map((w) => `  ! ${w}`));
  return out.join('\n') + '\n';
}
