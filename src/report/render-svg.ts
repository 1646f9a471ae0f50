import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChartSpec } from './charts.js';
import type { ChartRenders, ChartSource } from '../types/providers.js';
import { packageRoot } from '../util/paths.js';

export interface RenderedChart extends ChartSpec {
  readonly svg: string;
}

/** Renders one chart to SVG; what `loadChartRenderer` resolves to. */
export type RenderChartSvg = (chart: ChartSource) => Promise<string>;

/** Bump when this file changes what it makes of a spec: renders cached before are then made anew. */
const RENDER_VERSION = 1;

let version: string | undefined;

/**
 * What an SVG is made from besides its spec and id: this file's rules and the two libraries'
 * installed versions. Read from their package.json files, so a cache lookup never loads vega.
 */
export function chartRendererVersion(): string {
  version ??= `render-svg ${RENDER_VERSION}, vega ${installedVersion('vega')}, vega-lite ${installedVersion('vega-lite')}`;
  return version;
}

/**
 * Compiles a Vega-Lite spec and renders it to SVG server-side (vega View with the headless
 * renderer: no canvas, no browser). vega and vega-lite are imported here, lazily: they are heavy
 * (more than half a second of CPU to load), and a rerun on the same numbers reads its charts from
 * the run's cache (src/scheduler/chart-cached.ts) without ever calling this.
 */
export async function loadChartRenderer(): Promise<RenderChartSvg> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return async (chart) => {
    const compiled = vegaLite.compile(chart.spec as Parameters<typeof vegaLite.compile>[0]).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    try {
      return stableIds(await view.toSVG(), `chart-${chart.id}`);
    } finally {
      view.finalize();
    }
  };
}

/** Renders every chart, without a cache (`vaflow report`, tests); the engine's cached renderer is src/scheduler/chart-cached.ts. */
export async function renderCharts(charts: readonly ChartSource[]): Promise<ChartRenders> {
  if (charts.length === 0) return { svgs: [], rendered: 0, cached: 0 };
  const render = await loadChartRenderer();
  const svgs: string[] = [];
  for (const chart of charts) svgs.push(await render(chart));
  return { svgs, rendered: svgs.length, cached: 0 };
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
