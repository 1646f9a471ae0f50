import { readFile } from 'node:fs/promises';
import type { SourceItem, SourceWork, TaskContext } from '../../src/types/node-kind.js';
import { ConfigError, ItemError } from '../../src/errors.js';
import { sha256 } from '../../src/util/hash.js';
import { createExtractor, extractionIdentity, type Extraction, type ExtractionBackend } from '../../src/facechannel/extraction.js';
import type { ExtractParams } from './params.generated.js';
import { chosenVaSource } from './index.js';
import { missingFileMessage, resolveInput } from './files.js';
import { ImageLabelIndex, imageId, listImages, readImageLabels, type ImageLabels } from './image-files.js';
import type { VaSource } from './table.js';

/**
 * Face images as `va` items. Listing the images, reading the labels and hashing each file is all this
 * does up front; each image is then one unit of source work that the engine caches under the image's
 * content digest, the model's digest, the backend, the detector and the preprocessing (see
 * src/facechannel/extraction.ts). A rerun or a plan loads no network; a `vaSource: [model, annotation]`
 * pair of tasks computes each image once.
 */
export async function* imageItems(params: ExtractParams, ctx: TaskContext<ExtractParams>): AsyncIterable<SourceItem> {
  if (params.images === undefined) throw new ConfigError('extract: `images` is not set');
  const backend: ExtractionBackend = params.backend ?? 'facechannel';
  const detectFaces = params.detectFaces ?? true;
  const vaSource = chosenVaSource(ctx);
  const listing = await listImages(ctx.specDir, params.images);
  if ('problem' in listing) throw new ConfigError(`images: ${listing.problem}`);
  const files = listing.files.slice(0, params.limit);
  const ids = files.map((file) => imageId(listing.root, file));
  const labels = new ImageLabelIndex(await readImageLabels(params, ctx), ids);

  const modelFile = backend === 'facechannel' ? await facechannelModel(params, ctx.specDir) : undefined;
  const identity = await extractionIdentity({ backend, detectFaces, modelDigest: modelFile && (await ctx.providers.fileDigest(modelFile)) });
  const extract = createExtractor({
    backend,
    detectFaces,
    // One session per model file and run, shared by the tasks of a vaSource matrix.
    session: modelFile ? () => ctx.providers.shared(`facechannel:${modelFile}`, () => openSession(modelFile)) : undefined,
  });
  const mixture = backend === 'expression-mixture' ? await import('../../src/facechannel/expression-mixture.js') : null;

  for (const [index, file] of files.entries()) {
    if (ctx.signal.aborted) return;
    const id = ids[index];
    const imageLabels = labels.labelsFor(id);
    if (imageLabels?.problem) {
      yield { id, error: new ItemError(imageLabels.problem) };
      continue;
    }
    if (vaSource === 'annotation' && !imageLabels?.annotated) {
      yield { id, error: new ItemError(`${id}: vaSource is annotation but the labels file has no annotated valence/arousal for this image`) };
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      yield { id, error: new ItemError(`${id}: cannot read the file (${error instanceof Error ? error.message : String(error)})`, { cause: error }) };
      continue;
    }
    const work: SourceWork<Extraction> = {
      id,
      key: { ...identity, image: sha256(bytes) },
      compute: () => extract(bytes).catch((error: unknown) => {
        if (error instanceof ItemError) throw new ItemError(`${id}: ${error.message}`, { cause: error });
        throw error;
      }),
      finish: (value) => recordFields({ id, value, labels: imageLabels, vaSource, backend, mixture }),
    };
    yield work;
  }
}

interface RecordInput {
  readonly id: string;
  readonly value: Extraction;
  readonly labels: ImageLabels | undefined;
  readonly vaSource: VaSource;
  readonly backend: ExtractionBackend;
  readonly mixture: typeof import('../../src/facechannel/expression-mixture.js') | null;
}

/** The record of one image from its (fresh or cached) extraction; the same fields in the same order either way. */
function recordFields({ id, value, labels, vaSource, backend, mixture }: RecordInput): Record<string, unknown> {
  if (value.face === 'none') throw new ItemError(`${id}: no face detected (${value.width}×${value.height} image)`);
  let model: { valence: number; arousal: number };
  if (backend === 'facechannel') {
    if (typeof value.valence !== 'number' || typeof value.arousal !== 'number') throw new ItemError(`${id}: the extraction holds no FaceChannel output`);
    model = { valence: value.valence, arousal: value.arousal };
  } else {
    if (!value.expressions || !mixture) throw new ItemError(`${id}: the extraction holds no expression probabilities`);
    model = mixture.expressionMixtureVa(value.expressions);
  }
  const annotated = labels?.annotated;
  const chosen = vaSource === 'annotation' && annotated ? annotated : model;
  const fields: Record<string, unknown> = {
    ...labels?.kept,
    path: id,
    box: value.region,
    detectionScore: value.detectionScore,
    valence: chosen.valence,
    arousal: chosen.arousal,
    vaSource: vaSource === 'annotation' ? 'annotation' : backend,
    backend,
    extracted: { valence: model.valence, arousal: model.arousal, source: backend, ...(mixture ? { pointsSource: mixture.EXPRESSION_MIXTURE_SOURCE } : {}) },
  };
  if (value.expressions) fields.expressions = value.expressions;
  if (annotated) fields.annotated = annotated;
  if (labels?.label !== undefined) fields.label = labels.label;
  if (labels?.reference !== undefined) fields.reference = labels.reference;
  return fields;
}

/** The FaceChannel ONNX file, checked to exist (its digest is part of every key). */
async function facechannelModel(params: ExtractParams, specDir: string): Promise<string> {
  if (params.model === undefined) throw new ConfigError('extract: backend facechannel needs `model` (an ONNX file from `vaflow import facechannel`); or set backend: expression-mixture');
  const model = resolveInput(specDir, params.model);
  const missing = await missingFileMessage(model);
  if (missing) throw new ConfigError(`model: ${missing}; convert the authors' weights with \`vaflow import facechannel DimensionalFaceChannel.h5 -o ${params.model}\`, or use backend: expression-mixture`);
  return model.absolute;
}

async function openSession(modelFile: string) {
  const { openFaceChannel } = await import('../../src/facechannel/session.js');
  return openFaceChannel(modelFile);
}
