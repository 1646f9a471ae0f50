import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedSample } from '../../src/stats/sorted-sample.js';
import { averageRanks } from '../../src/stats/correlation.js';
import { median } from '../../src/stats/descriptive.js';
import { createRng } from '../../src/stats/prng.js';

test('resampled median and average ranks equal sorting the resample directly (with ties)', () => {
  const rng = createRng(3);
  const values = Array.from({ length: 37 }, () => Math.round(rng.next() * 10) / 2);
  const sample = new SortedSample(values);
  for (let r = 0; r < 200; r++) {
    const n = 1 + rng.int(60);
    const pick = Array.from({ length: n }, () => rng.int(values.length));
    const picked = pick.map((i) => values[i]);
    assert.equal(sample.median(pick), median(picked).value);
    assert.deepEqual([...sample.averageRanks(pick)], [...averageRanks(picked)]);
  }
  assert.equal(sample.median([]), null);
});

test('a sorted sample knows its size', () => {
  assert.equal(new SortedSample([3, 1, 2]).size, 3);
  assert.equal(new SortedSample([]).size, 0);
});
