import type { CheckContext, SpecIssue } from '../../src/types/node-kind.js';
import { VaflowError } from '../../src/errors.js';
import { UNIT_RANGE, type Interval } from '../../src/va/rescale.js';
import type { ExtractParams } from './params.generated.js';
import { missingFileMessage, resolveInput, type InputFile } from './files.js';
import { readTableRows, TABLE_EXTENSIONS, tableFormatOf } from './table-rows.js';
import { tableRowItems, type VaSource } from './table.js';
import { DataTally } from './data-tally.js';
import { hashFile } from '../../src/util/hash.js';
import { installedDependencyVersions } from '../../src/artifacts/manifest.js';
import { codeDigest } from '../../src/util/code-digest.js';
import { keptColumns } from './keep.js';
import { formatRowProblem } from './row-problems.js';
import { normalisedLabels, scoredLabelSets, truthLabelIssues } from './truth-labels.js';

type Path = readonly (string | number)[];

/**
 * extract's checks before any call: the files exist, and the data reads as the run would read it.
 * Tables (and an image folder's labels table) are read once, row by row, through the same code the
 * run uses, and judged:
 * - errors: no data rows, a duplicated header column, a missing VA or kept column, any value outside
 *   the declared range (the usual cause is a table on another scale, e.g. 1–9 norms without `range`),
 *   bad rows above `maxErrorRate` (the task would fail), truth labels outside the label set of a
 *   classify node downstream, rows with several labels for a single-label set;
 * - warnings: bad rows within `maxErrorRate` (each becomes a reported item error), rows without a
 *   truth label when a classify node scores them.
 */
export async function checkExtract(params: ExtractParams, ctx: CheckContext): Promise<SpecIssue[]> {
  const issues: SpecIssue[] = [];
  const missing = async (key: 'table' | 'labels' | 'model', relative: string): Promise<boolean> => {
    const message = await missingFileMessage(resolveInput(ctx.specDir, relative));
    if (message) issues.push({ path: ['with', key], message });
    return message !== undefined;
  };
  let tableOk = false;
  if (params.table !== undefined) {
    if (!tableFormatOf(params.table)) {
      issues.push({ path: ['with', 'table'], message: `unsupported table format: ${params.table} (expected ${TABLE_EXTENSIONS.join(', ')})` });
    } else {
      tableOk = !(await missing('table', params.table));
    }
  }
  const labelsOk = params.labels === undefined || !(await missing('labels', params.labels));
  if (params.model !== undefined) await missing('model', params.model);
  const rangeOk = !params.range || params.range[0] < params.range[1];
  if (!rangeOk) issues.push({ path: ['with', 'range'], message: `expected [min, max] with min < max, got [${params.range!.join(', ')}]` });
  const sources = vaSources(params);
  if (params.images !== undefined && sources.includes('annotation') && params.labels === undefined) {
    issues.push({ path: ['with', 'vaSource'], message: 'vaSource "annotation" with images needs `labels`: a table with annotated_valence / annotated_arousal per file' });
  }
  if (params.images !== undefined) issues.push(...await checkImageFolder(params, ctx));
  if (issues.length > 0) return issues;
  if (params.table !== undefined && tableOk) issues.push(...await checkTableData(params, ctx, sources));
  if (params.images !== undefined && labelsOk) issues.push(...await checkImageLabels(params, ctx));
  return issues;
}

function vaSources(params: ExtractParams): VaSource[] {
  return Array.isArray(params.vaSource) ? params.vaSource : [params.vaSource ?? 'model'];
}

/** A ConfigError (or any VaflowError) raised while reading is the message of one issue; other errors propagate. */
async function orIssue(at: Path, body: () => Promise<SpecIssue[]>): Promise<SpecIssue[]> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof VaflowError) return [{ path: at, message: error.message }];
    throw error;
  }
}

/**
 * Judging a table reads all of it, so in a run (`ctx.computeCached`) the issues are kept under
 * everything they are a function of: the table's bytes, the params, the node's settings, the label
 * sets of the classify nodes that score it, this code and the installed dependencies. A rerun on the
 * same table reads them back; an edit of any of those judges the table again.
 */
async function checkTableData(params: ExtractParams, ctx: CheckContext, sources: readonly VaSource[]): Promise<SpecIssue[]> {
  const table = resolveInput(ctx.specDir, params.table!);
  const judge = () => judgeTableData(params, ctx, sources, table);
  const digest = ctx.computeCached ? await hashFile(table.absolute).catch(() => null) : null;
  if (!ctx.computeCached || digest === null) return judge();
  const identity = {
    code: codeDigest(import.meta.url), dependencies: installedDependencyVersions(), table: digest, shown: table.shown,
    params, settings: ctx.settings ?? null, sources, scored: scoredLabelSets(ctx.spec, ctx.nodeId),
  };
  return (await ctx.computeCached({ namespace: 'extract-check', identity, origin: ctx.nodeId }, judge)).value;
}

async function judgeTableData(params: ExtractParams, ctx: CheckContext, sources: readonly VaSource[], table: InputFile): Promise<SpecIssue[]> {
  const at: Path = ['with', 'table'];
  const issues = await orIssue(at, () => keptColumnIssues(params, table));
  if (issues.length > 0) return issues;
  const scored = scoredLabelSets(ctx.spec, ctx.nodeId);
  // One pass per VA source: each reads other columns, as its task will.
  for (const [index, vaSource] of sources.entries()) {
    const found = await orIssue(at, async () => {
      const tally = new DataTally(table.shown, { labelSets: scored.map(({ set }) => normalisedLabels(set)), keptFields: keptColumns(params.keep).map(({ field }) => field) });
      const options = { table, vaSource, columns: params.columns, keep: params.keep, labelSeparator: params.labelSeparator, range: params.range, limit: params.limit };
      for await (const { item, line, row } of tableRowItems(options)) tally.add(item, { line, row });
      const found = [...rowIssues(tally, params, ctx, at), ...keptIssues(tally, params)];
      // Labels do not depend on the VA source: judged once.
      if (index === 0) found.push(...truthLabelIssues(tally, scored, at));
      return found;
    });
    issues.push(...found.filter((issue) => !issues.some((seen) => seen.message === issue.message)));
  }
  return issues;
}

/** `images` names at least one image; the facechannel backend has its model file (checked above when given). */
async function checkImageFolder(params: ExtractParams, ctx: CheckContext): Promise<SpecIssue[]> {
  const issues: SpecIssue[] = [];
  const { listImages } = await import('./image-files.js');
  const listing = await listImages(ctx.specDir, params.images!);
  if ('problem' in listing) issues.push({ path: ['with', 'images'], message: listing.problem });
  if ((params.backend ?? 'facechannel') === 'facechannel' && params.model === undefined) {
    issues.push({ path: ['with'], message: 'backend facechannel needs `model`: an ONNX file from `vaflow import facechannel` (or set backend: expression-mixture, which needs no weights)' });
  }
  return issues;
}

async function checkImageLabels(params: ExtractParams, ctx: CheckContext): Promise<SpecIssue[]> {
  if (params.labels === undefined) return [];
  const { readImageLabels } = await import('./image-files.js');
  const at: Path = ['with', 'labels'];
  return orIssue(at, async () => {
    const byFile = await readImageLabels(params, { specDir: ctx.specDir });
    const scored = scoredLabelSets(ctx.spec, ctx.nodeId);
    const tally = new DataTally(params.labels!, { labelSets: scored.map(({ set }) => normalisedLabels(set)) });
    for (const labels of byFile.values()) {
      tally.rows++;
      if (labels.problem) tally.otherErrors.push(labels.problem);
      tally.fields({ ...labels.kept, ...(labels.label !== undefined ? { label: labels.label } : {}) }, { line: labels.line ?? 0, row: labels.row ?? 0 });
    }
    return [...rowIssues(tally, params, ctx, at), ...truthLabelIssues(tally, scored, at)];
  });
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(1))}%`;
}

/** Out-of-range values (always an error), then the other bad rows, judged against maxErrorRate. */
function rowIssues(tally: DataTally, params: ExtractParams, ctx: CheckContext, at: Path): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const outside = tally.problems.get('out-of-range');
  if (outside) {
    const range: Interval = params.range ?? UNIT_RANGE;
    const fix = params.range
      ? 'fix those rows, or set with.range to the scale the table uses'
      : 'if the table uses another scale, set with.range to it (e.g. [1, 9] for 1–9 ratings)';
    issues.push({
      path: at,
      message: `${tally.file}: ${outside.count} of ${tally.rows} rows have a value outside the declared range [${range[0]}, ${range[1]}]; first: ${formatRowProblem(outside.first)}; ${fix}`,
    });
  }
  const bad = tally.badRows();
  if (bad === 0) return issues;
  const maxErrorRate = ctx.settings?.maxErrorRate ?? 0;
  const rate = bad / tally.rows;
  if (rate > maxErrorRate) {
    issues.push({
      path: at,
      message: `${tally.file}: ${bad} of ${tally.rows} rows cannot become items (${percent(rate)}, above maxErrorRate ${percent(maxErrorRate)}, so the task would fail): ${tally.describeBad()}`,
    });
  } else {
    issues.push({
      path: at,
      severity: 'warning',
      message: `${tally.file}: ${bad} of ${tally.rows} rows will be item errors (${percent(rate)}, within maxErrorRate ${percent(maxErrorRate)}): ${tally.describeBad()}; fix or remove those rows to silence this`,
    });
  }
  return issues;
}

/** Kept columns the CSV/TSV header lacks, where `with.keep` names them (the run would stop at the header). */
async function keptColumnIssues(params: ExtractParams, table: InputFile): Promise<SpecIssue[]> {
  const format = tableFormatOf(table.shown);
  if (!format || format === 'jsonl' || !params.keep) return [];
  let header: readonly string[] = [];
  for await (const entry of readTableRows({ file: table.absolute, shown: table.shown, format })) {
    if ('columns' in entry) header = entry.columns;
    break;
  }
  return keptColumns(params.keep)
    .filter(({ column }) => !header.includes(column))
    .map(({ field, column }) => ({ path: ['with', 'keep', field], message: `${table.shown} has no column "${column}" (header: ${header.join(', ')})` }));
}

/** JSONL rows name their own keys: a kept column no row has is almost surely misspelt (CSV headers are checked while reading). */
function keptIssues(tally: DataTally, params: ExtractParams): SpecIssue[] {
  if (tableFormatOf(params.table ?? '') !== 'jsonl' || tally.rows === tally.badRows()) return [];
  return keptColumns(params.keep)
    .filter(({ field }) => !tally.kept.get(field))
    .map(({ field, column }) => ({ path: ['with', 'keep', field], message: `no row of ${tally.file} has a value for "${column}"` }));
}
