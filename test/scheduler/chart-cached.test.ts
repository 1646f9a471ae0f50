import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cachedChartRenderer, chartCacheKey } from '../../src/scheduler/chart-cached.js';
import { chartRendererVersion, loadChartRenderer, renderCharts, type RenderChartSvg } from '../../src/report/render-svg.js';
import type { CacheEntryMeta } from '../../src/cache/store.js';
import type { ChartSource } from '../../src/types/providers.js';
import type { LogInfo } from '../../src/types/run-events.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { studyPipeline, studyResponder } from './fixtures/study-pipeline.js';

const bars = (id: string, values: number[]): ChartSource => ({
  id,
  spec: { data: { values: values.map((v, i) => ({ x: `x${i}`, y: v })) }, mark: 'bar', encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' } } },
});

/** The real vega renderer, counting the charts it is asked to render. */
function countingRenderer(): { load: () => Promise<RenderChartSvg>; renders: string[]; loads: number } {
  const state = { renders: [] as string[], loads: 0, load: async (): Promise<RenderChartSvg> => {
    state.loads++;
    const render = await loadChartRenderer();
    return (chart) => {
      state.renders.push(chart.id);
      return render(chart);
    };
  } };
  return state;
}

/** Remembers the keys charts were stored under. */
class Recording extends MemoryCacheStore {
  readonly keys: string[] = [];
  override put(key: string, value: unknown, meta: CacheEntryMeta): void {
    if (meta.namespace === 'chart') this.keys.push(key);
    super.put(key, value, meta);
  }
}

const readWrite = { read: true, write: true };

test('a rerun on the same charts renders none and returns what the first render made; a changed number renders that chart only', async () => {
  const cache = new Recording();
  const counter = countingRenderer();
  const render = cachedChartRenderer({ load: counter.load, version: chartRendererVersion, cache, mode: readWrite });
  const first = await render([bars('a', [1, 2, 3]), bars('b', [4, 5, 6])]);
  assert.deepEqual(counter.renders, ['a', 'b']);
  assert.deepEqual([first.rendered, first.cached], [2, 0]);
  assert.match(first.svgs[0], /^<svg/);
  assert.deepEqual((await renderCharts([bars('a', [1, 2, 3]), bars('b', [4, 5, 6])])).svgs, first.svgs, 'what is cached is what an uncached render makes');

  // Another renderer over the same cache (a rerun in a new process): equal specs built anew hit by content.
  const rerunCounter = countingRenderer();
  const rerun = cachedChartRenderer({ load: rerunCounter.load, version: chartRendererVersion, cache, mode: readWrite });
  const again = await rerun([bars('a', [1, 2, 3]), bars('b', [4, 5, 6])]);
  assert.deepEqual(rerunCounter.renders, [], 'nothing rendered');
  assert.equal(rerunCounter.loads, 0, 'the renderer (vega) is not even loaded');
  assert.deepEqual(again.svgs, first.svgs);
  assert.deepEqual([again.rendered, again.cached], [0, 2]);

  const changed = await rerun([bars('a', [1, 2, 3]), bars('b', [4, 5, 7])]);
  assert.deepEqual(rerunCounter.renders, ['b'], 'only the chart with the changed number');
  assert.equal(changed.svgs[0], first.svgs[0]);
  assert.notEqual(changed.svgs[1], first.svgs[1]);
  assert.equal(cache.keys.length, 3);
});

test('the cache entry is what comes back, keyed by spec, id and renderer version', async () => {
  const cache = new MemoryCacheStore();
  const chart = bars('a', [1, 2, 3]);
  const key = chartCacheKey(chart, chartRendererVersion());
  cache.put(key, '<svg>from the cache</svg>', { namespace: 'chart' });
  const counter = countingRenderer();
  const render = cachedChartRenderer({ load: counter.load, version: chartRendererVersion, cache, mode: readWrite });
  assert.deepEqual((await render([bars('a', [1, 2, 3])])).svgs, ['<svg>from the cache</svg>']);
  assert.deepEqual(counter.renders, []);

  assert.notEqual(chartCacheKey(bars('b', [1, 2, 3]), chartRendererVersion()), key, 'the id names the SVG element ids, so it is part of the key');
  assert.notEqual(chartCacheKey(bars('a', [1, 2, 3.5]), chartRendererVersion()), key);
  assert.notEqual(chartCacheKey(chart, `${chartRendererVersion()}+1`), key, 'another renderer version renders anew');
  assert.equal(chartCacheKey(structuredClone(chart), chartRendererVersion()), key, 'by content, not by object');
  assert.match(chartRendererVersion(), /vega \d+\.\d+\.\d+, vega-lite \d+\.\d+\.\d+/, 'the installed libraries are named');

  const other = cachedChartRenderer({ load: counter.load, version: () => 'another renderer', cache, mode: readWrite });
  assert.match((await other([chart])).svgs[0], /^<svg/);
  assert.deepEqual(counter.renders, ['a']);
});

test('--refresh renders and stores anew; --no-cache neither reads nor stores', async () => {
  const cache = new Recording();
  const chart = bars('a', [1, 2, 3]);
  cache.put(chartCacheKey(chart, chartRendererVersion()), '<svg>stale</svg>', { namespace: 'other' });
  const counter = countingRenderer();
  const refresh = await cachedChartRenderer({ load: counter.load, version: chartRendererVersion, cache, mode: { read: false, write: true } })([chart]);
  assert.match(refresh.svgs[0], /^<svg/);
  assert.equal(cache.get(chartCacheKey(chart, chartRendererVersion())), refresh.svgs[0]);
  const off = cachedChartRenderer({ load: counter.load, version: chartRendererVersion, cache, mode: { read: false, write: false } });
  await off([bars('b', [1])]);
  assert.deepEqual(counter.renders, ['a', 'b']);
  assert.equal(cache.keys.length, 1, 'nothing stored without --refresh or a normal run');
});

/** The aggregate task's chart counts from a run's log. */
function chartCounts(events: readonly LogInfo[]): { rendered: number; cached: number } {
  const counts = events.filter((e) => e.task === 'scores' && e.charts).map((e) => e.charts as { rendered: number; cached: number });
  assert.equal(counts.length, 1);
  return counts[0];
}

/** The charts section of a run's report.html (the rest tells the cache hits and the run id apart). */
function chartsOf(runDir: string): string {
  const page = readFileSync(path.join(runDir, 'report.html'), 'utf8');
  const section = /<section id="charts">[\s\S]*?<\/section>/.exec(page);
  assert.ok(section, 'the page has charts');
  return section[0];
}

test('a cached rerun renders no chart through the engine and writes the same page; another model renders only the charts it changes', async () => {
  const server = await startOpenAIServer({ responder: studyResponder });
  try {
    await withTempDir('chart-cache', async (dir) => {
      const file = path.join(dir, 'study.yaml');
      writeFileSync(file, studyPipeline({ url: server.url }));
      const run = async () => {
        const events: LogInfo[] = [];
        const result = await runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {}, lifeCycles: [{ log: (e) => events.push(e) }] });
        assert.equal(result.status, 'completed');
        return { result, charts: chartCounts(events) };
      };
      const cold = await run();
      assert.ok(cold.charts.rendered >= 5, `${cold.charts.rendered} charts rendered cold`);
      assert.equal(cold.charts.cached, 0);
      const cached = await run();
      assert.deepEqual(cached.charts, { rendered: 0, cached: cold.charts.rendered });
      assert.ok(chartsOf(cached.result.runDir) === chartsOf(cold.result.runDir), 'the same charts, to the byte');

      // Another model in place of beta: the charts showing beta's numbers are rendered, alpha's own are read back.
      writeFileSync(file, studyPipeline({ url: server.url, models: ['alpha', 'gamma'] }));
      const changed = await run();
      assert.ok(changed.charts.rendered > 0 && changed.charts.cached > 0, JSON.stringify(changed.charts));
    });
  } finally {
    await server.close();
  }
});
