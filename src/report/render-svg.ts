import type { ChartSpec } from './charts.js';

export interface RenderedChart extends ChartSpec {
  readonly svg: string;
}

/**
 * Compiles each Vega-Lite spec and renders it to SVG server-side (vega View with the headless
 * renderer: no canvas, no browser). vega and vega-lite are imported here, lazily: they are heavy.
 */
export async function renderCharts(charts: readonly ChartSpec[]): Promise<RenderedChart[]> {
  if (charts.length === 0) return [];
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const out: RenderedChart[] = [];
  for (const chart of charts) {
    const compiled = vegaLite.compile(chart.spec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    try {
      out.push({ ...chart, svg: stableIds(await view.toSVG(), `chart-${chart.id}`) });
    } finally {
      view.finalize();
    }
  }
  return out;
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
