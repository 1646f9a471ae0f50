import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupingOf, RecordGrouper } from '../../src/stats/record-grouping.js';
import type { FlowRecord } from '../../src/types/records.js';
import { allRecords } from '../nodes/aggregate/fixtures.js';

test('RecordGrouper gives every record the grouping groupingOf gives it, whatever records came before', () => {
  const tricky: FlowRecord[] = [
    // The same coordinates in another key order; values and axes that could run together if joined naively.
    { id: 'x', node: 'classify', coords: { variant: 'v', model: 'm' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'x', node: 'classify', coords: { model: 'm', variant: 'v' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'y', node: 'classify', coords: { model: 'a=b', variant: 'c' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'y', node: 'classify', coords: { model: 'a', variant: 'b=c' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'v', node: 'classify', coords: { a: 'bc' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'v', node: 'classify', coords: { ab: 'c' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'u', node: 'classify', coords: { model: 'm' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'u', node: 'other-classify', coords: { model: 'm' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'z', node: 'classify1', coords: { '2': 'x' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'z', node: 'classify12', coords: { '': 'x' }, label: 'fear', prediction: 'fear', valid: true },
    { id: 'w', node: 'classify', coords: {}, label: 'fear', prediction: 'fear', valid: true },
    { id: 'w', node: 'classify', label: 'fear', prediction: 'fear', valid: true } as unknown as FlowRecord,
    { id: 'w', node: 'classify', coords: { model: 'm' }, text: 'no family' },
  ];
  const records = [...allRecords(), ...tricky];
  for (const by of [null, ['model'], ['variant', 'model'], []]) {
    const grouper = new RecordGrouper(by);
    for (const pass of [1, 2]) {
      for (const record of records) assert.deepEqual(grouper.of(record), groupingOf(record, by), `${JSON.stringify(record).slice(0, 120)}, by ${JSON.stringify(by)}, pass ${pass}`);
    }
  }
});
