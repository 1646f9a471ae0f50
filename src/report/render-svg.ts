import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChartSpec } from './charts.js';
import type { CacheStore } from '../cache/store.js';
import { sha256 } from '../util/hash.js';
import { packageRoot } from '../util/paths.js';

export interface RenderedChart extends ChartSpec {
  readonly svg: string;
}

/** Bump when this file changes what it makes of a spec: renders cached before are then made anew. */
const RENDER_VERSION = 1;

/**
 * Compiles each Vega-Lite spec and renders it to SVG server-side (vega View with the headless
 * renderer: no canvas, no browser). vega and vega-lite are imported here, lazily: they are heavy
 * (about a second of a 10,000-item aggregate, bench/aggregate.ts). With a cache, an SVG is a function
 * of the spec, the chart id and the two libraries' versions, so a rerun on the same records reads
 * its charts back and never loads vega.
 */
export async function renderCharts(charts: readonly ChartSpec[], options: { readonly cache?: CacheStore | null } = {}): Promise<RenderedChart[]> {
  if (charts.length === 0) return [];
  const cache = options.cache ?? null;
  const keys = cache ? charts.map(chartKey) : [];
  const stored = cache ? cache.getMany(keys) : new Map<string, unknown>();
  let libraries: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
  const out: RenderedChart[] = [];
  for (const [index, chart] of charts.entries()) {
    const hit = cache ? stored.get(keys[index]) : undefined;
    if (typeof hit === 'string') {
      out.push({ ...chart, svg: hit });
      continue;
    }
    libraries ??= Promise.all([import('vega'), import('vega-lite')]);
    const [vega, vegaLite] = await libraries;
    const compiled = vegaLite.compile(chart.spec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    try {
      const svg = stableIds(await view.toSVG(), `chart-${chart.id}`);
      cache?.put(keys[index], svg, { namespace: 'chart', origin: chart.id });
      out.push({ ...chart, svg });
    } finally {
      view.finalize();
    }
  }
  return out;
}

let versions: { vega: string; vegaLite: string } | undefined;

/**
 * What an SVG is made from: the spec, the id its element ids are named after, the renderer and the
 * libraries. Specs are built by code in a fixed key order, so their plain JSON is a stable
 * fingerprint (a canonical form would cost a tenth of the aggregate on 10,000 items).
 */
function chartKey(chart: ChartSpec): string {
  versions ??= { vega: installedVersion('vega'), vegaLite: installedVersion('vega-lite') };
  return sha256(JSON.stringify({ ns: 'chart', v: RENDER_VERSION, ...versions, id: chart.id, spec: chart.spec }));
}

function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Vega numbers gradients (and clip paths) with a process-wide counter, so one chart rendered twice
 * in a process gets other ids. Renaming them after the chart keeps a page a function of its numbers
 * only, and the ids unique across the page's charts.
 */
export function stableIds(svg: string, prefix: string): string {
  const ids = [...new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]))];
  let out = svg;
  ids.forEach((id, k) => {
    const fresh = `${prefix}-${k}`;
    out = out.replaceAll(`id="${id}"`, `id="${fresh}"`).replaceAll(`url(#${id})`, `url(#${fresh})`).replaceAll(`href="#${id}"`, `href="#${fresh}"`);
  });
  return out;
}
