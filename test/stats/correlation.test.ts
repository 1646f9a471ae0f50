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
