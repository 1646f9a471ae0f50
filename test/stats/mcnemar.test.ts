import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mcnemarClustered, mcnemarExact, mcnemarExactP } from '../../src/stats/mcnemar.js';

test('exact McNemar, hand-worked: b = 10, c = 3', () => {
  // n = 13 discordant pairs; P(X ≤ 3) for X ~ Bin(13, 1/2):
  // C(13,0)+C(13,1)+C(13,2)+C(13,3) = 1 + 13 + 78 + 286 = 378; 2^13 = 8192
  // p = 2 · 378 / 8192 = 756/8192 = 0.0922851562
  assert.ok(Math.abs(mcnemarExactP(10, 3) - 756 / 8192) < 1e-12);
});

test('balanced discordance gives p = 1 (capped), none gives p = 1', () => {
  // b = c = 2: 2·(1+4+6)/16 = 22/16 → capped at 1
  assert.equal(mcnemarExactP(2, 2), 1);
  assert.equal(mcnemarExactP(0, 0), 1);
});

test('large counts do not underflow', () => {
  const p = mcnemarExactP(700, 600);
  assert.ok(p > 0 && p < 0.01, `p = ${p}`);
});

test('from paired outcomes: counts, accuracy difference and odds ratio', () => {
  // A right/B wrong on items 0,1,2; A wrong/B right on item 3; both right on 4; both wrong on 5.
  const a = [1, 1, 1, 0, 1, 0];
  const b = [0, 0, 0, 1, 1, 0];
  const r = mcnemarExact(a, b);
  assert.equal(r.b, 3);
  assert.equal(r.c, 1);
  // p = 2·(C(4,0)+C(4,1))/16 = 10/16
  assert.equal(r.p, 10 / 16);
  assert.equal(r.difference.value, 2 / 6);
  assert.equal(r.oddsRatio.value, 3);
});

test('odds ratio undefined when c = 0', () => {
  const r = mcnemarExact([1, 1], [0, 1]);
  assert.equal(r.oddsRatio.value, null);
  assert.match(r.oddsRatio.reason!, /c = 0/);
});

test('balanced discordance is not "no discordant pair"; an empty comparison has no difference', () => {
  const balanced = mcnemarExact([true, true, false, false], [false, false, true, true]);
  assert.deepEqual([balanced.b, balanced.c, balanced.p, balanced.degenerate], [2, 2, 1, undefined]);
  const none = mcnemarExact([], []);
  assert.deepEqual(none.difference, { value: null, reason: 'no paired items' });
  assert.equal(none.degenerate, 'no discordant pair: both sides right on the same items');
  assert.throws(() => mcnemarExact([true], [true, false]), (e: unknown) => e instanceof RangeError && e.message === 'paired outcomes differ in length: 1 vs 2');
});

test('clustered McNemar: balanced ids are degenerate and say why; lengths must match', () => {
  // Id 0: one pair favours A, one favours B; id 1: both right.
  const r = mcnemarClustered([true, false, true, true], [false, true, true, true], [0, 0, 1, 1]);
  assert.deepEqual([r.b, r.c, r.p, r.degenerate], [1, 1, 1, 'every item id has as many pairs favouring A as favouring B']);
  const agree = mcnemarClustered([true, false], [true, false], [0, 1]);
  assert.equal(agree.degenerate, 'no discordant pair: both sides right on the same items');
  assert.throws(() => mcnemarClustered([true, false], [true, false], [0]), (e: unknown) => e instanceof RangeError && e.message === 'clusters and outcomes differ in length: 1 vs 2');
});

test('clustered McNemar (Durkalski): X² = (Σ d_k)² / Σ d_k² against χ²(1), per item id', () => {
  // Four ids; d_k = (pairs A right, B wrong) − (pairs A wrong, B right) per id:
  // id 0: two A-only pairs (d = 2); id 1: one A-only pair and one concordant (d = 1);
  // id 2: one B-only pair (d = −1); id 3: three A-only pairs (d = 3).
  // X² = (2 + 1 − 1 + 3)² / (4 + 1 + 1 + 9) = 25/15; p = scipy.stats.chi2.sf(25/15, 1) = 0.1967056024589432.
  const a = [true, true, true, true, false, true, true, true];
  const b = [false, false, false, true, true, false, false, false];
  const clusters = [0, 0, 1, 1, 2, 3, 3, 3];
  const r = mcnemarClustered(a, b, clusters);
  assert.deepEqual([r.b, r.c, r.n, r.degenerate], [6, 1, 8, undefined]);
  assert.ok(Math.abs(r.p - 0.1967056024589432) < 1e-6, `p = ${r.p}`); // erfc's fit: 1.2e-7 relative
  // One pair per id: McNemar's (b − c)² / (b + c) = 16/6; scipy.stats.chi2.sf(16/6, 1) = 0.10247043485974942
  // (the clustered form is then the uncorrected asymptotic McNemar, not the exact test).
  const single = mcnemarClustered([1, 1, 1, 1, 1, 0, 1], [0, 0, 0, 0, 0, 1, 1], [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual([single.b, single.c], [5, 1]);
  assert.ok(Math.abs(single.p - 0.10247043485974942) < 1e-6, `p = ${single.p}`);
});
