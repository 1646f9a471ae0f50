// Which family a record belongs to, and how records are grouped (src/stats/record-grouping.ts, shared by
// the aggregate node and the report).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyOf, groupingOf, labelList } from '../../src/stats/record-grouping.js';

test('a record\'s family comes from its fields', () => {
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, similarity: { raw: 0.5 } }), 'similarity');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, similarity: null }), null);
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, prediction: 'x' }), 'classification');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valid: false }), 'classification');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: 0.1, arousal: 0.2 }), 'va');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: 0.1, arousal: 0.2, text: 'a description' }), null);
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: 0.1, arousal: 0.2, messages: [] }), null);
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: '0.1', arousal: 0.2 }), null);
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: 0.1, arousal: '0.2' }), null);
});

test('groupingOf: the group key lists the grouped axes in `by` order (axes a record lacks left out); the item key adds the pooled ones, sorted', () => {
  const record = { id: 'f1', node: 'classify', coords: { variant: 'numeric', model: 'gpt', seed: '2', temp: '0' }, prediction: 'joy' };
  assert.deepEqual(groupingOf(record, ['variant', 'judge', 'model']), {
    family: 'classification',
    key: 'classify/classification[variant=numeric,model=gpt]',
    coords: { variant: 'numeric', model: 'gpt' },
    itemKey: 'f1|seed=2,temp=0',
  });
  assert.deepEqual(groupingOf(record, null), {
    family: 'classification',
    key: 'classify/classification[model=gpt,seed=2,temp=0,variant=numeric]',
    coords: { model: 'gpt', seed: '2', temp: '0', variant: 'numeric' },
    itemKey: 'f1',
  });
  assert.equal(groupingOf({ id: 'x', node: 'n', coords: {} }, null), null, 'a record of no family');
});

test('labelList: a blank string is no label, labels are trimmed and lower-cased, a list is deduplicated, anything else is null', () => {
  assert.deepEqual(labelList('  '), []);
  assert.deepEqual(labelList(' Joy '), ['joy']);
  assert.deepEqual(labelList(['Joy', ' joy', 'Anger']), ['joy', 'anger']);
  assert.equal(labelList(['joy', 3]), null);
  assert.equal(labelList(42), null);
});
