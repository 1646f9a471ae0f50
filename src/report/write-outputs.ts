import path from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write.js';
import { vaflowVersion } from '../util/paths.js';
import { buildCharts } from './charts.js';
import { renderReportHtml } from './html.js';
import { type MetricsDocument, outputNames } from './metrics-document.js';
import { renderCharts } from './render-svg.js';
import type { CacheStore } from '../cache/store.js';
import { metricRows, rowsToCsv } from './rows.js';

export interface WriteOptions {
  readonly dir: string;
  /** Prefix file names with the node id (several aggregate nodes in one pipeline). */
  readonly prefixed: boolean;
  readonly runId?: string;
  readonly pipelineName?: string;
  /** Where rendered charts are kept, so a rerun on the same records need not render them again. */
  readonly cache?: CacheStore | null;
}

export interface WrittenFiles {
  readonly json: string;
  readonly csv: string;
  readonly html: string;
}

/** The report page for a metrics document (charts rendered now, from the stored numbers). */
export async function reportHtml(doc: MetricsDocument, options: { runId?: string; pipelineName?: string; cache?: CacheStore | null }): Promise<string> {
  const charts = await renderCharts(buildCharts(doc), { cache: options.cache });
  return renderReportHtml({ doc, charts, vaflowVersion, ...options });
}

/** Writes metrics.json, metrics.csv and report.html, each atomically (temp file + rename). */
export async function writeMetricsOutputs(doc: MetricsDocument, options: WriteOptions): Promise<WrittenFiles> {
  const names = outputNames(doc.node, options.prefixed);
  const files = { json: path.join(options.dir, names.json), csv: path.join(options.dir, names.csv), html: path.join(options.dir, names.html) };
  await writeFileAtomic(files.json, compactJson(doc) + '\n');
  await writeFileAtomic(files.csv, rowsToCsv(metricRows(doc)));
  await writeFileAtomic(files.html, await reportHtml(doc, { runId: options.runId, pipelineName: options.pipelineName, cache: options.cache }));
  return files;
}

/** Indented JSON whose arrays of numbers, strings and nulls stay on one line (item arrays would otherwise take a line per value). */
export function compactJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
