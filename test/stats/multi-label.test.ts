import { test } from 'node:test';
import assert from 'node:assert/strict';
import { multiLabelMetrics } from '../../src/stats/multi-label.js';

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);

test('hand-computed exact match, Jaccard, Hamming, micro- and macro-F1', () => {
  // labels 0..3 (L = 4)
  // item 1: T {0,1}  P {0,1}   exact, J = 1,    |Δ| = 0
  // item 2: T {0,2}  P {0}     J = 1/2,         |Δ| = 1
  // item 3: T {3}    P {1}     J = 0,           |Δ| = 2
  // exact = 1/3; Jaccard = 1.5/3 = 0.5; Hamming = 3/(3·4) = 0.25
  // TP: c0 2, c1 1; FP: c1 1; FN: c2 1, c3 1 → micro F1 = 2·3/(6+1+2) = 6/9
  // per class F1: c0 = 4/4 = 1, c1 = 2/(2+1) = 2/3, c2 = 0, c3 = 0 → macro = (1 + 2/3)/4 = 5/12
  const m = multiLabelMetrics({ truth: [[0, 1], [0, 2], [3]], pred: [[0, 1], [0], [1]], classCount: 4 });
  close(m.exactMatch.value, 1 / 3);
  close(m.jaccard.value, 0.5);
  close(m.hamming.value, 0.25);
  close(m.microF1.value, 6 / 9);
  close(m.macroF1.value, 5 / 12);
  close(m.invalidRate.value, 0);
});

test('all answers invalid: scored as empty sets, wrong, invalid rate 1', () => {
  const m = multiLabelMetrics({ truth: [[0], [1, 2]], pred: [null, null], classCount: 3 });
  assert.equal(m.exactMatch.value, 0);
  assert.equal(m.jaccard.value, 0);
  close(m.hamming.value, 3 / 6);
  assert.equal(m.microF1.value, 0);
  assert.equal(m.macroF1.value, 0);
  assert.equal(m.invalidRate.value, 1);
});

test('an empty group: every metric undefined with a reason', () => {
  const m = multiLabelMetrics({ truth: [], pred: [], classCount: 3 });
  for (const v of Object.values(m)) {
    assert.equal(v.value, null);
    assert.match(v.reason!, /empty group/);
  }
});

test('macro-F1 leaves out labels of the label space that are neither true nor predicted', () => {
  // The items of the first test in a label space of 6 (labels 4 and 5 never appear): macro-F1 is
  // still (1 + 2/3 + 0 + 0)/4; Hamming loss, which is per label slot, divides by 6.
  const m = multiLabelMetrics({ truth: [[0, 1], [0, 2], [3]], pred: [[0, 1], [0], [1]], classCount: 6 });
  close(m.macroF1.value, 5 / 12);
  close(m.hamming.value, 3 / 18);
});

test('an empty group has every metric, each undefined (not an empty result)', () => {
  const m = multiLabelMetrics({ truth: [[0]], pred: [[0]], classCount: 3 }, []);
  const none = { value: null, reason: 'empty group: no items' };
  assert.deepEqual(m, { exactMatch: none, jaccard: none, hamming: none, microF1: none, macroF1: none, invalidRate: none });
});

test('an empty answer to an empty truth matches exactly; a superset of the truth does not', () => {
  const m = multiLabelMetrics({ truth: [[], [0]], pred: [[], [0, 1]], classCount: 2 });
  assert.equal(m.jaccard.value, (1 + 1 / 2) / 2);
  assert.equal(m.exactMatch.value, 0.5);
});

test('no label at all: Hamming needs a label space, F1 needs a label', () => {
  const m = multiLabelMetrics({ truth: [[]], pred: [[]], classCount: 0 });
  assert.deepEqual(m.hamming, { value: null, reason: 'empty label space' });
  assert.deepEqual(m.microF1, { value: null, reason: 'no labels in the truth or the predictions' });
  assert.deepEqual(m.macroF1, { value: null, reason: 'no labels in the truth or the predictions' });
  assert.equal(m.exactMatch.value, 1);
});
