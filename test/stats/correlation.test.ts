import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, concordance, pearson, rmse, spearman } from '../../src/stats/correlation.js';

const close = (actual: number | null, expected: number, eps = 1e-6) => assert.ok(actual !== null && Math.abs(actual - expected) < eps, `expected ${expected}, got ${actual}`);

test('average ranks share ties', () => {
  assert.deepEqual([...averageRanks([5, 6, 7, 8, 7])], [1, 2, 3.5, 5, 3.5]);
});

test('Spearman with ties, hand-worked', () => {
  // ranks x: 1..5; ranks y: [1, 2, 3.5, 5, 3.5]; deviations from 3: dx [-2,-1,0,1,2], dy [-2,-1,0.5,2,0.5]
  // Σdx·dy = 4+1+0+2+1 = 8; Σdx² = 10; Σdy² = 9.5 → rho = 8/√95 = 0.8207827
  close(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).value, 8 / Math.sqrt(95));
});

test('Lin CCC, Pearson and RMSE on a shifted copy', () => {
  // x = [1,2,3], y = x + 1: r = 1; population variances 2/3, covariance 2/3;
  // CCC = 2·(2/3) / (2/3 + 2/3 + 1²) = (4/3)/(7/3) = 4/7; RMSE = 1
  close(pearson([1, 2, 3], [2, 3, 4]).value, 1);
  close(concordance([1, 2, 3], [2, 3, 4]).value, 4 / 7);
  close(rmse([1, 2, 3], [2, 3, 4]).value, 1);
});

test('undefined cases carry reasons', () => {
  const constant = pearson([1, 1, 1], [1, 2, 3]);
  assert.equal(constant.value, null);
  assert.match(constant.reason!, /constant/);
  assert.match(spearman([1], [2]).reason!, /at least 2/);
  assert.equal(rmse([], []).value, null);
  assert.throws(() => pearson([1, 2], [1]), RangeError);
});

test('each statistic says why it is undefined: too few pairs, a constant variable, constant and equal', () => {
  assert.deepEqual(pearson([1], [2]), { value: null, reason: 'needs at least 2 pairs, got 1' });
  assert.deepEqual(concordance([1], [2]), { value: null, reason: 'needs at least 2 pairs, got 1' });
  assert.deepEqual(spearman([3], [2]), { value: null, reason: 'needs at least 2 pairs, got 1' });
  assert.deepEqual(rmse([], []), { value: null, reason: 'needs at least 1 pairs, got 0' });
  assert.deepEqual(pearson([1, 2, 3], [4, 4, 4]), { value: null, reason: 'correlation undefined: one variable is constant' });
  assert.deepEqual(concordance([2, 2], [2, 2]), { value: null, reason: 'concordance undefined: both variables constant and equal' });
  assert.deepEqual(concordance([2, 2], [3, 3]), { value: 0 }, 'constant but different: no agreement');
  // The minimum is enough.
  assert.equal(pearson([1, 2], [3, 5]).value, 1);
  assert.equal(rmse([1], [1.5]).value, 0.5);
  assert.throws(() => rmse([1, 2], [1]), (e: unknown) => e instanceof RangeError && e.message === 'paired samples differ in length: 2 vs 1');
});
