import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TextDecoder, TextEncoder, types } from 'node:util';
import { packageRoot } from '../util/paths.js';
import type { DecodedImage, FaceBox } from './preprocess.js';

/**
 * The bundled @vladmandic/face-api 1.7.15 (MIT): tiny face detector + 7-class expression net, run on
 * the TF.js CPU backend that its ESM build bundles. What works offline here, and why it is loaded so:
 * - @tensorflow/tfjs-node is not installed, and face-api.node*.js `require` @tensorflow/tfjs(-backend-wasm),
 *   which are not installed either; face-api.esm.js bundles TF.js 4.22 (cpu + wasm backends).
 * - The wasm backend needs tfjs-backend-wasm.wasm, which the package does not ship: CPU only.
 * - Importing face-api.esm.js in Node crashes while TF.js installs its Node platform (its bundled
 *   `util` is an empty shim: "this.util.TextEncoder is not a constructor"). So `process.versions.node`
 *   is hidden for the duration of the import and a Node platform is installed afterwards.
 * - face-api's own environment check fails under ESM (no `require`); `env.setEnv` supplies one
 *   without canvas: inputs are always tf tensors built from sharp's raw RGB.
 * Weights are read from node_modules/@vladmandic/face-api/model and decoded with tf.io.decodeWeights.
 */

export const FACE_API_EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type FaceApiExpression = (typeof FACE_API_EXPRESSIONS)[number];

export interface DetectedFace {
  readonly box: FaceBox;
  readonly score: number;
}

export interface FaceApi {
  /** Faces found in the image, largest first; boxes in the image's pixels. */
  detectFaces(image: DecodedImage): Promise<readonly DetectedFace[]>;
  /** Expression probabilities of one face crop (or the whole image when box is null). */
  expressions(image: DecodedImage, box: FaceBox | null): Promise<Readonly<Record<FaceApiExpression, number>>>;
}

type FaceApiModule = typeof import('@vladmandic/face-api');

/** The part of the bundled TF.js that vaflow uses; face-api's typings declare only a subset of tf. */
interface TfRuntime {
  env(): { setPlatform(name: string, platform: object): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
}

function isTfRuntime(tf: unknown): tf is TfRuntime {
  if (typeof tf !== 'object' || tf === null) return false;
  return ['env', 'setBackend', 'ready'].every((k) => typeof Reflect.get(tf, k) === 'function');
}

/** Detection runs on a copy whose longer side is at most this (the detector's own input is 416). */
const DETECT_MAX_SIDE = 640;
const MODEL_DIR = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'model');

let loaded: Promise<FaceApi> | undefined;

export function loadFaceApi(): Promise<FaceApi> {
  loaded ??= createFaceApi().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

async function importFaceApi(): Promise<FaceApiModule> {
  const versions = Object.getOwnPropertyDescriptor(process, 'versions');
  if (!versions) throw new Error('process.versions is missing');
  Object.defineProperty(process, 'versions', { ...versions, value: { ...process.versions, node: undefined } });
  try {
    // The ESM bundle has no typings of its own: it exports the same API as the package entry.
    const mod: FaceApiModule = await import('@vladmandic/face-api/dist/face-api.esm.js' as string);
    return mod;
  } finally {
    Object.defineProperty(process, 'versions', versions);
  }
}

async function createFaceApi(): Promise<FaceApi> {
  const faceapi = await importFaceApi();
  const tf = faceapi.tf;
  const runtime: unknown = tf;
  if (!isTfRuntime(runtime)) throw new Error('@vladmandic/face-api: its bundled TF.js lacks env/setBackend/ready');
  runtime.env().setPlatform('node', {
    fetch: (url: string, init?: RequestInit) => fetch(url, init),
    now: () => performance.now(),
    encode: (text: string) => new TextEncoder().encode(text),
    decode: (bytes: Uint8Array, encoding: string) => new TextDecoder(encoding).decode(bytes),
    isTypedArray: (value: unknown): value is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray => types.isTypedArray(value),
    setTimeoutCustom: (fn: () => void, delay: number) => void setTimeout(fn, delay),
  });
  class NoCanvas {}
  const noCanvas = (): never => {
    throw new Error('vaflow passes tensors to face-api; no canvas is available');
  };
  faceapi.env.setEnv({
    Canvas: NoCanvas, CanvasRenderingContext2D: NoCanvas, Image: NoCanvas, ImageData: NoCanvas, Video: NoCanvas,
    createCanvasElement: noCanvas, createImageElement: noCanvas, fetch, readFile: (file: string) => readFile(file),
    // face-api types these as DOM classes; with tensor inputs it only tests `instanceof` against them.
  } as unknown as Parameters<typeof faceapi.env.setEnv>[0]);
  if (!(await runtime.setBackend('cpu'))) throw new Error('@vladmandic/face-api: the TF.js cpu backend did not initialise');
  await runtime.ready();

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
      const full = toTensor(image);
      const crop = box
        ? tf.tidy(() => tf.slice(full, [Math.max(0, Math.floor(box.y)), Math.max(0, Math.floor(box.x)), 0], [Math.max(1, Math.floor(Math.min(box.height, image.height - box.y))), Math.max(1, Math.floor(Math.min(box.width, image.width - box.x))), 3]))
        : full;
      try {
        const result = await faceapi.nets.faceExpressionNet.predictExpressions(crop);
        const one = Array.isArray(result) ? result[0] : result;
        return Object.fromEntries(FACE_API_EXPRESSIONS.map((e) => [e, Number(one[e])])) as Record<FaceApiExpression, number>;
      } finally {
        if (crop !== full) crop.dispose();
        full.dispose();
      }
    },
  };
}
