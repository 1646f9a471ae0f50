import type { AxisSpec, CheckContext, SourceItem, SourceKind, SpecIssue, TaskContext } from '../../src/types/node-kind.js';
import { ConfigError } from '../../src/errors.js';
import { readJsonBeside } from '../../src/util/paths.js';
import type { ExtractParams } from './params.generated.js';
import { missingFileMessage, resolveInput } from './files.js';
import { TABLE_EXTENSIONS, tableFormatOf } from './table-rows.js';
import { tableItems, type VaSource } from './table.js';

const VA_SOURCES: readonly VaSource[] = ['model', 'annotation'];

/** Reads items with valence–arousal values from a table (CSV/TSV/JSONL) or from face images. */
const extract: SourceKind<ExtractParams> = {
  name: 'extract',
  // 2: images cached per image, FaceChannel input as the authors' OpenCV preprocessing, crops per backend.
  version: '2',
  paramsSchema: readJsonBeside(import.meta.url, 'params.schema.json'),
  consumes: [],
  produces: 'va',
  mode: 'source',

  axes(params): Readonly<Record<string, AxisSpec>> {
    return Array.isArray(params.vaSource) ? { vaSource: { param: 'vaSource', values: params.vaSource } } : {};
  },

  async check(params, ctx): Promise<readonly SpecIssue[]> {
    const issues: SpecIssue[] = [];
    if (params.table !== undefined) {
      if (!tableFormatOf(params.table)) {
        issues.push({ path: ['with', 'table'], message: `unsupported table format: ${params.table} (expected ${TABLE_EXTENSIONS.join(', ')})` });
      } else {
        await pushMissing({ issues, ctx, key: 'table', relative: params.table });
      }
    }
    if (params.labels !== undefined) await pushMissing({ issues, ctx, key: 'labels', relative: params.labels });
    if (params.model !== undefined) await pushMissing({ issues, ctx, key: 'model', relative: params.model });
    if (params.images !== undefined) issues.push(...(await imageIssues(params, ctx)));
    if (params.range && !(params.range[0] < params.range[1])) {
      issues.push({ path: ['with', 'range'], message: `expected [min, max] with min < max, got [${params.range.join(', ')}]` });
    }
    const sources = Array.isArray(params.vaSource) ? params.vaSource : [params.vaSource ?? 'model'];
    if (params.images !== undefined && sources.includes('annotation') && params.labels === undefined) {
      issues.push({ path: ['with', 'vaSource'], message: 'vaSource "annotation" with images needs `labels`: a table with annotated_valence / annotated_arousal per file' });
    }
    return issues;
  },

  async *source(ctx: TaskContext<ExtractParams>): AsyncIterable<SourceItem> {
    const { params } = ctx;
    if (params.images !== undefined) {
      const { imageItems } = await import('./images.js');
      yield* imageItems(params, ctx);
      return;
    }
    if (params.table === undefined) throw new ConfigError('extract needs `table` or `images`');
    yield* tableItems({
      table: resolveInput(ctx.specDir, params.table),
      vaSource: chosenVaSource(ctx),
      columns: params.columns,
      labelSeparator: params.labelSeparator,
      range: params.range,
      limit: params.limit,
      signal: ctx.signal,
    });
  },
};

export default extract;

/** This task's VA source: the matrix coordinate, else the single value in `with`, else `model`. */
export function chosenVaSource(ctx: Pick<TaskContext<ExtractParams>, 'coords' | 'params'>): VaSource {
  const fromParams = ctx.params.vaSource ?? 'model';
  let chosen = ctx.coords.vaSource;
  if (chosen === undefined) {
    if (typeof fromParams === 'string') chosen = fromParams;
    else if (fromParams.length === 1) chosen = fromParams[0];
    else throw new ConfigError(`vaSource lists ${fromParams.join(', ')} but this task has no vaSource coordinate`);
  }
  const known = VA_SOURCES.find((source) => source === chosen);
  if (!known) throw new ConfigError(`vaSource "${chosen}": expected one of ${VA_SOURCES.join(', ')}`);
  return known;
}

/** `images` names at least one image; the facechannel backend has its model file (checked above when given). */
async function imageIssues(params: ExtractParams, ctx: CheckContext): Promise<SpecIssue[]> {
  const issues: SpecIssue[] = [];
  const { listImages } = await import('./image-files.js');
  const listing = await listImages(ctx.specDir, params.images!);
  if ('problem' in listing) issues.push({ path: ['with', 'images'], message: listing.problem });
  if ((params.backend ?? 'facechannel') === 'facechannel' && params.model === undefined) {
    issues.push({ path: ['with'], message: 'backend facechannel needs `model`: an ONNX file from `vaflow import facechannel` (or set backend: expression-mixture, which needs no weights)' });
  }
  return issues;
}

interface MissingCheck {
  readonly issues: SpecIssue[];
  readonly ctx: CheckContext;
  readonly key: 'table' | 'labels' | 'model';
  readonly relative: string;
}

async function pushMissing({ issues, ctx, key, relative }: MissingCheck): Promise<void> {
  const message = await missingFileMessage(resolveInput(ctx.specDir, relative));
  if (message) issues.push({ path: ['with', key], message });
}
