// Which family a record belongs to, and how records are grouped (src/stats/record-grouping.ts, shared by
// the aggregate node and the report).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyOf } from '../../src/stats/record-grouping.js';

test('a record\'s family comes from its fields', () => {
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, similarity: { raw: 0.5 } }), 'similarity');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, similarity: null }), null);
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, prediction: 'x' }), 'classification');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valid: false }), 'classification');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: 0.1, arousal: 0.2 }), 'va');
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: 0.1, arousal: 0.2, text: 'a description' }), null);
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: 0.1, arousal: 0.2, messages: [] }), null);
  assert.equal(familyOf({ id: 'a', node: 'n', coords: {}, valence: '0.1', arousal: 0.2 }), null);
});
