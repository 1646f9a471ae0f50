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
      out.push({ ...chart, svg: await view.toSVG() });
    } finally {
      view.finalize();
    }
  }
  return out;
}
