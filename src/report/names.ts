/**
 * Human names for what the report shows: factors (the coordinate axes), metrics, and groups as
 * factor values. Charts, figures and tables use these instead of internal ids (group keys such as
 * `classify/classification[model=x,variant=y]`, metric keys such as `raw_mean`).
 */

/** File- and anchor-safe form of a key: `classify/classification[model=a]` → `classify-classification-model-a`. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

const FACTOR_NAMES: Readonly<Record<string, string>> = {
  model: 'model',
  variant: 'prompt variant',
  embedder: 'embedder',
  vaSource: 'VA source',
};

/** A coordinate axis as words: `variant` → `prompt variant`, `promptStyle` → `prompt style`. */
export function factorName(axis: string): string {
  return FACTOR_NAMES[axis] ?? axis.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
}

const METRIC_NAMES: Readonly<Record<string, string>> = {
  accuracy: 'accuracy',
  macro_f1: 'macro-F1',
  weighted_f1: 'weighted F1',
  micro_f1: 'micro-F1',
  kappa: "Cohen's κ",
  invalid_rate: 'invalid-answer rate',
  exact_match: 'exact match',
  jaccard: 'Jaccard index',
  hamming: 'Hamming loss',
  raw_mean: 'mean cosine similarity',
  raw_median: 'median cosine similarity',
  shuffled_mean: 'shuffled-reference baseline',
  z_mean: 'mean calibrated z',
  z_median: 'median calibrated z',
  percentile_mean: 'mean percentile among shuffled references',
  missing_rate: 'missing-score rate',
  spearman_human: "Spearman's ρ with human ratings",
  valence_pearson: 'valence Pearson r',
  valence_ccc: 'valence concordance (CCC)',
  valence_rmse: 'valence RMSE',
  arousal_pearson: 'arousal Pearson r',
  arousal_ccc: 'arousal concordance (CCC)',
  arousal_rmse: 'arousal RMSE',
};

export function metricName(metric: string): string {
  return METRIC_NAMES[metric] ?? metric.replaceAll('_', ' ');
}

/** Sentence case for a chart title or axis title. */
export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The axes used by any of the groups, in first-seen order (each group's coords keep the `by` order). */
export function axesOf(groups: readonly { readonly coords: Readonly<Record<string, string>> }[]): string[] {
  return [...new Set(groups.flatMap((g) => Object.keys(g.coords)))];
}

/** `model · prompt variant`: what the values in a group label stand for. */
export function axesTitle(axes: readonly string[]): string {
  return axes.length ? axes.map(factorName).join(' · ') : 'group';
}

/** `gpt-4o-mini · lexical`: a group as its factor values, in `axes` order (– where a group lacks an axis). */
export function coordValues(coords: Readonly<Record<string, string>>, axes: readonly string[]): string {
  return axes.length ? axes.map((a) => coords[a] ?? '–').join(' · ') : 'all items';
}

/** `model gpt-4o-mini, prompt variant lexical`: one group named by its factors and values. */
export function coordsPhrase(coords: Readonly<Record<string, string>>): string {
  const entries = Object.entries(coords);
  return entries.length ? entries.map(([a, v]) => `${factorName(a)} ${v}`).join(', ') : 'all items';
}

/** The id of a group's section in the item explorer; confusion-matrix cells link to it. */
export function itemsAnchor(groupKey: string): string {
  return `items-${slug(groupKey)}`;
}
