import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inRange, rescaleToUnit } from '../../src/va/rescale.js';

test('rescaleToUnit maps [min, max] linearly onto [-1, 1], ends exactly', () => {
  assert.equal(rescaleToUnit(1, [1, 9]), -1);
  assert.equal(rescaleToUnit(9, [1, 9]), 1);
  assert.equal(rescaleToUnit(5, [1, 9]), 0);
  assert.equal(rescaleToUnit(7, [1, 9]), 0.5);
  assert.equal(rescaleToUnit(0.3, [0, 1]), -0.4);
  assert.equal(rescaleToUnit(-0.25, [-1, 1]), -0.25);
});

test('inRange includes both ends', () => {
  assert.equal(inRange(1, [-1, 1]), true);
  assert.equal(inRange(-1, [-1, 1]), true);
  assert.equal(inRange(1.0001, [-1, 1]), false);
});
