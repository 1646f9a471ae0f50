import type { TopLevelSpec } from 'vega-lite';
import type { MetricsDocument, MetricsGroup } from './metrics-document.js';
import { INVALID_COLUMN } from '../stats/group-metrics.js';
import { axesOf, axesTitle, capitalise, coordsPhrase, coordValues, itemsAnchor, metricName, slug } from './names.js';

/**
 * The report's charts as Vega-Lite specs, data inlined (no URLs: the page must work offline).
 * Pure: rendering to SVG happens in render-svg.ts. Every chart carries its own title, so the SVG
 * stands alone as a figure (figures/<id>.svg); labels name factors and their values, never group
 * keys, and no label is cut short (labelLimit 0), however many groups there are.
 */
export interface ChartSpec {
  /** Stable id: the figure's file name (figures/<id>.svg) and data-chart attribute. */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** The VA plane keeps at most this many points per chart (evenly strided), so the page stays light. */
export const MAX_PLANE_POINTS = 1500;
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelLimit: 0, titleLimit: 0, labelFontSize: 11, titleFontSize: 12 },
  legend: { labelLimit: 0, titleLimit: 0, labelFontSize: 11, titleFontSize: 12 },
  title: { anchor: 'start' as const, fontSize: 14, subtitleFontSize: 12, subtitleColor: '#555', limit: 0, subtitleLimit: 0 } as const,
  header: { labelLimit: 0, titleLimit: 0 },
};

/*
 * Orders of groups and classes are given as explicit scale domains, not only as `sort`: where layers
 * draw from different data, Vega-Lite can union their domains and fall back to alphabetical order,
 * which would break the agreement with the tables.
 */

/** A y axis listing groups: its title (the factor names) sits level above the labels, like a column header, not turned on its side. */
const GROUP_AXIS = { titleAngle: 0, titleAlign: 'right' as const, titleAnchor: 'start' as const, titleBaseline: 'bottom' as const, titleX: 0, titleY: -6 };

export interface ChartOptions {
  /** Confusion-matrix cells link to the item explorer's rows (`#items-…?truth=…&pred=…`). */
  readonly links?: boolean;
}

export function buildCharts(doc: MetricsDocument, options: ChartOptions = {}): ChartSpec[] {
  const single = doc.groups.filter((g) => g.kind === 'classification');
  const naming = nodeNaming(doc.groups);
  return [
    ...headlineCharts(doc, naming),
    ...single.flatMap((g) => (g.confusion ? [confusionChart(g, naming, options.links ?? false)] : [])),
    ...perClassCharts(single, naming),
    ...similarityCharts(doc.groups.filter((g) => g.kind === 'similarity'), naming),
    ...single.flatMap((g) => vaPlaneChart(g, naming)),
  ];
}

/** The node id is only worth naming when a document holds several nodes of one kind. */
interface NodeNaming {
  note(node: string, kind: MetricsGroup['kind']): string;
}

function nodeNaming(groups: readonly MetricsGroup[]): NodeNaming {
  const nodes = new Map<string, Set<string>>();
  for (const g of groups) nodes.set(g.kind, (nodes.get(g.kind) ?? new Set()).add(g.node));
  return { note: (node, kind) => ((nodes.get(kind)?.size ?? 0) > 1 ? ` (node ${node})` : '') };
}

function title(text: string, subtitle?: string) {
  return subtitle ? { text, subtitle } : { text };
}

/** Groups by (node, kind), in document order. */
function byNode(groups: readonly MetricsGroup[]): MetricsGroup[][] {
  const buckets = new Map<string, MetricsGroup[]>();
  for (const g of groups) buckets.set(`${g.node}\u0000${g.kind}`, [...(buckets.get(`${g.node}\u0000${g.kind}`) ?? []), g]);
  return [...buckets.values()];
}

/**
 * The ablation at a glance: the first headline metric of each classification / similarity node, per
 * group, with its interval; for mean cosine, the shuffled-reference baseline of the same embedder
 * beside it (a grey tick), so the distance from chance shows.
 */
function headlineCharts(doc: MetricsDocument, naming: NodeNaming): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const groups of byNode(doc.groups.filter((g) => g.kind !== 'va'))) {
    const metric = Object.keys(groups[0].headline)[0];
    if (!metric) continue;
    const axes = axesOf(groups);
    const name = (g: MetricsGroup) => coordValues(g.coords, axes);
    const values = groups.flatMap((g) => {
      const e = g.headline[metric];
      return e && e.value !== null ? [{ group: name(g), value: e.value, low: e.ci?.[0] ?? e.value, high: e.ci?.[1] ?? e.value }] : [];
    });
    if (values.length === 0) continue;
    const baseline = metric === 'raw_mean'
      ? groups.flatMap((g) => {
        const b = g.headline.shuffled_mean;
        return b && b.value !== null ? [{ group: name(g), baseline: b.value }] : [];
      })
      : [];
    const order = groups.map(name);
    const y = { field: 'group', type: 'nominal' as const, title: capitalise(axesTitle(axes)), sort: order, scale: { domain: order }, axis: GROUP_AXIS };
    const heading = `${capitalise(metricName(metric))} by ${axesTitle(axes)}`;
    const level = Math.round(doc.bootstrap.confidence * 100);
    out.push({
      id: `headline-${slug(groups[0].node)}-${slug(metric)}`,
      title: heading + naming.note(groups[0].node, groups[0].kind),
      caption: `Point estimate and ${level}% interval per group.${baseline.length ? ' Grey tick: the shuffled-reference baseline (each description against other items\' references, same embedder).' : ''}`,
      spec: {
        $schema: SCHEMA,
        config: CONFIG,
        title: title(heading + naming.note(groups[0].node, groups[0].kind), `Point estimate with ${level}% interval${baseline.length ? '; grey tick: shuffled-reference baseline' : ''}`),
        width: 360,
        height: { step: 24 },
        layer: [
          { data: { values }, mark: { type: 'rule', color: '#555' }, encoding: { y, x: { field: 'low', type: 'quantitative', title: capitalise(metricName(metric)) }, x2: { field: 'high' } } },
          { data: { values }, mark: { type: 'point', filled: true, size: 60, color: '#1f77b4' }, encoding: { y, x: { field: 'value', type: 'quantitative' } } },
          ...(baseline.length
            ? [{ data: { values: baseline }, mark: { type: 'tick' as const, color: '#999', thickness: 2 }, encoding: { y, x: { field: 'baseline', type: 'quantitative' as const } } }]
            : []),
        ],
      },
    });
  }
  return out;
}

function confusionChart(g: MetricsGroup, naming: NodeNaming, links: boolean): ChartSpec {
  const cm = g.confusion!;
  const anchor = itemsAnchor(g.key);
  const values = cm.labels.flatMap((truth, r) => {
    const rowTotal = cm.counts[r].reduce((a, b) => a + b, 0);
    return cm.columns.map((pred, c) => ({
      truth,
      pred,
      count: cm.counts[r][c],
      share: rowTotal ? cm.counts[r][c] / rowTotal : 0,
      about: `true ${truth}, answered ${pred}: ${cm.counts[r][c]} item(s)`,
      ...(links ? { link: `#${anchor}?truth=${encodeURIComponent(truth)}&pred=${encodeURIComponent(pred)}` } : {}),
    }));
  });
  const linked = links ? { href: { field: 'link', type: 'nominal' as const } } : {};
  const subtitle = coordsPhrase(g.coords) + naming.note(g.node, g.kind);
  return {
    id: `confusion-${slug(g.key)}`,
    title: `Confusion matrix — ${subtitle}`,
    caption: `Rows: truth; columns: prediction (${INVALID_COLUMN} = unparseable answers). Colour: share of the truth row; numbers: counts (n = ${g.n}).${links ? ' Click a cell to list its items.' : ''}`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title: title('Confusion matrix', subtitle),
      data: { values },
      width: { step: 36 },
      height: { step: 26 },
      encoding: {
        x: { field: 'pred', type: 'nominal', sort: cm.columns, scale: { domain: cm.columns }, title: 'Predicted label', axis: { labelAngle: -40 } },
        y: { field: 'truth', type: 'nominal', sort: cm.labels, scale: { domain: cm.labels }, title: 'True label' },
        description: { field: 'about', type: 'nominal' },
        ...linked,
      },
      layer: [
        { mark: { type: 'rect', ...(links ? { cursor: 'pointer' as const } : {}) }, encoding: { color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, title: 'Share of true row' } } },
        {
          mark: { type: 'text', fontSize: 10, ...(links ? { cursor: 'pointer' as const } : {}) },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
          },
        },
      ],
    },
  };
}

/** Up to this many groups, per-class accuracy is drawn as grouped bars with a legend; beyond, as a heatmap (bars get too thin to read). */
export const MAX_BAR_GROUPS = 8;

/**
 * Per-class accuracy (recall) by group, one chart per classification node: grouped bars with
 * interval whiskers and a legend listing the groups in the order of the tables (document order, not
 * alphabetical); with more than MAX_BAR_GROUPS groups, a heatmap with one row per group, in that order.
 */
function perClassCharts(groups: readonly MetricsGroup[], naming: NodeNaming): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const members of byNode(groups)) {
    const axes = axesOf(members);
    const name = (g: MetricsGroup) => coordValues(g.coords, axes);
    const values = members.flatMap((g) =>
      (g.classes ?? []).flatMap((c) =>
        c.recall.value === null ? [] : [{ class: c.label, group: name(g), accuracy: c.recall.value, low: c.recall.ci?.[0] ?? c.recall.value, high: c.recall.ci?.[1] ?? c.recall.value, support: c.support }],
      ),
    );
    if (values.length === 0) continue;
    const classOrder = [...new Set(values.map((v) => v.class))];
    const groupOrder = members.map(name).filter((n) => values.some((v) => v.group === n));
    const x = { field: 'class', type: 'nominal' as const, sort: classOrder, scale: { domain: classOrder }, title: 'True class', axis: { labelAngle: -40 } };
    const heading = `Per-class accuracy by ${axesTitle(axes)}${naming.note(members[0].node, 'classification')}`;
    const heatmap = groupOrder.length > MAX_BAR_GROUPS;
    out.push({
      id: `per-class-${slug(members[0].node)}`,
      title: heading,
      caption: heatmap
        ? 'Share of each true class answered correctly (colour and number), one row per group in the order of the tables.'
        : 'Share of each true class answered correctly; whiskers: interval. Legend in the order of the tables.',
      spec: heatmap
        ? {
          $schema: SCHEMA,
          config: CONFIG,
          title: title(heading, 'Share of each true class answered correctly'),
          data: { values },
          width: { step: 40 },
          height: { step: 22 },
          encoding: {
            x: { ...x, axis: { labelAngle: -40, orient: 'top' } },
            y: { field: 'group', type: 'nominal', sort: groupOrder, scale: { domain: groupOrder }, title: capitalise(axesTitle(axes)), axis: GROUP_AXIS },
          },
          layer: [
            { mark: 'rect', encoding: { color: { field: 'accuracy', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, title: 'Accuracy (recall)' } } },
            {
              mark: { type: 'text', fontSize: 10 },
              encoding: {
                text: { field: 'accuracy', type: 'quantitative', format: '.2f' },
                color: { condition: { test: 'datum.accuracy > 0.5', value: 'white' }, value: '#222' },
              },
            },
          ],
        }
        : {
          $schema: SCHEMA,
          config: CONFIG,
          title: title(heading, 'Share of each true class answered correctly, with interval'),
          data: { values },
          width: classOrder.length * (groupOrder.length * 12 + 14),
          height: 220,
          encoding: { x, xOffset: { field: 'group', type: 'nominal', sort: groupOrder, scale: { domain: groupOrder } } },
          layer: [
            {
              mark: 'bar',
              encoding: {
                y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, title: 'Accuracy (recall)' },
                color: { field: 'group', type: 'nominal', scale: { domain: groupOrder }, title: capitalise(axesTitle(axes)), legend: { orient: 'bottom', direction: 'vertical' } },
              },
            },
            { mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'low', type: 'quantitative', title: 'Accuracy (recall)' }, y2: { field: 'high' } } },
          ],
        },
    });
  }
  return out;
}

/**
 * Similarity distributions per group, one chart per node: raw cosine (with the shuffled-reference
 * baseline as a grey tick) beside the null-calibrated z (with z = 0, chance, as a rule). One row per
 * group, labelled once on the left; both panels list the groups in the same order.
 */
function similarityCharts(groups: readonly MetricsGroup[], naming: NodeNaming): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const members of byNode(groups)) {
    const axes = axesOf(members);
    const name = (g: MetricsGroup) => coordValues(g.coords, axes);
    const values = members.flatMap((g) => {
      if (g.items.kind !== 'similarity') return [];
      const { raw, z } = g.items;
      return raw.flatMap((r, i) => [
        ...(r === null ? [] : [{ group: name(g), scale: 'raw', value: r }]),
        ...(z[i] === null ? [] : [{ group: name(g), scale: 'z', value: z[i] }]),
      ]);
    });
    if (values.length === 0) continue;
    const order = members.map(name);
    const baseline = members.flatMap((g) => (g.headline.shuffled_mean?.value != null ? [{ group: name(g), baseline: g.headline.shuffled_mean.value }] : []));
    const hasZ = values.some((v) => v.scale === 'z');
    const box = (scale: string, labels: boolean) => ({
      transform: [{ filter: { field: 'scale', equal: scale } }],
      mark: { type: 'boxplot' as const, extent: 'min-max' as const, size: 16, color: '#4c78a8', median: { color: 'white' } },
      encoding: {
        y: { field: 'group', type: 'nominal' as const, sort: order, scale: { domain: order }, title: labels ? capitalise(axesTitle(axes)) : null, axis: labels ? GROUP_AXIS : { labels: false, ticks: false } },
        x: { field: 'value', type: 'quantitative' as const, title: scale === 'raw' ? 'Raw cosine similarity' : 'Calibrated z (vs shuffled references)', scale: { zero: false } },
      },
    });
    const rawPanel = {
      width: 300,
      height: { step: 30 },
      layer: [
        box('raw', true),
        ...(baseline.length
          ? [{ data: { values: baseline }, mark: { type: 'tick' as const, color: '#333', thickness: 2, size: 26 }, encoding: { y: { field: 'group', type: 'nominal' as const, sort: order, scale: { domain: order } }, x: { field: 'baseline', type: 'quantitative' as const } } }]
          : []),
      ],
    };
    const zPanel = {
      width: 300,
      height: { step: 30 },
      layer: [
        { data: { values: [{ zero: 0 }] }, mark: { type: 'rule' as const, color: '#bbb', strokeDash: [4, 3] }, encoding: { x: { field: 'zero', type: 'quantitative' as const } } },
        box('z', false),
      ],
    };
    const heading = `Description similarity by ${axesTitle(axes)}${naming.note(members[0].node, 'similarity')}`;
    out.push({
      id: `similarity-${slug(members[0].node)}`,
      title: heading,
      caption: 'Left: raw cosine similarity to the human description (grey tick: the shuffled-reference baseline); right: calibrated against the shuffled-pair null (z; dashed: z = 0, chance). Boxes: quartiles; whiskers: min–max.',
      spec: {
        $schema: SCHEMA,
        config: CONFIG,
        title: title(heading, 'Raw cosine (grey tick: shuffled-reference baseline) and calibrated z (dashed: chance)'),
        data: { values },
        ...(hasZ ? { hconcat: [rawPanel, zPanel], spacing: 16 } : rawPanel),
      } as TopLevelSpec,
    });
  }
  return out;
}

/** Items on the valence–arousal plane, coloured by truth and by prediction: where on the circumplex a model goes wrong. */
function vaPlaneChart(g: MetricsGroup, naming: NodeNaming): ChartSpec[] {
  if (g.items.kind !== 'classification') return [];
  const { valence, arousal, truth, pred, labels } = g.items;
  const all: number[] = [];
  for (let i = 0; i < valence.length; i++) if (valence[i] !== null && arousal[i] !== null) all.push(i);
  if (all.length === 0) return [];
  const stride = Math.max(1, Math.ceil(all.length / MAX_PLANE_POINTS));
  // Two points per item, one per panel (a loop: up to 2 × MAX_PLANE_POINTS objects per group).
  const values: { valence: number | null; arousal: number | null; correct: string; panel: string; label: string }[] = [];
  for (let j = 0; j < all.length; j += stride) {
    const i = all[j];
    const correct = pred[i] === truth[i] ? 'right' : 'wrong';
    values.push({ valence: valence[i], arousal: arousal[i], correct, panel: 'truth', label: labels[truth[i]] });
    values.push({ valence: valence[i], arousal: arousal[i], correct, panel: 'prediction', label: pred[i] === -1 ? INVALID_COLUMN : labels[pred[i]] });
  }
  const domain = [...labels, INVALID_COLUMN];
  const panel = (name: string, heading: string) => ({
    transform: [{ filter: { field: 'panel', equal: name } }],
    width: 240,
    height: 240,
    title: heading,
    layer: [
      { mark: { type: 'rule' as const, color: '#bbb' }, data: { values: [{ zero: 0 }] }, encoding: { x: { field: 'zero', type: 'quantitative' as const, title: 'Valence' } } },
      { mark: { type: 'rule' as const, color: '#bbb' }, data: { values: [{ zero: 0 }] }, encoding: { y: { field: 'zero', type: 'quantitative' as const, title: 'Arousal' } } },
      {
        // No per-point aria-label: up to MAX_PLANE_POINTS of them would only bloat the page.
        mark: { type: 'point' as const, filled: true, size: 40, opacity: 0.85, aria: false },
        encoding: {
          x: { field: 'valence', type: 'quantitative' as const, scale: { domain: [-1, 1] }, title: 'Valence' },
          y: { field: 'arousal', type: 'quantitative' as const, scale: { domain: [-1, 1] }, title: 'Arousal' },
          color: { field: 'label', type: 'nominal' as const, scale: { domain }, title: 'Label' },
          shape: { field: 'correct', type: 'nominal' as const, scale: { domain: ['right', 'wrong'], range: ['circle', 'cross'] }, title: 'Answer' },
        },
      },
    ],
  });
  const subtitle = coordsPhrase(g.coords) + naming.note(g.node, g.kind) + (stride > 1 ? ` · every ${stride}th item` : '');
  return [{
    id: `va-plane-${slug(g.key)}`,
    title: `Valence–arousal plane — ${subtitle}`,
    caption: `Each item at its input (valence, arousal); left coloured by the true label, right by the model's answer (crosses: wrong).${stride > 1 ? ` Every ${stride}th item shown.` : ''}`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title: title('Valence–arousal plane', subtitle),
      data: { values },
      hconcat: [panel('truth', 'Coloured by true label'), panel('prediction', "Coloured by the model's answer")],
      resolve: { scale: { color: 'shared' } },
    },
  }];
}
