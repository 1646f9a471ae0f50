import path from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write.js';
import { vaflowVersion } from '../util/paths.js';
import { buildCharts } from './charts.js';
import { buildExplorerData } from './explorer-data.js';
import { FIGURES_DIR, writeFigures } from './figures.js';
import { renderReportHtml } from './html.js';
import { type MetricsDocument, outputNames } from './metrics-document.js';
import { writePredictionsCsv } from './predictions-csv.js';
import { renderCharts, type RenderedChart } from './render-svg.js';
import type { ChartRenders, ChartSource } from '../types/providers.js';
import { metricRows, rowsToCsv } from './rows.js';
import { readManifest, readPlan, upstreamTasks } from './run-artifacts.js';
import type { GatheredRecords } from './report-records.js';
import { usageByModel } from './usage.js';

export interface WriteOptions {
  /** The run folder (or any folder: without plan.json and tasks/, the report has no item explorer or predictions.csv). */
  readonly dir: string;
  /** Prefix file names with the node id (several aggregate nodes in one pipeline). */
  readonly prefixed: boolean;
  readonly runId?: string;
  readonly pipelineName?: string;
  /** Renders the charts: a kind passes `ctx.providers.renderCharts` (the run's chart cache in front). @default renders each with vega */
  readonly renderCharts?: (charts: readonly ChartSource[]) => Promise<ChartRenders>;
  /** The explorer's words and predictions.csv's rows, gathered as aggregate read the records (else read from tasks/*.jsonl). */
  readonly gathered?: GatheredRecords;
}

export interface ReportFiles {
  readonly html: string;
  /** Absent when the folder holds no task records. */
  readonly predictions?: string;
  readonly figures: string[];
  /** Charts rendered now and read from the cache. */
  readonly charts: { readonly rendered: number; readonly cached: number };
}

export interface WrittenFiles extends ReportFiles {
  readonly json: string;
  readonly csv: string;
}

/**
 * The report of one metrics document, built from the stored numbers and the run's artifacts (never
 * recomputed): figures/*.svg, predictions.csv (streamed from tasks/*.jsonl) and report.html with
 * the item explorer and the cost per model. Used by the aggregate node and by `vaflow report`.
 */
export async function writeReport(doc: MetricsDocument, options: WriteOptions): Promise<ReportFiles> {
  const names = outputNames(doc.node, options.prefixed);
  const tasks = upstreamTasks(options.dir, doc.node);
  const explorer = tasks ? await buildExplorerData(doc, tasks, options.gathered?.words) : undefined;
  const specs = buildCharts(doc, { links: (explorer?.groups.length ?? 0) > 0 });
  const renders = await (options.renderCharts ?? renderCharts)(specs);
  const charts: RenderedChart[] = specs.map((spec, i) => ({ ...spec, svg: renders.svgs[i] }));
  const figures = await writeFigures(options.dir, charts, { node: doc.node, prefixed: options.prefixed });
  const figureFiles = new Map(charts.map((c, i) => [c.id, `${FIGURES_DIR}/${path.basename(figures[i])}`]));
  const predictions = tasks ? path.join(options.dir, names.predictions) : undefined;
  if (predictions) await writePredictionsCsv(predictions, tasks!, options.gathered?.rows ?? undefined);
  const manifest = readManifest(options.dir);
  const plan = readPlan(options.dir);
  const usage = manifest && plan ? usageByModel(manifest.tasks, (id) => plan.tasks[id]?.coords) : undefined;
  const html = path.join(options.dir, names.html);
  await writeFileAtomic(html, renderReportHtml({
    doc, charts, vaflowVersion, runId: options.runId, pipelineName: options.pipelineName,
    explorer, usage, figureFiles, predictionsFile: predictions ? names.predictions : undefined,
  }));
  return { html, figures, charts: { rendered: renders.rendered, cached: renders.cached }, ...(predictions ? { predictions } : {}) };
}

/** Writes metrics.json and metrics.csv, then the report (writeReport), each file atomically (temp file + rename). */
export async function writeMetricsOutputs(doc: MetricsDocument, options: WriteOptions): Promise<WrittenFiles> {
  const names = outputNames(doc.node, options.prefixed);
  const files = { json: path.join(options.dir, names.json), csv: path.join(options.dir, names.csv) };
  await writeFileAtomic(files.json, compactJson(doc) + '\n');
  await writeFileAtomic(files.csv, rowsToCsv(metricRows(doc)));
  return { ...files, ...(await writeReport(doc, options)) };
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
