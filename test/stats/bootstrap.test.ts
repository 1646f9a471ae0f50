import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapIntervals, expandedTail, percentileInterval } from '../../src/stats/bootstrap.js';
import { studentTQuantile } from '../../src/stats/beta.js';
import { createRng, deriveSeed } from '../../src/stats/prng.js';
import { holmAdjust } from '../../src/stats/multiple-testing.js';

// 0.8 on average, with distinct values so that intervals from different seeds differ.
const data = Array.from({ length: 80 }, (_, i) => (i % 5 === 0 ? 0 : 1) + ((i * 37) % 11) / 1000 - 0.005);
const meanOf = (idx: Int32Array) => {
  let s = 0;
  for (const i of idx) s += data[i];
  return { mean: s / idx.length };
};

test('same seed, same intervals; another seed, other intervals', () => {
  const a = bootstrapIntervals({ n: data.length, resamples: 1000, confidence: 0.95, seed: 7 }, ['mean'], meanOf);
  const b = bootstrapIntervals({ n: data.length, resamples: 1000, confidence: 0.95, seed: 7 }, ['mean'], meanOf);
  const c = bootstrapIntervals({ n: data.length, resamples: 1000, confidence: 0.95, seed: 8 }, ['mean'], meanOf);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const ci = a.mean.ci!;
  // true mean 0.8; the 95% interval brackets it and is about ±1.96·√(0.16/80) ≈ ±0.088 wide
  assert.ok(ci[0] < 0.8 && ci[1] > 0.8, `ci ${ci}`);
  assert.ok(ci[1] - ci[0] > 0.1 && ci[1] - ci[0] < 0.25, `width ${ci[1] - ci[0]}`);
});

test('a statistic undefined in most resamples has no interval, with a reason', () => {
  const r = bootstrapIntervals({ n: 10, resamples: 1000, confidence: 0.95, seed: 1 }, ['x'], () => ({ x: null }));
  assert.equal(r.x.ci, null);
  assert.match(r.x.reason!, /undefined in 1000 of 1000/);
  const empty = bootstrapIntervals({ n: 0, resamples: 1000, confidence: 0.95, seed: 1 }, ['x'], () => ({ x: 1 }));
  assert.match(empty.x.reason!, /empty/);
});

test('percentile interval interpolates order statistics', () => {
  const values = Array.from({ length: 101 }, (_, i) => i);
  // Many units: no expansion. h = 100 · 0.05 = 5 and 100 · 0.95 = 95: exact order statistics.
  const ci = percentileInterval(values, { resamples: 101, confidence: 0.9, units: 1e7 }).ci!;
  assert.ok(Math.abs(ci[0] - 5) < 1e-9 && Math.abs(ci[1] - 95) < 1e-9, `ci ${ci}`);
  // 20 units at 95%: the expanded tail 0.015880829920347974 → h = 100 · 0.01588 = 1.588.
  const small = percentileInterval(values, { resamples: 101, confidence: 0.95, units: 20 }).ci!;
  assert.ok(Math.abs(small[0] - 1.5880829920347974) < 1e-6 && Math.abs(small[1] - 98.41191700796520) < 1e-6, `ci ${small}`);
});

test('expanded percentile tails against scipy: Φ(−√(n/(n−1))·t(0.975, n−1))', () => {
  // scipy: norm.cdf(-sqrt(n/(n-1)) * t.ppf(0.975, n-1))
  const expected: [number, number][] = [[5, 0.0009541005518824907], [20, 0.015880829920347974], [50, 0.02117941121137757], [200, 0.024026184770620417]];
  for (const [n, tail] of expected) assert.ok(Math.abs(expandedTail(0.95, n) - tail) < 1e-7, `n = ${n}: ${expandedTail(0.95, n)}`);
  assert.ok(Math.abs(studentTQuantile(0.975, 19) - 2.0930240544083087) < 1e-9);
  assert.ok(Math.abs(studentTQuantile(0.975, 1) - 12.706204736174694) < 1e-7);
  assert.ok(Math.abs(expandedTail(0.95, 1) - 0.025) < 1e-15);
});

test('PRNG: deterministic, in range; derived seeds differ by name', () => {
  const r1 = createRng(42);
  const r2 = createRng(42);
  const xs = Array.from({ length: 1000 }, () => r1.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => r2.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(m - 0.5) < 0.05);
  assert.notEqual(deriveSeed(42, 'a'), deriveSeed(42, 'b'));
  assert.equal(deriveSeed(42, 'a'), deriveSeed(42, 'a'));
});

const rounded = (ps: number[]) => ps.map((p) => Number(p.toFixed(10)));

test('Holm adjustment, hand-worked', () => {
  // sorted p: 0.01, 0.02, 0.04 (m = 3) → 0.03, max(0.03, 0.04) = 0.04, max(0.04, 0.04) = 0.04
  assert.deepEqual(rounded(holmAdjust([0.04, 0.01, 0.02])), [0.04, 0.03, 0.04]);
});

test('Holm: the step-down maximum keeps adjusted p monotone in the raw p', () => {
  // sorted: 0.01·4 = 0.04; 0.03·3 = 0.09; 0.04·2 = 0.08 → raised to 0.09 by the running maximum; 0.5·1 = 0.5
  assert.deepEqual(rounded(holmAdjust([0.5, 0.04, 0.01, 0.03])), [0.5, 0.09, 0.04, 0.09]);
});

test('Holm: adjusted p never exceeds 1', () => {
  // 0.6·2 = 1.2 → 1; then 0.7·1 = 0.7 → raised to 1 by the running maximum
  assert.deepEqual(holmAdjust([0.7, 0.6]), [1, 1]);
  assert.deepEqual(holmAdjust([]), []);
});
