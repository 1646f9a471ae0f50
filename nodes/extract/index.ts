import type { AxisSpec, SourceItem, SourceKind, TaskContext } from '../../src/types/node-kind.js';
import { ConfigError } from '../../src/errors.js';
import { readJsonBeside } from '../../src/util/paths.js';
import type { ExtractParams } from './params.generated.js';
import { resolveInput } from './files.js';
import { checkExtract } from './check.js';
import { tableItems, type VaSource } from './table.js';

const VA_SOURCES: readonly VaSource[] = ['model', 'annotation'];

/** Reads items with valence–arousal values from a table (CSV/TSV/JSONL) or from face images. */
const extract: SourceKind<ExtractParams> = {
  name: 'extract',
  // 2: images cached per image, FaceChannel input as the authors' OpenCV preprocessing, crops per backend;
  // table rows after an unterminated quote are read again; invalid UTF-8 rows are item errors; `keep`.
  version: '2',
  paramsSchema: readJsonBeside(import.meta.url, 'params.schema.json'),
  consumes: [],
  produces: 'va',
  mode: 'source',

  axes(params): Readonly<Record<string, AxisSpec>> {
    return Array.isArray(params.vaSource) ? { vaSource: { param: 'vaSource', values: params.vaSource } } : {};
  },

  check: checkExtract,

  // A table's rows are a function of its bytes and the params; images go through a detector and a
  // network, each image cached on its own (SourceWork), so their records are not reused whole.
  reusable: {
    code: import.meta.url,
    files: (ctx) => (ctx.params.images === undefined && ctx.params.table !== undefined ? [resolveInput(ctx.specDir, ctx.params.table).absolute] : null),
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
      keep: params.keep,
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
