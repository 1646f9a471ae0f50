import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdLineIndex } from '../../src/util/id-line-index.js';

test('reports the first line of a repeated id, across table growth', () => {
  const index = new IdLineIndex();
  for (let i = 0; i < 50_000; i++) assert.equal(index.remember(`item-${i}`, i + 2), undefined);
  assert.equal(index.size, 50_000);
  assert.equal(index.remember('item-0', 99_999), 2);
  assert.equal(index.remember('item-49999', 99_999), 50_001);
  assert.equal(index.remember('item-50000', 7), undefined);
  assert.equal(index.remember('', 8), undefined);
  assert.equal(index.remember('', 9), 8);
  assert.equal(index.remember('é', 10), undefined);
  assert.equal(index.remember('e', 11), undefined, 'similar ids are different ids');
});
