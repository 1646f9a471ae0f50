import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angleDegrees, intensity, quadrantOf } from '../../src/va/circumplex.js';

test('angles follow Russell (1980): pleasure 0°, excitement 45°, distress 135°, depression 225°, relaxation 315°', () => {
  assert.equal(angleDegrees(1, 0), 0);
  assert.equal(angleDegrees(0.5, 0.5), 45);
  assert.equal(angleDegrees(0, 1), 90);
  assert.equal(angleDegrees(-0.5, 0.5), 135);
  assert.equal(angleDegrees(-1, 0), 180);
  assert.equal(angleDegrees(-0.5, -0.5), 225);
  assert.equal(angleDegrees(0, -1), 270);
  assert.equal(angleDegrees(0.5, -0.5), 315);
});

test('quadrants, with axis points on the positive / high side and a neutral disc', () => {
  assert.equal(quadrantOf(0.5, 0.5), 'high-positive');
  assert.equal(quadrantOf(-0.5, 0.5), 'high-negative');
  assert.equal(quadrantOf(-0.5, -0.5), 'low-negative');
  assert.equal(quadrantOf(0.5, -0.5), 'low-positive');
  assert.equal(quadrantOf(0, 0.5), 'high-positive');
  assert.equal(quadrantOf(-0.5, 0), 'high-negative');
  assert.equal(quadrantOf(0, -0.5), 'low-positive');
  assert.equal(quadrantOf(0.06, 0.08, 0.1), 'high-positive'); // radius exactly 0.1: outside the disc
  assert.equal(quadrantOf(0.06, 0.079, 0.1), 'neutral');
  assert.equal(intensity(0.6, -0.8), 1);
});
