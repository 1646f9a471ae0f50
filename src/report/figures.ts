import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write.js';
import type { RenderedChart } from './render-svg.js';

/**
 * Every chart of a report also as a standalone SVG file, for papers: `figures/<chart id>.svg`
 * (`figures/<node>.<chart id>.svg` when a pipeline has several aggregate nodes). Names are stable:
 * a chart id is built from the group key or node id and the metric, never from a position. The
 * file is the chart as the page shows it (title inside, white background, fonts named) minus the
 * page's links into the item explorer, which mean nothing outside the page. Figures of this node
 * left over from an earlier rendering whose chart no longer exists are removed.
 */
export const FIGURES_DIR = 'figures';

export function figureFileName(chartId: string, node: string, prefixed: boolean): string {
  return `${prefixed ? `${node}.` : ''}${chartId}.svg`;
}

/** The SVG without `<a>` wrappers (vega's rendering of the href channel). */
export function standaloneSvg(svg: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg.replace(/<a [^>]*>/g, '').replaceAll('</a>', '') + '\n';
}

export async function writeFigures(runDir: string, charts: readonly RenderedChart[], options: { node: string; prefixed: boolean }): Promise<string[]> {
  const dir = path.join(runDir, FIGURES_DIR);
  const names = charts.map((c) => figureFileName(c.id, options.node, options.prefixed));
  for (const [i, chart] of charts.entries()) await writeFileAtomic(path.join(dir, names[i]), standaloneSvg(chart.svg));
  const mine = (f: string) => f.endsWith('.svg') && (options.prefixed ? f.startsWith(`${options.node}.`) : true);
  const stale = (await readdir(dir).catch(() => [] as string[])).filter((f) => mine(f) && !names.includes(f));
  for (const f of stale) await rm(path.join(dir, f), { force: true });
  return names.map((n) => path.join(dir, n));
}
