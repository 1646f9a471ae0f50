import { FACECHANNEL } from './architecture.js';
import { grayFromRgb, resizeLinear, type PixelRegion } from './opencv-compat.js';

export type { FaceBox } from './crops.js';
export type { PixelRegion } from './opencv-compat.js';

/** A decoded image as packed 8-bit RGB, EXIF orientation applied. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
}

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp> | undefined;
export function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

/**
 * Decodes JPEG / PNG / WebP (anything sharp reads) to RGB; throws sharp's error for an undecodable file.
 * On the face-api demo JPEGs this gives the very pixels cv2.imread gives (opencv-compat.test.ts).
 */
export async function decodeImage(bytes: Buffer): Promise<DecodedImage> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(bytes, { failOn: 'truncated' }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, rgb: data };
}

/**
 * FaceChannel's own preprocessing (imageProcessingUtil.preProcess) of a face crop (the whole image
 * when `region` is null): cv2.cvtColor BGR2GRAY → cv2.resize to 64×64 (INTER_LINEAR) → float /255,
 * one channel first. Returns 64·64 floats in [0, 1], row-major; equal to the authors' for the same crop.
 */
export function faceChannelInput(image: DecodedImage, region: PixelRegion | null): Float32Array {
  const gray = grayFromRgb(image.rgb, image.width, region ?? { x: 0, y: 0, width: image.width, height: image.height });
  const { width, height } = FACECHANNEL.input;
  const resized = resizeLinear(gray, width, height);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = resized.data[i] / 255;
  return out;
}
