import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { UNIT_RANGE, type Interval } from '../../src/va/rescale.js';
import type { ExtractParams } from './params.generated.js';
import { requireFile, resolveInput } from './files.js';
import { DEFAULT_COLUMNS, DEFAULT_LABEL_SEPARATOR } from './table.js';
import { isBlank, parseLabel, parseVaPair } from './cells.js';
import { keptColumns, keptFields } from './keep.js';
import { formatRowProblem } from './row-problems.js';
import { readTableRows, tableFormatOf } from './table-rows.js';

/** Image files a folder contributes (not its subfolders; a glob such as `faces/**\/*.jpg` reaches those). */
const IMAGE_GLOB = '*.{jpg,jpeg,png,webp,JPG,JPEG,PNG,WEBP}';

/**
 * The images named by `images:`. Item ids are paths relative to `root`: the folder itself, or a glob's
 * static part (`data/faces` for `data/faces/**\/*.jpg`), so they stay the same when the pipeline file
 * moves and the labels table can name files the same way.
 */
export interface ImageListing {
  readonly root: string;
  /** Absolute paths, sorted by id. */
  readonly files: readonly string[];
}

/** The static leading folders of a glob (`a/b` for `a/b/*.jpg`); a plain file path gives its folder. */
async function globRoot(pattern: string): Promise<string> {
  const { isDynamicPattern } = await import('tinyglobby');
  const segments = pattern.split('/');
  const firstDynamic = segments.findIndex((segment) => isDynamicPattern(segment));
  return firstDynamic === -1 ? path.posix.dirname(pattern) : segments.slice(0, firstDynamic).join('/') || '.';
}

/** Lists the images, or explains what is wrong with `images` (missing folder, nothing matched). */
export async function listImages(specDir: string, images: string): Promise<ImageListing | { problem: string }> {
  const absolute = path.resolve(specDir, images);
  const info = await stat(absolute).catch(() => null);
  const { glob, isDynamicPattern } = await import('tinyglobby');
  if (info?.isDirectory()) {
    const files = await glob(IMAGE_GLOB, { cwd: absolute, absolute: true, onlyFiles: true });
    if (files.length === 0) return { problem: `no image files (jpg, jpeg, png, webp) in the folder ${images} (resolved to ${absolute})` };
    return { root: absolute, files: sortById(files) };
  }
  const root = path.resolve(specDir, await globRoot(images));
  if (!isDynamicPattern(images) && !info) return { problem: `folder not found: ${images} (resolved to ${absolute})` };
  const rootInfo = await stat(root).catch(() => null);
  if (!rootInfo?.isDirectory()) return { problem: `folder not found: ${path.relative(specDir, root) || '.'} (the folder of ${images}, resolved to ${root})` };
  const files = await glob(images, { cwd: specDir, absolute: true, onlyFiles: true });
  if (files.length === 0) return { problem: `no image files match ${images} (resolved against ${specDir})` };
  return { root, files: sortById(files) };
}

export function imageId(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** Every file lies under `root`, so absolute paths sort as their ids do. */
function sortById(files: readonly string[]): string[] {
  return [...files].sort();
}

/** What the labels file says about one image. */
export interface ImageLabels {
  /** Where the image's row starts in the labels table (absent on a problem found while matching). */
  readonly line?: number;
  readonly row?: number;
  readonly label?: string | string[];
  readonly reference?: string;
  readonly annotated?: { readonly valence: number; readonly arousal: number };
  /** `with.keep` fields from the image's row. */
  readonly kept?: Readonly<Record<string, unknown>>;
  /** A problem with this image's row (bad annotated VA or kept cell): the image becomes an item error. */
  readonly problem?: string;
}

/**
 * The labels table as file → labels. A row's `file` is the image's id (its path relative to the images
 * root) or, when no two images share it, its base name.
 */
export class ImageLabelIndex {
  private readonly byBaseName = new Map<string, string[]>();

  constructor(private readonly byFile: ReadonlyMap<string, ImageLabels>, ids: readonly string[]) {
    for (const id of ids) {
      const base = path.posix.basename(id);
      this.byBaseName.set(base, [...(this.byBaseName.get(base) ?? []), id]);
    }
  }

  /** The labels of image `id`, or a problem when its base name is ambiguous. */
  labelsFor(id: string): ImageLabels | undefined {
    const exact = this.byFile.get(id);
    if (exact) return exact;
    const base = path.posix.basename(id);
    const byBase = this.byFile.get(base);
    if (!byBase) return undefined;
    const sharing = this.byBaseName.get(base) ?? [];
    if (sharing.length > 1) return { problem: `${id}: the labels row "${base}" matches ${sharing.length} images (${sharing.join(', ')}); name the file by its path relative to the images folder` };
    return byBase;
  }
}

/**
 * Reads the labels table into file → labels; rows are keyed by `file`. A row that cannot be read, or a
 * file named twice, stops the task with its line: no image can be matched to a row that is not
 * understood. A bad annotation or kept cell only fails that image.
 */
export async function readImageLabels(params: ExtractParams, ctx: { readonly specDir: string; readonly signal?: AbortSignal }): Promise<Map<string, ImageLabels>> {
  const byFile = new Map<string, ImageLabels>();
  if (params.labels === undefined) return byFile;
  const file = resolveInput(ctx.specDir, params.labels);
  await requireFile(file);
  const format = tableFormatOf(file.absolute);
  if (!format) throw new ConfigError(`labels: ${file.shown}: expected a .csv, .tsv or .jsonl file`);
  const columns = { ...DEFAULT_COLUMNS, ...params.columns };
  const separator = params.labelSeparator ?? DEFAULT_LABEL_SEPARATOR;
  const range: Interval = params.range ?? UNIT_RANGE;
  const lineOf = new Map<string, number>();
  const kept = keptColumns(params.keep);
  for await (const entry of readTableRows({ file: file.absolute, shown: file.shown, format, signal: ctx.signal })) {
    if ('columns' in entry) {
      if (!entry.columns.includes('file')) throw new ConfigError(`${file.shown}: the labels table needs a \`file\` column (image file name), found ${entry.columns.join(', ')}`);
      const absent = kept.filter(({ column }) => !entry.columns.includes(column));
      if (absent.length) throw new ConfigError(`${file.shown}: no column ${absent.map(({ field, column }) => `"${column}" (with.keep.${field})`).join(', ')} (header: ${entry.columns.join(', ')})`);
      continue;
    }
    const at = { file: file.shown, line: entry.line, row: entry.row };
    if ('message' in entry) throw new ConfigError(formatRowProblem({ ...at, kind: entry.kind, detail: entry.message }));
    const name = entry.cells.file;
    if (typeof name !== 'string' || name.trim() === '') throw new ConfigError(formatRowProblem({ ...at, kind: 'missing', column: 'file', detail: 'no image file name' }));
    const key = name.trim().replaceAll('\\', '/');
    const earlier = lineOf.get(key);
    if (earlier !== undefined) throw new ConfigError(formatRowProblem({ ...at, kind: 'duplicate-id', column: 'file', value: key, detail: `"${key}" is already labelled on line ${earlier}` }));
    lineOf.set(key, entry.line);
    const label = parseLabel(entry.cells[columns.label], separator, columns.label);
    if (label && 'problem' in label) throw new ConfigError(formatRowProblem({ ...at, ...label.problem }));
    const reference = entry.cells[columns.reference];
    const labels: { -readonly [K in keyof ImageLabels]: ImageLabels[K] } = { line: entry.line, row: entry.row };
    if (label) labels.label = label.value;
    if (typeof reference === 'string' && reference.trim() !== '') labels.reference = reference;
    const keptCells = keptFields(kept, entry.cells);
    if ('problem' in keptCells) labels.problem = formatRowProblem({ ...at, ...keptCells.problem });
    else if (Object.keys(keptCells.value).length) labels.kept = keptCells.value;
    const hasAnnotation = [columns.annotatedValence, columns.annotatedArousal].some((c) => !isBlank(entry.cells[c]));
    if (hasAnnotation) {
      const pair = parseVaPair({ cells: entry.cells, valenceColumn: columns.annotatedValence, arousalColumn: columns.annotatedArousal, range });
      if ('value' in pair) labels.annotated = pair.value;
      else labels.problem ??= formatRowProblem({ ...at, ...pair.problem });
    }
    byFile.set(key, labels);
  }
  return byFile;
}
