import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUsage, callCost } from '../../../src/providers/chat/pricing.js';

test('callCost prices input and output tokens per million; unknown stays null, not zero', () => {
  const model = { price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } };
  assert.equal(callCost(model, { inputTokens: 1_000_000, outputTokens: 500_000 }), 0.45);
  assert.ok(Math.abs(callCost(model, { inputTokens: 120, outputTokens: 3 })! - (120 * 0.15 + 3 * 0.6) / 1e6) < 1e-15);
  assert.equal(callCost({ price: { inputPerMTok: 2 } }, { inputTokens: 500_000, outputTokens: 9 }), 1);
  assert.equal(callCost({}, { inputTokens: 10, outputTokens: 10 }), null);
  assert.equal(callCost(model, undefined), null);
});

test('addUsage sums and skips missing usage', () => {
  assert.deepEqual(addUsage({ inputTokens: 1, outputTokens: 2 }, { inputTokens: 3, outputTokens: 4 }), { inputTokens: 4, outputTokens: 6 });
  assert.deepEqual(addUsage(undefined, { inputTokens: 3, outputTokens: 4 }), { inputTokens: 3, outputTokens: 4 });
  assert.equal(addUsage(undefined, undefined), undefined);
});
