/**
 * aggregate's Collector on its own: which family a record is, how records group and pool, how labels
 * and answers become codes, and that the result is ordered by content, never by arrival.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Collector, type CollectOptions } from '../../../nodes/aggregate/collect.js';
import type { FlowRecord } from '../../../src/types/records.js';

function collect(records: FlowRecord[], options: CollectOptions = { by: null }) {
  const collector = new Collector(options);
  for (const r of records) collector.add(r);
  return collector.finish();
}

const cls = (id: string, coords: Record<string, string>, label: unknown, prediction: unknown, extra: Record<string, unknown> = {}): FlowRecord =>
  ({ id, node: 'classify', coords, label, prediction, valid: prediction !== null, ...extra });

test('records of no family, and classification records without a truth label, are skipped and counted by reason', () => {
  const { groups, warnings } = collect([
    { id: 'p1', node: 'prompts', coords: {}, messages: [] },
    { id: 'p2', node: 'prompts', coords: {}, messages: [] },
    cls('a', {}, '', 'happiness'),
    cls('b', {}, 42, 'happiness'),
    cls('c', {}, 'Happiness', 'happiness'),
  ]);
  assert.deepEqual(warnings, [
    'skipped 2 record(s): classify: classification records without a truth `label`',
    'skipped 2 record(s): prompts: records without classification, similarity or VA fields',
  ]);
  assert.equal(groups.length, 1);
  assert.deepEqual(groups[0].items.keys, ['c']);
});

test('groups: keyed by node, family and grouped coordinates, in key order; `by` pools the other coordinates into item keys', () => {
  const records = [
    cls('f2', { variant: 'lexical', model: 'm2' }, 'sadness', 'sadness'),
    cls('f1', { variant: 'numeric', model: 'm1' }, 'happiness', 'happiness'),
    cls('f1', { variant: 'lexical', model: 'm1' }, 'happiness', 'sadness'),
  ];
  const all = collect(records).groups;
  assert.deepEqual(all.map((g) => [g.key, g.coords]), [
    ['classify/classification[model=m1,variant=lexical]', { model: 'm1', variant: 'lexical' }],
    ['classify/classification[model=m1,variant=numeric]', { model: 'm1', variant: 'numeric' }],
    ['classify/classification[model=m2,variant=lexical]', { model: 'm2', variant: 'lexical' }],
  ]);
  assert.equal(all.every((g) => g.items.ids === undefined), true, 'one row per id: no clusters');
  const byModel = collect(records, { by: ['model'] }).groups;
  assert.deepEqual(byModel.map((g) => [g.key, g.items.keys, g.items.ids]), [
    ['classify/classification[model=m1]', ['f1|variant=lexical', 'f1|variant=numeric'], ['f1', 'f1']],
    ['classify/classification[model=m2]', ['f2|variant=lexical'], undefined],
  ]);
  // Coordinates follow the order `by` lists them in.
  const ordered = collect(records, { by: ['variant', 'model'] }).groups.map((g) => Object.keys(g.coords).join(','));
  assert.deepEqual([...new Set(ordered)], ['variant,model']);
  assert.equal(collect(records, { by: ['variant', 'model'] }).groups[0].key, 'classify/classification[variant=lexical,model=m1]');
});

test('labels: normalised, in the label set\'s order first, unknown ones after by name; answers become codes or −1', () => {
  const { groups } = collect([
    cls('a', {}, ' Happiness ', 'happiness', { labelSet: 'basic7' }),
    cls('b', {}, 'sadness', 'zeal', { labelSet: 'basic7' }),
    cls('c', {}, 'anger', null, { labelSet: 'basic7' }),
    cls('d', {}, 'anger', '', { labelSet: 'basic7' }),
    cls('e', {}, 'anger', 'anger', { labelSet: 'basic7', valid: false }),
    cls('f', {}, 'happiness', 'awe', { labelSet: 'basic7', valence: '0.5', arousal: 'x' }),
  ]);
  const [g] = groups;
  assert.equal(g.labelSet, 'basic7');
  assert.ok(g.items.kind === 'classification');
  if (g.items.kind !== 'classification') return;
  assert.deepEqual(g.items.labels, ['happiness', 'sadness', 'anger', 'awe', 'zeal']);
  assert.deepEqual(g.items.truth, [0, 1, 2, 2, 2, 0]);
  assert.deepEqual(g.items.pred, [0, 4, -1, -1, -1, 3]);
  assert.deepEqual([g.items.valence.at(-1), g.items.arousal.at(-1)], [0.5, null], 'numeric strings are numbers; other strings are not');
});

test('without one label set, labels are ordered by name and no set is recorded', () => {
  const { groups } = collect([cls('a', {}, 'sadness', 'anger', { labelSet: 'basic7' }), cls('b', {}, 'anger', 'anger', { labelSet: 'other' })]);
  assert.equal(groups[0].labelSet, undefined);
  assert.ok(groups[0].items.kind === 'classification' && groups[0].items.labels.join() === 'anger,sadness');
});

test('multi-label: a multi-label set, a list answer or a truth of several labels; duplicates removed, an empty list is a valid answer', () => {
  const single = collect([cls('a', {}, 'anger', ['anger', 'Anger']), cls('b', {}, 'fear', [])]).groups[0].items;
  assert.equal(single.kind, 'multilabel');
  if (single.kind !== 'multilabel') return;
  assert.deepEqual(single.truth, [[0], [1]]);
  assert.deepEqual(single.pred, [[0], []]);
  assert.equal(single.classCount, 2);
  const truthMany = collect([cls('a', {}, ['anger', 'fear'], 'anger')]).groups[0].items;
  assert.equal(truthMany.kind, 'multilabel');
  const emotic = collect([cls('a', {}, 'peace', 'peace', { labelSet: 'emotic26' })]).groups[0].items;
  assert.ok(emotic.kind === 'multilabel' && emotic.classCount === 26, 'Hamming loss counts the whole label space');
});

test('similarity records: scores as numbers or null, embedders from the record or its coordinates, ratings by dotted path', () => {
  const sim = (id: string, similarity: Record<string, unknown>, extra: Record<string, unknown> = {}, coords: Record<string, string> = {}): FlowRecord =>
    ({ id, node: 'scores', coords, similarity, ...extra });
  const { groups } = collect([
    sim('b', { raw: 0.5, nullMean: '0.25', z: 'n/a', percentile: 60 }, { embedder: 'use', ratings: { human: '4' } }),
    sim('a', { raw: 0.9, nullMean: 0.1, z: 2, percentile: 95 }, { ratings: { human: 5 } }, { embedder: 'glove' }),
    sim('c', { raw: null }, { ratings: 3 }, {}),
  ], { by: [], humanRatingField: 'ratings.human' });
  const [g] = groups;
  assert.equal(g.key, 'scores/similarity[]');
  assert.deepEqual(g.items, {
    kind: 'similarity', keys: ['a|embedder=glove', 'b', 'c'], embedders: ['glove', 'use'],
    raw: [0.9, 0.5, null], nullMean: [0.1, 0.25, null], z: [2, null, null], percentile: [95, 60, null], rating: [5, 4, null],
  });
  const noRating = collect([sim('a', { raw: 0.9 })]).groups[0].items;
  assert.equal('rating' in noRating, false);
});

test('VA records: extracted values with the annotation where there is one', () => {
  const { groups } = collect([
    { id: 'b', node: 'faces', coords: {}, valence: 0.2, arousal: -0.1 },
    { id: 'a', node: 'faces', coords: {}, valence: 0.5, arousal: 0.3, annotated: { valence: 0.4, arousal: '0.2' } },
  ]);
  assert.deepEqual(groups[0].items, { kind: 'va', keys: ['a', 'b'], valence: [0.5, 0.2], arousal: [0.3, -0.1], annotatedValence: [0.4, null], annotatedArousal: [0.2, null] });
});

test('the result does not depend on arrival order, duplicates included', () => {
  const records = [
    cls('x', { model: 'm1', variant: 'v1' }, 'anger', 'fear'),
    cls('x', { model: 'm1', variant: 'v2' }, 'anger', 'anger'),
    cls('x', { model: 'm1', variant: 'v2' }, 'anger', 'sadness'),
    cls('a', { model: 'm1', variant: 'v1' }, 'fear', 'fear'),
    { id: 'x', node: 'scores', coords: { model: 'm1' }, similarity: { raw: 0.2 } },
    { id: 'x', node: 'scores', coords: { model: 'm1' }, similarity: { raw: 0.7 } },
    { id: 'v', node: 'faces', coords: {}, valence: 0.1, arousal: 0.1 },
    { id: 'v', node: 'faces', coords: {}, valence: 0.3, arousal: 0.1 },
  ];
  const reference = JSON.stringify(collect(records, { by: ['model'] }));
  for (const order of [[...records].reverse(), records.map((_, i) => records[(i * 3) % records.length])]) {
    assert.equal(JSON.stringify(collect(order, { by: ['model'] })), reference);
  }
  const parsed = JSON.parse(reference) as { groups: { items: { keys: string[]; pred?: number[]; raw?: number[]; valence?: number[] } }[] };
  const [classGroup, scoreGroup, faceGroup] = [parsed.groups.find((g) => g.items.pred), parsed.groups.find((g) => g.items.raw), parsed.groups.find((g) => g.items.valence && !g.items.pred)];
  assert.deepEqual(classGroup!.items.keys, ['a|variant=v1', 'x|variant=v1', 'x|variant=v2', 'x|variant=v2']);
  assert.deepEqual(scoreGroup!.items.raw, [0.2, 0.7]);
  assert.deepEqual(faceGroup!.items.valence, [0.1, 0.3]);
});

test('numbers: a blank or empty string is no number (null, not 0); a numeric string with spaces is one', () => {
  const { groups } = collect([
    cls('a', {}, 'anger', 'anger', { valence: '', arousal: '  ' }),
    cls('b', {}, 'anger', 'anger', { valence: ' 0.25 ', arousal: '\t' }),
  ]);
  const items = groups[0].items;
  assert.ok(items.kind === 'classification');
  if (items.kind !== 'classification') return;
  assert.deepEqual([items.valence, items.arousal], [[null, 0.25], [null, null]]);
  const ratings = collect([
    { id: 'a', node: 'scores', coords: {}, similarity: { raw: 0.5 }, rating: '' },
    { id: 'b', node: 'scores', coords: {}, similarity: { raw: '   ' }, rating: ' ' },
  ], { by: null, humanRatingField: 'rating' }).groups[0].items;
  assert.ok(ratings.kind === 'similarity');
  if (ratings.kind !== 'similarity') return;
  assert.deepEqual([ratings.raw, ratings.rating], [[0.5, null], [null, null]], 'a blank rating is left out of rho, not a rating of 0');
});

test('a dotted rating path through a missing, null or non-object field gives no rating, and never throws', () => {
  const sim = (id: string, extra: Record<string, unknown>): FlowRecord => ({ id, node: 'scores', coords: {}, similarity: { raw: 0.5 }, ...extra });
  const { groups } = collect([
    sim('a', {}),
    sim('b', { ratings: null }),
    sim('c', { ratings: 'high' }),
    sim('d', { ratings: { human: { score: 2 } } }),
    sim('e', { ratings: { human: '3' } }),
  ], { by: null, humanRatingField: 'ratings.human' });
  const items = groups[0].items;
  assert.ok(items.kind === 'similarity');
  assert.deepEqual(items.kind === 'similarity' && items.rating, [null, null, null, null, 3]);
});

test('a labelSet that is not a name is ignored: the group keeps the one named set and its label order', () => {
  const { groups } = collect([
    cls('a', {}, 'sadness', 'anger', { labelSet: 'basic7' }),
    cls('b', {}, 'anger', 'anger', { labelSet: 42 }),
    cls('c', {}, 'happiness', 'anger'),
  ]);
  assert.equal(groups[0].labelSet, 'basic7');
  assert.ok(groups[0].items.kind === 'classification' && groups[0].items.labels.join() === 'happiness,sadness,anger');
});

test('multi-label: an empty string is no answer (invalid), an empty list is the answer "no category"', () => {
  const items = collect([
    cls('a', {}, ['anger', 'fear'], ''),
    cls('b', {}, ['anger'], []),
    cls('c', {}, ['fear'], '  '),
  ]).groups[0].items;
  assert.equal(items.kind, 'multilabel');
  assert.deepEqual(items.kind === 'multilabel' && items.pred, [null, [], null]);
});

test('multi-label detection: one truth of several labels makes the whole group multi-label, wherever it is', () => {
  for (const records of [
    [cls('a', {}, 'anger', 'anger'), cls('b', {}, ['anger', 'fear'], 'fear')],
    [cls('a', {}, ['anger', 'fear'], 'anger'), cls('b', {}, 'fear', 'fear'), cls('c', {}, 'anger', 'fear')],
  ]) {
    const items = collect(records).groups[0].items;
    assert.equal(items.kind, 'multilabel');
  }
  assert.equal(collect([cls('a', {}, 'anger', 'anger'), cls('b', {}, ['fear'], 'fear')]).groups[0].items.kind, 'classification', 'a list of one label is single-label');
});

test('VA records: `annotated: null` or a non-object annotation means no annotation', () => {
  const { groups } = collect([
    { id: 'a', node: 'faces', coords: {}, valence: 0.5, arousal: 0.3, annotated: null },
    { id: 'b', node: 'faces', coords: {}, valence: 0.1, arousal: 0.2, annotated: 'n/a' },
  ]);
  assert.deepEqual(groups[0].items, { kind: 'va', keys: ['a', 'b'], valence: [0.5, 0.1], arousal: [0.3, 0.2], annotatedValence: [null, null], annotatedArousal: [null, null] });
});
