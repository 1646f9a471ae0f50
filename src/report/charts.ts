import type { TopLevelSpec } from 'vega-lite';
import type { MetricsDocument, MetricsGroup } from './metrics-document.js';
import { INVALID_COLUMN } from '../stats/group-metrics.js';

/**
 * The report's charts as Vega-Lite specs, data inlined (no URLs: the page must work offline).
 * Pure: rendering to SVG happens in render-svg.ts.
 */
export interface ChartSpec {
  /** Stable id, used as the figure's data-chart attribute. */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** The VA plane keeps at most this many points per chart (evenly strided), so the page stays light. */
export const MAX_PLANE_POINTS = 1500;
const CONFIG = { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ddd' }, axis: { labelLimit: 160 } };

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

export function buildCharts(doc: MetricsDocument): ChartSpec[] {
  const single = doc.groups.filter((g) => g.kind === 'classification');
  return [
    ...headlineCharts(doc),
    ...single.flatMap((g) => (g.confusion ? [confusionChart(g)] : [])),
    ...perClassCharts(single),
    ...similarityCharts(doc.groups.filter((g) => g.kind === 'similarity')),
    ...single.flatMap((g) => vaPlaneChart(g)),
  ];
}

/**
 * The ablation at a glance: the first headline metric of each classification / similarity node, per
 * group, with its interval; for mean cosine, the shuffled-reference baseline of the same embedder
 * beside it (a grey tick), so the distance from chance shows.
 */
function headlineCharts(doc: MetricsDocument): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const [node, groups] of byNode(doc.groups.filter((g) => g.kind !== 'va'))) {
    const metric = Object.keys(groups[0].headline)[0];
    if (!metric) continue;
    const values = groups.flatMap((g) => {
      const e = g.headline[metric];
      return e && e.value !== null ? [{ group: g.label, value: e.value, low: e.ci?.[0] ?? e.value, high: e.ci?.[1] ?? e.value }] : [];
    });
    if (values.length === 0) continue;
    const baseline = metric === 'raw_mean'
      ? groups.flatMap((g) => {
        const b = g.headline.shuffled_mean;
        return b && b.value !== null ? [{ group: g.label, baseline: b.value }] : [];
      })
      : [];
    const y = { field: 'group', type: 'nominal' as const, title: null, sort: null, axis: { labelLimit: 340 } };
    out.push({
      id: `headline-${slug(node)}-${slug(metric)}`,
      title: `${metric} by variant (${node})`,
      caption: `Point estimate and ${Math.round(doc.bootstrap.confidence * 100)}% interval per group.${baseline.length ? ' Grey tick: the shuffled-reference baseline (each description against other items\' references, same embedder).' : ''}`,
      spec: {
        $schema: SCHEMA,
        config: CONFIG,
        width: 360,
        height: { step: 22 },
        layer: [
          { data: { values }, mark: { type: 'rule', color: '#555' }, encoding: { y, x: { field: 'low', type: 'quantitative', title: metric }, x2: { field: 'high' } } },
          { data: { values }, mark: { type: 'point', filled: true, size: 60, color: '#1f77b4' }, encoding: { y: { field: 'group', type: 'nominal', sort: null }, x: { field: 'value', type: 'quantitative' } } },
          ...(baseline.length
            ? [{ data: { values: baseline }, mark: { type: 'tick' as const, color: '#999', thickness: 2 }, encoding: { y: { field: 'group', type: 'nominal' as const, sort: null }, x: { field: 'baseline', type: 'quantitative' as const } } }]
            : []),
        ],
      },
    });
  }
  return out;
}

/** Groups by (node, kind), keyed by the node id, or `node (kind)` where one node yields two kinds. */
function byNode(groups: readonly MetricsGroup[]): Map<string, MetricsGroup[]> {
  const buckets = new Map<string, MetricsGroup[]>();
  for (const g of groups) buckets.set(`${g.node}\u0000${g.kind}`, [...(buckets.get(`${g.node}\u0000${g.kind}`) ?? []), g]);
  const kindsPerNode = new Map<string, number>();
  for (const members of buckets.values()) kindsPerNode.set(members[0].node, (kindsPerNode.get(members[0].node) ?? 0) + 1);
  return new Map([...buckets.values()].map((m) => [kindsPerNode.get(m[0].node)! > 1 ? `${m[0].node} (${m[0].kind})` : m[0].node, m]));
}

function confusionChart(g: MetricsGroup): ChartSpec {
  const cm = g.confusion!;
  const values = cm.labels.flatMap((truth, r) => {
    const rowTotal = cm.counts[r].reduce((a, b) => a + b, 0);
    return cm.columns.map((pred, c) => ({ truth, pred, count: cm.counts[r][c], share: rowTotal ? cm.counts[r][c] / rowTotal : 0 }));
  });
  return {
    id: `confusion-${slug(g.key)}`,
    title: `Confusion matrix — ${g.label}`,
    caption: `Rows: truth; columns: prediction (${INVALID_COLUMN} = unparseable answers). Colour: share of the truth row; numbers: counts (n = ${g.n}).`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      data: { values },
      width: { step: 34 },
      height: { step: 26 },
      encoding: {
        x: { field: 'pred', type: 'nominal', sort: cm.columns, title: 'prediction', axis: { labelAngle: -40 } },
        y: { field: 'truth', type: 'nominal', sort: cm.labels, title: 'truth' },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, title: 'row share' } } },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
          },
        },
      ],
    },
  };
}

/** Per-class accuracy (recall) by group with interval whiskers, one chart per classification node. */
function perClassCharts(groups: readonly MetricsGroup[]): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const [node, members] of byNode(groups)) {
    const values = members.flatMap((g) =>
      (g.classes ?? []).flatMap((c) =>
        c.recall.value === null ? [] : [{ class: c.label, group: g.label, accuracy: c.recall.value, low: c.recall.ci?.[0] ?? c.recall.value, high: c.recall.ci?.[1] ?? c.recall.value, support: c.support }],
      ),
    );
    if (values.length === 0) continue;
    const classOrder = [...new Set(values.map((v) => v.class))];
    const x = { field: 'class', type: 'nominal' as const, sort: classOrder, title: 'true class', axis: { labelAngle: -40 } };
    out.push({
      id: `per-class-${slug(node)}`,
      title: `Per-class accuracy by model and variant (${node})`,
      caption: 'Share of each true class answered correctly; whiskers: bootstrap interval.',
      spec: {
        $schema: SCHEMA,
        config: CONFIG,
        data: { values },
        width: Math.min(1000, classOrder.length * (members.length * 14 + 12)),
        height: 220,
        encoding: { x, xOffset: { field: 'group', type: 'nominal' } },
        layer: [
          { mark: 'bar', encoding: { y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, title: 'accuracy' }, color: { field: 'group', type: 'nominal', title: 'group', legend: { orient: 'bottom', columns: 2, labelLimit: 340 } } } },
          { mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'low', type: 'quantitative', title: 'accuracy' }, y2: { field: 'high' } } },
        ],
      },
    });
  }
  return out;
}

/** Similarity distributions per embedder × model: raw cosine beside the null-calibrated z, one chart per node. */
function similarityCharts(groups: readonly MetricsGroup[]): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const [node, members] of byNode(groups)) {
    const values = members.flatMap((g) => {
      if (g.items.kind !== 'similarity') return [];
      const { raw, z } = g.items;
      return raw.flatMap((r, i) => [
        ...(r === null ? [] : [{ group: g.label, scale: 'raw cosine', value: r }]),
        ...(z[i] === null ? [] : [{ group: g.label, scale: 'calibrated z (vs shuffled pairs)', value: z[i] }]),
      ]);
    });
    if (values.length === 0) continue;
    const panel = (scale: string) => ({
      transform: [{ filter: { field: 'scale', equal: scale } }],
      width: 260,
      height: { step: 24 },
      mark: { type: 'boxplot' as const, extent: 'min-max' as const, size: 14 },
      encoding: {
        y: { field: 'group', type: 'nominal' as const, title: null, sort: null, axis: { labelLimit: 300 } },
        x: { field: 'value', type: 'quantitative' as const, title: scale, scale: { zero: false } },
        color: { field: 'group', type: 'nominal' as const, legend: null },
      },
    });
    out.push({
      id: `similarity-${slug(node)}`,
      title: `Description similarity by embedder and model (${node})`,
      caption: 'Left: raw cosine similarity to the human description; right: calibrated against the shuffled-pair null (z). Boxes: quartiles; whiskers: min–max.',
      spec: { $schema: SCHEMA, config: CONFIG, data: { values }, hconcat: [panel('raw cosine'), panel('calibrated z (vs shuffled pairs)')] },
    });
  }
  return out;
}

/** Items on the valence–arousal plane, coloured by truth and by prediction: where on the circumplex a model goes wrong. */
function vaPlaneChart(g: MetricsGroup): ChartSpec[] {
  if (g.items.kind !== 'classification') return [];
  const { valence, arousal, truth, pred, labels } = g.items;
  const all = valence.flatMap((v, i) => (v === null || arousal[i] === null ? [] : [i]));
  if (all.length === 0) return [];
  const stride = Math.max(1, Math.ceil(all.length / MAX_PLANE_POINTS));
  const values = all.filter((_, j) => j % stride === 0).flatMap((i) => {
    const p = pred[i] === -1 ? INVALID_COLUMN : labels[pred[i]];
    const base = { valence: valence[i], arousal: arousal[i], correct: pred[i] === truth[i] ? 'right' : 'wrong' };
    return [{ ...base, panel: 'truth', label: labels[truth[i]] }, { ...base, panel: 'prediction', label: p }];
  });
  const domain = [...labels, INVALID_COLUMN];
  const panel = (name: string, title: string) => ({
    transform: [{ filter: { field: 'panel', equal: name } }],
    width: 240,
    height: 240,
    title,
    layer: [
      { mark: { type: 'rule' as const, color: '#bbb' }, data: { values: [{ zero: 0 }] }, encoding: { x: { field: 'zero', type: 'quantitative' as const, title: 'valence' } } },
      { mark: { type: 'rule' as const, color: '#bbb' }, data: { values: [{ zero: 0 }] }, encoding: { y: { field: 'zero', type: 'quantitative' as const, title: 'arousal' } } },
      {
        mark: { type: 'point' as const, filled: true, size: 40, opacity: 0.85 },
        encoding: {
          x: { field: 'valence', type: 'quantitative' as const, scale: { domain: [-1, 1] }, title: 'valence' },
          y: { field: 'arousal', type: 'quantitative' as const, scale: { domain: [-1, 1] }, title: 'arousal' },
          color: { field: 'label', type: 'nominal' as const, scale: { domain }, title: 'label' },
          shape: { field: 'correct', type: 'nominal' as const, scale: { domain: ['right', 'wrong'], range: ['circle', 'cross'] }, title: 'prediction' },
        },
      },
    ],
  });
  return [{
    id: `va-plane-${slug(g.key)}`,
    title: `Valence–arousal plane — ${g.label}`,
    caption: `Each item at its input (valence, arousal); left coloured by the true label, right by the model's answer (crosses: wrong).${stride > 1 ? ` Every ${stride}th item shown.` : ''}`,
    spec: { $schema: SCHEMA, config: CONFIG, data: { values }, hconcat: [panel('truth', 'truth'), panel('prediction', 'prediction')], resolve: { scale: { color: 'shared' } } },
  }];
}
