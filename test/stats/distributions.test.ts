/**
 * The numerical building blocks against independent references (scipy 1.17 special functions, and
 * a Python transcription of mulberry32 and FNV-1a from their published definitions), plus the
 * bootstrap primitives' contracts: which units a resample draws and when there is no interval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betaCdf, betaQuantile, logGamma, studentTCdf, studentTQuantile } from '../../src/stats/beta.js';
import { normalQuantile } from '../../src/stats/normal.js';
import { createRng, deriveSeed } from '../../src/stats/prng.js';
import { bootstrapIntervals, expandedTail, percentileInterval, resampler, resampleUnits } from '../../src/stats/bootstrap.js';
import { mean, median } from '../../src/stats/descriptive.js';

const near = (actual: number, expected: number, eps: number, what: string) => assert.ok(Math.abs(actual - expected) < eps, `${what}: ${actual} vs ${expected}`);

test('log Γ below 1/2 (the reflection formula) matches scipy.special.gammaln', () => {
  near(logGamma(0.25), 1.2880225246980774, 1e-12, 'lnΓ(0.25)');
  near(logGamma(0.1), 2.252712651734206, 1e-12, 'lnΓ(0.1)');
  near(logGamma(0.4), 0.7966778177017838, 1e-12, 'lnΓ(0.4)');
  // Near 0 the Lanczos series alone drifts (3e-11 at 1e-6); the reflection keeps full precision.
  near(logGamma(1e-6), 13.81550998074943, 1e-12, 'lnΓ(1e-6)');
  near(logGamma(1e-9), 20.723265836369194, 1e-12, 'lnΓ(1e-9)');
});

test('the beta CDF on both sides of its continued-fraction switch matches scipy.special.betainc; bad parameters are named', () => {
  near(betaCdf(0.5, 2, 5), 0.890625, 1e-12, 'I(0.5; 2, 5)');
  near(betaCdf(0.45, 2, 5), 0.8364325781249999, 1e-12, 'I(0.45; 2, 5)');
  near(betaCdf(0.4, 0.7, 3.2), 0.8757637706225535, 1e-12, 'I(0.4; 0.7, 3.2)');
  assert.throws(() => betaCdf(0.5, 0, 1), (e: unknown) => e instanceof RangeError && e.message === 'beta parameters must be positive, got a = 0, b = 1');
  assert.throws(() => betaCdf(0.5, 1, 0), (e: unknown) => e instanceof RangeError && e.message === 'beta parameters must be positive, got a = 1, b = 0');
  // Outside [0, 1] the CDF is 0 or 1, not NaN.
  assert.equal(betaCdf(-0.1, 2, 3), 0);
  assert.equal(betaCdf(1.5, 2, 3), 1);
});

test('beta and t quantiles are exact at their ends and centre', () => {
  assert.equal(betaQuantile(0, 2, 3), 0);
  assert.equal(betaQuantile(1, 2, 3), 1);
  assert.equal(studentTQuantile(0.5, 4), 0);
});

test('Student t: CDF and quantiles on both sides of zero match scipy.stats.t', () => {
  near(studentTCdf(-2, 5), 0.050969739414929174, 1e-12, 'T5(−2)');
  near(studentTCdf(2, 5), 0.9490302605850708, 1e-12, 'T5(2)');
  near(studentTQuantile(0.025, 5), -2.5705818356363155, 1e-9, 't5(0.025)');
  near(studentTQuantile(0.975, 5), 2.5705818356363146, 1e-9, 't5(0.975)');
});

test('the normal quantile refuses p outside (0, 1) and says what it got', () => {
  for (const p of [0, 1, -0.5, Number.NaN]) assert.throws(() => normalQuantile(p), (e: unknown) => e instanceof RangeError && e.message === `normal quantile needs 0 < p < 1, got ${p}`);
});

test('mulberry32 and the FNV-1a seed derivation give the published sequences (reproducible on every machine)', () => {
  const rng = createRng(42);
  assert.deepEqual([rng.next(), rng.next(), rng.next(), rng.next()], [0.4813160905614495, 0.9852536325342953, 0.7379171899519861, 0.6130663156509399]);
  assert.equal(deriveSeed(42, 'classify[model=gpt]'), 702346154);
  assert.equal(deriveSeed(7, 'ab'), 1730342945);
});

test('mean and median of nothing are undefined with a reason', () => {
  assert.deepEqual(mean([]), { value: null, reason: 'no values' });
  assert.deepEqual(median([]), { value: null, reason: 'no values' });
});

test('a resample draws items, or whole clusters: every row of each drawn id, as many ids as there are', () => {
  assert.equal(resampleUnits(4, null), 4);
  assert.equal(resampleUnits(4, [0, 0, 1, 1]), 2);
  const plain = resampler(5, null, createRng(1));
  for (let r = 0; r < 50; r++) {
    const pick = plain();
    assert.equal(pick.length, 5);
    assert.ok(pick.every((i) => i >= 0 && i < 5));
  }
  // Ids of 3 rows and 1 row: a resample is two draws of ids, each bringing all its rows.
  const clusters = [0, 1, 0, 0];
  const draw = resampler(4, clusters, createRng(2));
  const lengths = new Set<number>();
  for (let r = 0; r < 200; r++) {
    const pick = [...draw()];
    lengths.add(pick.length);
    const big = pick.filter((i) => clusters[i] === 0);
    assert.equal(big.length % 3, 0, `rows of id 0 come three at a time: ${pick}`);
    assert.deepEqual(big.filter((i) => i === 0).length, big.length / 3);
    assert.ok(pick.every((i) => i >= 0 && i < 4));
  }
  assert.deepEqual([...lengths].sort(), [2, 4, 6], 'two ids drawn: 1+1, 3+1 or 3+3 rows');
});

test('bootstrap intervals: none for an empty group or one unit, one from two units on; undefined resamples are left out', () => {
  const stat = (values: number[]) => (idx: Int32Array) => ({ m: idx.length ? idx.reduce((s, i) => s + values[i], 0) / idx.length : null });
  const options = { resamples: 200, confidence: 0.95, seed: 4, clusters: null };
  assert.deepEqual(bootstrapIntervals({ ...options, n: 0 }, ['m'], stat([])), { m: { ci: null, reason: 'empty group' } });
  assert.deepEqual(bootstrapIntervals({ ...options, n: 1 }, ['m'], stat([1])), { m: { ci: null, reason: 'one item: no interval' } });
  assert.deepEqual(bootstrapIntervals({ ...options, n: 4, clusters: [0, 0, 0, 0] }, ['m'], stat([1, 2, 3, 4])).m.ci, null, 'one id: one unit');
  const two = bootstrapIntervals({ ...options, n: 2 }, ['m'], stat([1, 3]));
  assert.deepEqual(two.m.ci, [1, 3]);
  // A statistic that is NaN in some resamples: those resamples are not values.
  let calls = 0;
  const flaky = bootstrapIntervals({ ...options, n: 3 }, ['m'], () => ({ m: calls++ % 4 === 0 ? Number.NaN : 0.5 }));
  assert.deepEqual(flaky.m.ci, [0.5, 0.5]);
});

test('percentile intervals: undefined when the statistic was undefined in more than half the resamples', () => {
  assert.deepEqual(percentileInterval([0.1, 0.2, 0.3], { resamples: 10, confidence: 0.95, units: 10 }), { ci: null, reason: 'statistic undefined in 7 of 10 resamples' });
  const half = percentileInterval([0.1, 0.2, 0.3, 0.4, 0.5], { resamples: 10, confidence: 0.95, units: 10 });
  assert.ok(half.ci !== null, 'exactly half defined still gives an interval');
});

test('the expanded tail: far below α/2 at two units, α/2 for one unit (no expansion possible)', () => {
  assert.ok(expandedTail(0.95, 2) < 0.001, `${expandedTail(0.95, 2)}`);
  assert.equal(expandedTail(0.95, 1), 0.025000000000000022);
});
