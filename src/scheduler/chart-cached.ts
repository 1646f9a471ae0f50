import type { CacheStore } from '../cache/store.js';
import type { ChartRenders, ChartSource } from '../types/providers.js';
import type { RenderChartSvg } from '../report/render-svg.js';
import { cacheSides, type CacheMode } from './task-runtime.js';
import { sha256 } from '../util/hash.js';

export interface CachedChartsOptions {
  /** The renderer (vega), loaded only when some chart is not cached. */
  readonly load: () => Promise<RenderChartSvg>;
  /** What the renderer makes of a spec besides the spec itself: its own rules and its libraries' versions. */
  readonly version: () => string;
  readonly cache: CacheStore | null;
  /** `--refresh` renders every chart again (and stores it); a plan or `--no-cache` stores nothing. */
  readonly mode: CacheMode;
}

/**
 * What kinds get as `ctx.providers.renderCharts`: the run's cache in front of the chart renderer,
 * as `cachedEmbedder` is in front of an embedder. Each SVG is kept under `chartCacheKey` (the
 * chart's content and the renderer's version), so a rerun on the same numbers renders nothing and
 * does not load vega at all; a chart whose spec changed in one number is rendered anew.
 */
export function cachedChartRenderer(options: CachedChartsOptions): (charts: readonly ChartSource[]) => Promise<ChartRenders> {
  let renderer: Promise<RenderChartSvg> | undefined;
  const { reading, writing } = cacheSides(options.cache, options.mode);
  return async (charts) => {
    if (charts.length === 0) return { svgs: [], rendered: 0, cached: 0 };
    const keys = reading || writing ? charts.map((chart) => chartCacheKey(chart, options.version())) : [];
    const stored = reading ? reading.getMany(keys) : new Map<string, unknown>();
    const svgs: string[] = [];
    let rendered = 0;
    for (const [index, chart] of charts.entries()) {
      const hit = stored.get(keys[index]);
      if (typeof hit === 'string') {
        svgs.push(hit);
        continue;
      }
      renderer ??= options.load();
      const svg = await (await renderer)(chart);
      rendered++;
      writing?.put(keys[index], svg, { namespace: 'chart', origin: chart.id });
      svgs.push(svg);
    }
    return { svgs, rendered, cached: charts.length - rendered };
  };
}

/**
 * A chart's cache key: the spec, the id its element ids are named after, and the renderer's version.
 * Specs are built by code in a fixed key order, so their plain JSON is a stable fingerprint of their
 * content (a canonical form, sorting every key of a 1,500-point VA plane, would cost a tenth of a
 * 10,000-item aggregate).
 */
export function chartCacheKey(chart: ChartSource, rendererVersion: string): string {
  return sha256(JSON.stringify({ ns: 'chart', renderer: rendererVersion, id: chart.id, spec: chart.spec }));
}
