import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDocument } from '../../nodes/aggregate/build-document.js';
import { Collector } from '../../nodes/aggregate/collect.js';
import type { AggregateParams } from '../../nodes/aggregate/params.generated.js';
import { compareRuns, formatRunComparison } from '../../src/report/compare-runs.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { metricRows, rowsToCsv } from '../../src/report/rows.js';
import type { FlowRecord } from '../../src/types/records.js';
import { allRecords } from '../nodes/aggregate/fixtures.js';

function documentOf(records: readonly FlowRecord[], params: AggregateParams) {
  const collector = new Collector({ by: params.by ?? null, humanRatingField: params.humanRatingField });
  for (const r of records) collector.add(r);
  const { groups, warnings } = collector.finish();
  return buildDocument(groups, warnings, { node: 'scores', seed: 42, params, now: () => new Date(0) });
}

/** Two variants answering alike on every item of model m: a degenerate comparison beside informative ones. */
function twinVariants(): FlowRecord[] {
  return ['v1', 'v2'].flatMap((variant) => Array.from({ length: 12 }, (_, i) => ({
    id: `t${i}`, coords: { model: 'twin', variant }, node: 'classify', labelSet: 'basic7', label: 'fear', prediction: i % 3 ? 'fear' : 'anger', valid: true,
  })));
}

test('markdown says how each interval was made, what the Holm family holds, and the baseline beside mean cosine', () => {
  const pooled = renderMarkdown(documentOf(allRecords(), { by: ['model', 'embedder', 'vaSource'], humanRatingField: 'humanRating' }));
  // Classification pooled over variants: clusters by id.
  assert.match(pooled, /\| gpt4o-mini \| 84 \(42 ids\) \|/);
  assert.match(pooled, /- 95% Clopper–Pearson at the clustered effective sample size: accuracy, invalid_rate, per-class accuracy\./);
  assert.match(pooled, /- 95% expanded percentile bootstrap over item ids \(1000 resamples, seed 42\): macro_f1, weighted_f1, kappa/);
  assert.match(pooled, /\| mcnemar-clustered \|/);

  const doc = documentOf([...allRecords(), ...twinVariants()], { humanRatingField: 'humanRating' });
  const md = renderMarkdown(doc);
  assert.match(md, /- 95% Clopper–Pearson: accuracy, invalid_rate, per-class accuracy, missing_rate\./);
  assert.match(md, /shuffled_mean: the shuffled-reference baseline/);
  assert.match(md, /\| embedder \| model \| prompt variant \| n \| raw_mean \| shuffled_mean \|/);
  // Across embedders the similarity test runs on z, and the leading delta shown is a calibrated one.
  assert.match(md, /embedder=use · model=gpt4o-mini · variant=lexical vs embedder=glove · model=gpt4o-mini · variant=lexical \| 42 \| z_mean: -?\d\.\d{3} \[[^|]*\| wilcoxon-signed-rank \(calibrated z\) \|/);
  // No discordant pair: Δ accuracy 0 with Tango's interval ±z²/(n + z²) = ±0.242 (a bootstrap gives [0, 0]).
  assert.match(md, /\| model=twin · variant=v2 vs model=twin · variant=v1 \| 12 \| accuracy: 0\.000 \[-0\.242, 0\.242\] \| mcnemar-exact \| 1\.000 \| not in family \|/);
  assert.match(md, /- 95% Tango's score interval for paired proportions: Δ accuracy, Δ invalid_rate, Δ missing_rate\./);
  const { family, degenerate } = doc.multipleTesting;
  assert.equal(degenerate, 1);
  assert.equal(family, doc.comparisons.filter((c) => c.test && !c.test.degenerate).length);
  assert.match(md, new RegExp(`p \\(Holm\\): Holm's step-down adjustment over the node's ${family} informative test\\(s\\); 1 degenerate comparison\\(s\\) \\(no discordant pair`));
});

test('metrics.csv names the interval method of each row', () => {
  const doc = documentOf(allRecords(), { humanRatingField: 'humanRating' });
  const rows = metricRows(doc);
  const method = (metric: string) => rows.find((r) => r.section === 'group' && r.metric === metric)?.ciMethod;
  assert.equal(method('accuracy'), 'clopper-pearson');
  assert.equal(method('kappa'), 'percentile-bootstrap');
  assert.equal(rows.find((r) => r.section === 'class' && r.metric === 'recall')?.ciMethod, 'clopper-pearson');
  assert.equal(rows.find((r) => r.section === 'class' && r.metric === 'precision')?.ciMethod, null);
  const csv = rowsToCsv(rows);
  assert.match(csv.split('\n')[0], /,value,ci_low,ci_high,ci_method,n,p,p_holm,reason$/);
  assert.match(csv, /,accuracy,,[0-9.]+,[0-9.]+,[0-9.]+,clopper-pearson,42,/);
});

test('vaflow compare names the scale of a similarity test and flags a degenerate one', () => {
  const a = documentOf([...allRecords(), ...twinVariants()], {});
  const b = documentOf([...allRecords({ seed: 2 }), ...twinVariants()], {});
  const text = formatRunComparison(compareRuns([a], [b], { resamples: 1000, confidence: 0.95, seed: 1 }), { a: 'A', b: 'B', confidence: 0.95 });
  assert.match(text, /wilcoxon-signed-rank \(raw cosine\): p/);
  // The twin groups are identical in both runs: no discordant pair.
  assert.match(text, /mcnemar-exact: p = 1\.000, .* — degenerate: no discordant pair/);
});
