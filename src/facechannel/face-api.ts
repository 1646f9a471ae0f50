import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../util/paths.js';
import { installedPackageDir } from '../util/package-dir.js';
import type { BackendRequest, FaceApiBackend } from './face-api-runtime.js';
import type { DecodedImage } from './preprocess.js';
import { copyRegion, faceApiRegion, type FaceBox } from './crops.js';

/**
 * The bundled @vladmandic/face-api 1.7.15 (MIT): tiny face detector + 7-class expression net on TF.js,
 * loaded lazily on first use (see face-api-runtime.ts for the backends). Inputs are always tf tensors
 * built from sharp's raw RGB, so no canvas is needed. Weights are read from
 * node_modules/@vladmandic/face-api/model and decoded with tf.io.decodeWeights.
 */

export const FACE_API_EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type FaceApiExpression = (typeof FACE_API_EXPRESSIONS)[number];

export interface DetectedFace {
  readonly box: FaceBox;
  readonly score: number;
}

export interface FaceApi {
  /** The TF.js backend the models run on. */
  readonly backend: FaceApiBackend;
  /** Faces found in the image, largest first; boxes in the image's pixels. */
  detectFaces(image: DecodedImage): Promise<readonly DetectedFace[]>;
  /** Expression probabilities of the face in `box` (the detector's box, cropped as face-api does), or of the whole image. */
  expressions(image: DecodedImage, box: FaceBox | null): Promise<Readonly<Record<FaceApiExpression, number>>>;
}

/**
 * How faces are found, as data: part of the extraction cache key. Detection runs on a copy whose longer
 * side is at most `maxSide` (the detector's own input is `inputSize`); the largest face is used.
 */
export const FACE_DETECTOR = { model: 'tiny_face_detector', inputSize: 416, scoreThreshold: 0.5, maxSide: 640, pick: 'largest' } as const;
const DETECTOR_WEIGHTS = 'tiny_face_detector_model';
const EXPRESSION_WEIGHTS = 'face_expression_model';
const MODEL_DIR = path.join(installedPackageDir('@vladmandic/face-api') ?? path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api'), 'model');

const digests = new Map<string, Promise<string>>();

/**
 * sha256 over a bundled net's weights manifest and shards (for cache keys), without loading TF.js.
 * `detector` is the tiny face detector, `expressions` the 7-class expression net.
 */
export function faceApiWeightsDigest(net: 'detector' | 'expressions'): Promise<string> {
  const name = net === 'detector' ? DETECTOR_WEIGHTS : EXPRESSION_WEIGHTS;
  let digest = digests.get(name);
  if (!digest) {
    digest = (async () => {
      const manifestText = await readFile(path.join(MODEL_DIR, `${name}-weights_manifest.json`));
      const manifest = JSON.parse(manifestText.toString('utf8')) as { paths: string[] }[];
      const hash = createHash('sha256').update(manifestText);
      for (const shard of manifest.flatMap((g) => g.paths)) hash.update(await readFile(path.join(MODEL_DIR, shard)));
      return hash.digest('hex');
    })();
    digests.set(name, digest);
  }
  return digest;
}

export interface LoadFaceApiOptions {
  /**
   * auto: the WASM backend, or the pure-JS CPU backend (with a notice on stderr) when WASM does not
   * start; wasm / cpu: that backend or an error (benchmarks compare them). @default auto
   */
  readonly backend?: BackendRequest;
}

let loaded: Promise<FaceApi> | undefined;

/** face-api, loaded once per process: TF.js keeps one engine per process, so the first backend stays. */
export async function loadFaceApi(options: LoadFaceApiOptions = {}): Promise<FaceApi> {
  const request = options.backend ?? 'auto';
  loaded ??= createFaceApi(request).catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  const api = await loaded;
  const family = api.backend === 'cpu' ? 'cpu' : 'wasm';
  if (request !== 'auto' && request !== family) {
    throw new Error(`face-api is already loaded on the ${api.backend} backend in this process; ${request} was asked for (TF.js serves one backend per process)`);
  }
  return api;
}

async function createFaceApi(request: BackendRequest): Promise<FaceApi> {
  const { loadFaceApiRuntime } = await import('./face-api-runtime.js');
  const { faceapi, backend } = await loadFaceApiRuntime(request, (message) => process.stderr.write(`vaflow: face-api: ${message}\n`));
  const tf = faceapi.tf;

  const loadNet = async (net: { loadFromWeightMap(map: unknown): void }, name: string): Promise<void> => {
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, `${name}-weights_manifest.json`), 'utf8')) as { paths: string[]; weights: unknown[] }[];
    const buffers = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(path.join(MODEL_DIR, p))));
    const all = Buffer.concat(buffers);
    const bytes = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    net.loadFromWeightMap(tf.io.decodeWeights(bytes, manifest.flatMap((g) => g.weights) as Parameters<typeof tf.io.decodeWeights>[1]));
  };
  await loadNet(faceapi.nets.tinyFaceDetector, DETECTOR_WEIGHTS);
  await loadNet(faceapi.nets.faceExpressionNet, EXPRESSION_WEIGHTS);

  const toTensor = (image: DecodedImage) => tf.tensor3d(new Int32Array(image.rgb), [image.height, image.width, 3], 'int32');
  const { loadSharp } = await import('./preprocess.js');

  return {
    backend,
    async detectFaces(image) {
      const scale = Math.min(1, FACE_DETECTOR.maxSide / Math.max(image.width, image.height));
      let small = image;
      if (scale < 1) {
        const sharp = await loadSharp();
        const width = Math.max(1, Math.round(image.width * scale));
        const height = Math.max(1, Math.round(image.height * scale));
        const rgb = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer();
        small = { width, height, rgb };
      }
      const input = toTensor(small);
      try {
        const found = await faceapi.detectAllFaces(input, new faceapi.TinyFaceDetectorOptions({ inputSize: FACE_DETECTOR.inputSize, scoreThreshold: FACE_DETECTOR.scoreThreshold }));
        const sx = image.width / small.width;
        const sy = image.height / small.height;
        return found
          .map((d) => ({ score: d.score, box: { x: d.box.x * sx, y: d.box.y * sy, width: d.box.width * sx, height: d.box.height * sy } }))
          .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
      } finally {
        input.dispose();
      }
    },
    async expressions(image, box) {
      // Only the crop becomes a tensor: converting a whole 1920×1280 photo cost more than the net itself.
      const input = toTensor(box ? copyRegion(image, faceApiRegion(box, image)) : image);
      try {
        const result = await faceapi.nets.faceExpressionNet.predictExpressions(input);
        const one = Array.isArray(result) ? result[0] : result;
        return Object.fromEntries(FACE_API_EXPRESSIONS.map((e) => [e, Number(one[e])])) as Record<FaceApiExpression, number>;
      } finally {
        input.dispose();
      }
    },
  };
}
