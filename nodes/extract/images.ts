import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SourceItem, TaskContext } from '../../src/types/node-kind.js';
import { ConfigError, ItemError } from '../../src/errors.js';
import { UNIT_RANGE, type Interval } from '../../src/va/rescale.js';
import type { DecodedImage, FaceBox } from '../../src/facechannel/preprocess.js';
import type { ExtractParams } from './params.generated.js';
import { chosenVaSource } from './index.js';
import { missingFileMessage, requireFile, resolveInput } from './files.js';
import { DEFAULT_COLUMNS, DEFAULT_LABEL_SEPARATOR } from './table.js';
import { isBlank, parseLabel, parseVaPair } from './cells.js';
import { keptColumns, keptFields } from './keep.js';
import { formatRowProblem } from './row-problems.js';
import { readTableRows, tableFormatOf } from './table-rows.js';

const IMAGE_GLOB = '*.{jpg,jpeg,png,webp,JPG,JPEG,PNG,WEBP}';
/** Margin added on each side of a detected face, as a fraction of its size (the detector's boxes are tight). */
const FACE_MARGIN = 0.15;

/** What the labels file says about one image. */
export interface ImageLabels {
  /** Where the image's row starts in the labels table. */
  readonly line: number;
  readonly row: number;
  readonly label?: string | string[];
  readonly reference?: string;
  readonly annotated?: { readonly valence: number; readonly arousal: number };
  /** `with.keep` fields from the image's row. */
  readonly kept?: Readonly<Record<string, unknown>>;
  /** A problem with this image's row (bad annotated VA): the image becomes an item error. */
  readonly problem?: string;
}

/** The image files named by `images` (a folder, or a glob relative to the pipeline), sorted. */
export async function listImages(specDir: string, images: string): Promise<string[]> {
  const absolute = path.resolve(specDir, images);
  const isFolder = await stat(absolute).then((s) => s.isDirectory(), () => false);
  if (!isFolder && !/[*?[\]{}]/.test(images)) {
    throw new ConfigError(await missingFileMessage(resolveInput(specDir, images), 'directory') ?? `not a folder: ${images}`);
  }
  const { glob } = await import('tinyglobby');
  const files = isFolder
    ? await glob(IMAGE_GLOB, { cwd: absolute, absolute: true, onlyFiles: true })
    : await glob(images, { cwd: specDir, absolute: true, onlyFiles: true });
  if (files.length === 0) {
    throw new ConfigError(isFolder
      ? `no image files (${IMAGE_GLOB}) in folder ${images} (resolved to ${absolute})`
      : `no image files match ${images} (resolved against ${specDir})`);
  }
  return files.sort();
}

/**
 * Reads the labels table into file name → labels; rows are keyed by `file` (a relative path or a
 * base name). A row that cannot be read, or a file named twice, stops the task with its line: no
 * image can be matched to a row that is not understood. A bad annotation or kept cell only fails
 * that image.
 */
export async function readLabels(options: { params: ExtractParams; specDir: string; signal?: AbortSignal }): Promise<Map<string, ImageLabels>> {
  const { params } = options;
  const byFile = new Map<string, ImageLabels>();
  if (params.labels === undefined) return byFile;
  const file = resolveInput(options.specDir, params.labels);
  await requireFile(file);
  const format = tableFormatOf(file.absolute);
  if (!format) throw new ConfigError(`labels: ${file.shown}: expected a .csv, .tsv or .jsonl file`);
  const columns = { ...DEFAULT_COLUMNS, ...params.columns };
  const separator = params.labelSeparator ?? DEFAULT_LABEL_SEPARATOR;
  const range: Interval = params.range ?? UNIT_RANGE;
  const lineOf = new Map<string, number>();
  const kept = keptColumns(params.keep);
  for await (const entry of readTableRows({ file: file.absolute, shown: file.shown, format, signal: options.signal })) {
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
    const labels: { line: number; row: number; label?: string | string[]; reference?: string; annotated?: { valence: number; arousal: number }; kept?: Record<string, unknown>; problem?: string } = { line: entry.line, row: entry.row };
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

function labelsFor(byFile: Map<string, ImageLabels>, relative: string): ImageLabels | undefined {
  return byFile.get(relative) ?? byFile.get(path.posix.basename(relative));
}

/** One image through decode and (optional) detection; an Error is that image's item error. */
interface Prepared {
  readonly id: string;
  readonly relative: string;
  readonly labels: ImageLabels | undefined;
  readonly image: DecodedImage;
  readonly box: FaceBox | null;
  readonly detectionScore: number | null;
}

export async function* imageItems(params: ExtractParams, ctx: TaskContext<ExtractParams>): AsyncIterable<SourceItem> {
  if (params.images === undefined) throw new ConfigError('extract: `images` is not set');
  const backend = params.backend ?? 'facechannel';
  const detect = params.detectFaces ?? true;
  const batchSize = params.batchSize ?? 32;
  const vaSource = chosenVaSource(ctx);
  const files = (await listImages(ctx.specDir, params.images)).slice(0, params.limit);
  const labels = await readLabels({ params, specDir: ctx.specDir, signal: ctx.signal });

  const { decodeImage, expandBox, faceChannelInput } = await import('../../src/facechannel/preprocess.js');
  const session = backend === 'facechannel' ? await openModel(params, ctx) : null;
  const faceApi = detect || backend === 'expression-mixture' ? await (await import('../../src/facechannel/face-api.js')).loadFaceApi() : null;
  const mixture = backend === 'expression-mixture' ? await import('../../src/facechannel/expression-mixture.js') : null;

  const prepare = async (absolute: string): Promise<Prepared> => {
    const relative = path.relative(ctx.specDir, absolute).split(path.sep).join('/');
    const fail = (what: string, cause?: unknown): ItemError => new ItemError(`${relative}: ${what}`, { cause });
    let image: DecodedImage;
    try {
      image = await decodeImage(await readFile(absolute));
    } catch (error) {
      throw fail(`cannot decode image (${error instanceof Error ? error.message : String(error)})`, error);
    }
    let box: FaceBox | null = null;
    let detectionScore: number | null = null;
    if (detect && faceApi) {
      const [largest] = await faceApi.detectFaces(image);
      if (!largest) throw fail(`no face detected (${image.width}×${image.height} image)`);
      box = expandBox(largest.box, image, FACE_MARGIN);
      detectionScore = largest.score;
    }
    return { id: relative, relative, labels: labelsFor(labels, relative), image, box, detectionScore };
  };

  const record = (p: Prepared, model: { valence: number; arousal: number }): SourceItem => {
    if (p.labels?.problem) return { id: p.id, error: new ItemError(p.labels.problem) };
    const annotated = p.labels?.annotated;
    if (vaSource === 'annotation' && !annotated) return { id: p.id, error: new ItemError(`${p.relative}: vaSource is annotation but the labels file has no annotated valence/arousal for this image`) };
    const chosen = vaSource === 'annotation' && annotated ? annotated : model;
    const modelSource = backend;
    const fields: Record<string, unknown> = {
      ...p.labels?.kept,
      path: p.relative,
      box: p.box,
      detectionScore: p.detectionScore,
      valence: chosen.valence,
      arousal: chosen.arousal,
      vaSource: vaSource === 'annotation' ? 'annotation' : modelSource,
      backend,
      extracted: { valence: model.valence, arousal: model.arousal, source: modelSource, ...(mixture ? { pointsSource: mixture.EXPRESSION_MIXTURE_SOURCE } : {}) },
    };
    if (annotated) fields.annotated = annotated;
    if (p.labels?.label !== undefined) fields.label = p.labels.label;
    if (p.labels?.reference !== undefined) fields.reference = p.labels.reference;
    return { id: p.id, fields };
  };

  for (let start = 0; start < files.length; start += batchSize) {
    if (ctx.signal.aborted) return;
    const chunk = files.slice(start, start + batchSize);
    const prepared: (Prepared | SourceItem)[] = [];
    for (const file of chunk) {
      try {
        prepared.push(await prepare(file));
      } catch (error) {
        const id = path.relative(ctx.specDir, file).split(path.sep).join('/');
        prepared.push({ id, error: error instanceof Error ? error : new ItemError(`${id}: ${String(error)}`) });
      }
    }
    const ok = prepared.filter((p): p is Prepared => 'image' in p);
    const va = new Map<Prepared, { valence: number; arousal: number }>();
    if (session) {
      const inputs = await Promise.all(ok.map((p) => faceChannelInput(p.image, p.box)));
      const outputs = ok.length ? await session.run(inputs) : [];
      ok.forEach((p, i) => va.set(p, outputs[i]));
    } else if (mixture && faceApi) {
      for (const p of ok) va.set(p, mixture.expressionMixtureVa(await faceApi.expressions(p.image, p.box)));
    }
    for (const p of prepared) {
      if (!('image' in p)) yield p;
      else {
        const value = va.get(p);
        yield value ? record(p, value) : { id: p.id, error: new ItemError(`${p.relative}: no VA was computed`) };
      }
    }
  }
}

async function openModel(params: ExtractParams, ctx: TaskContext<ExtractParams>) {
  if (params.model === undefined) throw new ConfigError('extract: backend facechannel needs `model` (an ONNX file from `vaflow import facechannel`); or set backend: expression-mixture');
  const { openFaceChannel } = await import('../../src/facechannel/session.js');
  return openFaceChannel(resolveInput(ctx.specDir, params.model).absolute);
}
