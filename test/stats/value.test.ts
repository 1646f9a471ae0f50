import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defined, formatEstimate, formatNumber, ratio, undefinedBecause } from '../../src/stats/value.js';
import { compareText } from '../../src/stats/stable-order.js';

test('a non-finite number is an undefined value with a reason, never NaN', () => {
  assert.deepEqual(defined(0.25), { value: 0.25 });
  for (const bad of [Number.NaN, Infinity, -Infinity]) assert.deepEqual(defined(bad), { value: null, reason: 'not a finite number' });
  assert.deepEqual(ratio(1, 4, 'x'), { value: 0.25 });
  assert.deepEqual(ratio(1, 0, 'no items'), { value: null, reason: 'no items' });
  assert.deepEqual(undefinedBecause('why'), { value: null, reason: 'why' });
});

test('tables print n/a for undefined numbers and estimates, and intervals in brackets', () => {
  assert.equal(formatNumber(0.12345), '0.123');
  assert.equal(formatNumber(2, 1), '2.0');
  assert.equal(formatNumber(0), '0.000');
  for (const bad of [null, undefined, Number.NaN, Infinity]) assert.equal(formatNumber(bad), 'n/a');
  assert.equal(formatEstimate(undefined), 'n/a');
  assert.equal(formatEstimate({ value: null, reason: 'empty', ci: null }), 'n/a');
  assert.equal(formatEstimate({ value: 0.5, ci: null, ciReason: 'one item' }), '0.500');
  assert.equal(formatEstimate({ value: 0.5, ci: [0.1234, 0.9], method: 'clopper-pearson' }, 2), '0.50 [0.12, 0.90]');
});

test('compareText: code-unit order, the same on every machine (no locale); null first; equal is 0', () => {
  assert.equal(compareText('a', 'a'), 0);
  assert.equal(compareText(null, null), 0);
  assert.equal(compareText(null, ''), -1);
  assert.equal(compareText('', null), 1);
  assert.equal(compareText('a', 'b'), -1);
  assert.equal(compareText('b', 'a'), 1);
  // Code units, not a locale's collation: upper case before lower case, accented letters after z.
  assert.deepEqual(['é', 'b', 'B', 'a', 'z', 'ab'].sort(compareText), ['B', 'a', 'ab', 'b', 'z', 'é']);
  assert.deepEqual(['x', null, 'a', null].sort(compareText), [null, null, 'a', 'x']);
});
