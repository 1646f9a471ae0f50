import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { BackendRequest, FaceApiBackend } from './face-api-runtime.js';
import type { DecodedImage, FaceBox } from './preprocess.js';

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
  /** Expression probabilities of one face crop (or the whole image when box is null). */
  expressions(image: DecodedImage, box: FaceBox | null): Promise<Readonly<Record<FaceApiExpression, number>>>;
}

/** Detection runs on a copy whose longer side is at most this (the detector's own input is 416). */
const DETECT_MAX_SIDE = 640;
const MODEL_DIR = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'model');

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
  await loadNet(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model');
  await loadNet(faceapi.nets.faceExpressionNet, 'face_expression_model');

  const toTensor = (image: DecodedImage) => tf.tensor3d(new Int32Array(image.rgb), [image.height, image.width, 3], 'int32');
  const { loadSharp } = await import('./preprocess.js');

  return {
    backend,
    async detectFaces(image) {
      const scale = Math.min(1, DETECT_MAX_SIDE / Math.max(image.width, image.height));
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
        const found = await faceapi.detectAllFaces(input, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
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
      const input = toTensor(box ? cropImage(image, box) : image);
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

/** The pixels of `box` (its intersection with the image, at least 1×1), copied row by row. */
export function cropImage(image: DecodedImage, box: FaceBox): DecodedImage {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const left = Math.floor(box.x);
  const top = Math.floor(box.y);
  const x0 = clamp(left, 0, image.width - 1);
  const y0 = clamp(top, 0, image.height - 1);
  const width = clamp(left + Math.floor(box.width) - x0, 1, image.width - x0);
  const height = clamp(top + Math.floor(box.height) - y0, 1, image.height - y0);
  const rgb = Buffer.allocUnsafe(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y0 + row) * image.width + x0) * 3;
    image.rgb.copy(rgb, row * width * 3, from, from + width * 3);
  }
  return { width, height, rgb };
}
