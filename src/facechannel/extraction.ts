import { ItemError } from '../errors.js';
import { installedDependencyVersions } from '../artifacts/manifest.js';
import { authorsRegion, faceApiRegion } from './crops.js';
import { FACE_DETECTOR, faceApiWeightsDigest, type DetectedFace, type FaceApi, type FaceApiExpression } from './face-api.js';
import type { PixelRegion } from './opencv-compat.js';
import type { FaceChannelSession } from './session.js';

/**
 * One image through decode → face detection → the backend's crop → its network. The result is what
 * the extract kind caches per image; the heavy runtimes (sharp, TF.js, onnxruntime) load on the first
 * image that is not cached, never before.
 */

export type ExtractionBackend = 'facechannel' | 'expression-mixture';

/** What the networks said about one image (JSON: it is the cached value). */
export type Extraction =
  | {
      /** Detection was asked for and found no face: an answer about the image, cached like any other. */
      readonly face: 'none';
      readonly width: number;
      readonly height: number;
    }
  | {
      /** `whole-image` when detection is off (the images are face crops already). */
      readonly face: 'detected' | 'whole-image';
      /** The region the backend's network saw, in pixels of the decoded image; null: the whole image. */
      readonly region: PixelRegion | null;
      readonly detectionScore: number | null;
      /** facechannel: the network's two outputs. */
      readonly arousal?: number;
      readonly valence?: number;
      /** expression-mixture: face-api's probabilities (mapped to VA by the kind, not cached as VA). */
      readonly expressions?: Readonly<Record<FaceApiExpression, number>>;
    };

/** How each backend crops and prepares a face: part of the cache key (docs/faces.md says why). */
export const PREPROCESSING: Readonly<Record<ExtractionBackend, Readonly<Record<string, string>>>> = {
  facechannel: {
    crop: "the authors': detector box, corners truncated, end exclusive, no margin",
    gray: 'OpenCV cvtColor BGR2GRAY, 8-bit',
    resize: 'OpenCV resize INTER_LINEAR to 64×64',
    scale: 'float /255, one channel first',
  },
  'expression-mixture': {
    crop: "face-api's: detector box clipped at the borders and floored, no margin",
    input: "face-api's expression net input (padded to a square, 112×112)",
  },
};

/** The packages whose code turns bytes into numbers on this path. */
const RUNTIME_PACKAGES = ['sharp', '@vladmandic/face-api', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node'] as const;

export interface ExtractionIdentityOptions {
  readonly backend: ExtractionBackend;
  readonly detectFaces: boolean;
  /** facechannel: sha256 of the ONNX file. */
  readonly modelDigest?: string;
}

/**
 * Everything but the image that decides an extraction: backend, network weights by digest, detector
 * and its settings, preprocessing, runtime versions. Cheap: reads weight files, loads no runtime.
 */
export async function extractionIdentity(options: ExtractionIdentityOptions): Promise<Record<string, unknown>> {
  const { backend, detectFaces, modelDigest } = options;
  if (backend === 'facechannel' && !modelDigest) throw new Error('extractionIdentity: facechannel needs the model digest');
  const versions = installedDependencyVersions();
  return {
    backend,
    model: backend === 'facechannel' ? { facechannel: modelDigest } : { faceApiExpressions: await faceApiWeightsDigest('expressions') },
    detector: detectFaces ? { ...FACE_DETECTOR, weights: await faceApiWeightsDigest('detector') } : null,
    preprocessing: PREPROCESSING[backend],
    runtimes: Object.fromEntries(RUNTIME_PACKAGES.map((name) => [name, versions[name] ?? 'not a dependency'])),
  };
}

export interface ExtractorOptions {
  readonly backend: ExtractionBackend;
  readonly detectFaces: boolean;
  /** facechannel: the FaceChannel session, opened on first use (the caller shares it across tasks). */
  readonly session?: () => Promise<FaceChannelSession>;
}

/**
 * A function from image bytes to an Extraction. Throws an ItemError (without the file name: the caller
 * adds it) for an undecodable image; a ConfigError when a model cannot load.
 */
export function createExtractor(options: ExtractorOptions): (bytes: Buffer) => Promise<Extraction> {
  const { backend, detectFaces } = options;
  if (backend === 'facechannel' && !options.session) throw new Error('createExtractor: facechannel needs a session');
  let faceApi: Promise<FaceApi> | undefined;
  const api = (): Promise<FaceApi> => (faceApi ??= import('./face-api.js').then((m) => m.loadFaceApi()));

  return async (bytes) => {
    const { decodeImage, faceChannelInput } = await import('./preprocess.js');
    let image: Awaited<ReturnType<typeof decodeImage>>;
    try {
      image = await decodeImage(bytes);
    } catch (error) {
      throw new ItemError(`cannot decode image (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    let face: DetectedFace | undefined;
    if (detectFaces) {
      [face] = await (await api()).detectFaces(image);
      if (!face) return { face: 'none', width: image.width, height: image.height };
    }
    const found = face ? 'detected' : 'whole-image';
    const detectionScore = face?.score ?? null;
    if (backend === 'facechannel') {
      const region = face ? authorsRegion(face.box, image) : null;
      if (face && !region) throw new ItemError(`the detected face box ${JSON.stringify(face.box)} is empty once cropped to the image`);
      const [va] = await (await options.session!()).run([faceChannelInput(image, region)]);
      return { face: found, region, detectionScore, arousal: va.arousal, valence: va.valence };
    }
    const expressions = await (await api()).expressions(image, face?.box ?? null);
    return { face: found, region: face ? faceApiRegion(face.box, image) : null, detectionScore, expressions };
  };
}
