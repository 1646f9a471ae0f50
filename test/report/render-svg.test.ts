import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCharts } from '../../src/report/render-svg.js';
import type { ChartSpec } from '../../src/report/charts.js';
import type { CacheEntryMeta } from '../../src/cache/store.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';

const chart = (values: number[]): ChartSpec => ({
  id: 'bars', title: 'bars', caption: '',
  spec: { data: { values: values.map((v, i) => ({ x: `x${i}`, y: v })) }, mark: 'bar', encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' } } },
});

/** Remembers the keys charts were stored under. */
class Recording extends MemoryCacheStore {
  readonly keys: string[] = [];
  override put(key: string, value: unknown, meta: CacheEntryMeta): void {
    if (meta.namespace === 'chart') this.keys.push(key);
    super.put(key, value, meta);
  }
}

test('with a cache, a chart is rendered once and read back by its spec; another spec is rendered anew', async () => {
  const cache = new Recording();
  const [first] = await renderCharts([chart([1, 2, 3])], { cache });
  assert.match(first.svg, /^<svg/);
  const [uncached] = await renderCharts([chart([1, 2, 3])]);
  assert.equal(uncached.svg, first.svg, 'what is cached is what a render makes');
  assert.equal(cache.keys.length, 1);
  // The entry is what comes back: change it, and the next render of that spec returns it.
  cache.put(cache.keys[0], '<svg>from the cache</svg>', { namespace: 'other' });
  const [again] = await renderCharts([chart([1, 2, 3])], { cache });
  assert.equal(again.svg, '<svg>from the cache</svg>');
  const [other] = await renderCharts([chart([1, 2, 4])], { cache });
  assert.match(other.svg, /^<svg/);
  assert.equal(cache.keys.length, 2, 'a changed spec is rendered and stored under another key');
  assert.notEqual(cache.keys[1], cache.keys[0]);
});
