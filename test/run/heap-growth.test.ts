import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapGrowthFlag, RUN_HEAP_GROWING_PERCENT } from '../../src/run/heap-growth.js';

test('a run limits V8 heap growth unless the command line or NODE_OPTIONS chose a value', () => {
  const ours = `--heap-growing-percent=${RUN_HEAP_GROWING_PERCENT}`;
  assert.equal(heapGrowthFlag([], undefined), ours);
  assert.equal(heapGrowthFlag(['--enable-source-maps'], '--max-old-space-size=4096'), ours);
  assert.equal(heapGrowthFlag(['--heap-growing-percent=300'], undefined), undefined);
  assert.equal(heapGrowthFlag(['--heap_growing_percent=300'], undefined), undefined);
  assert.equal(heapGrowthFlag([], '--enable-source-maps --heap-growing-percent=20'), undefined);
  assert.equal(heapGrowthFlag(['--heap-growing-percent-x'], undefined), ours, 'another flag that only starts the same');
});
