import { FACECHANNEL } from './architecture.js';

/** A decoded image as packed 8-bit RGB, EXIF orientation applied. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
}

/** A face box in pixels of the decoded image. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp> | undefined;
export function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

/** Decodes JPEG / PNG / WebP (anything sharp reads) to RGB; throws sharp's error for an undecodable file. */
export async function decodeImage(bytes: Buffer): Promise<DecodedImage> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(bytes, { failOn: 'truncated' }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, rgb: data };
}

/** Grows a box by `margin` of its size on each side, clipped to the image; integer pixels. */
export function expandBox(box: FaceBox, image: { width: number; height: number }, margin: number): FaceBox {
  const x0 = Math.max(0, Math.floor(box.x - box.width * margin));
  const y0 = Math.max(0, Math.floor(box.y - box.height * margin));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width * (1 + margin)));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height * (1 + margin)));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/**
 * FaceChannel's own preprocessing (imageProcessingUtil.preProcess): crop → grayscale with OpenCV's
 * BGR2GRAY weights (0.299 R + 0.587 G + 0.114 B) → 64×64 (bilinear) → /255, one channel first.
 * Returns 64·64 floats in [0, 1], row-major.
 */
export async function faceChannelInput(image: DecodedImage, box: FaceBox | null): Promise<Float32Array> {
  const region = box ?? { x: 0, y: 0, width: image.width, height: image.height };
  const gray = Buffer.alloc(region.width * region.height);
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const p = ((region.y + y) * image.width + region.x + x) * 3;
      gray[y * region.width + x] = Math.round(0.299 * image.rgb[p] + 0.587 * image.rgb[p + 1] + 0.114 * image.rgb[p + 2]);
    }
  }
  const sharp = await loadSharp();
  const { width, height } = FACECHANNEL.input;
  const resized = await sharp(gray, { raw: { width: region.width, height: region.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = resized[i] / 255;
  return out;
}
