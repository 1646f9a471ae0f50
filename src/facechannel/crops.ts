import type { PixelRegion } from './opencv-compat.js';

/** A face box in pixels of the decoded image, as a detector reports it (fractional). */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * Each backend gets the crop its model was trained on: no margin for either (a margin once added for
 * FaceChannel turned face-api's laughing faces sad, see docs/faces.md).
 */

/**
 * face-api's own crop for its expression net (extractFaceTensors): the detector's box clipped at the
 * image borders (Box.clipAtImageBorders), then each of x, y, width, height floored; at least 1×1.
 */
export function faceApiRegion(box: FaceBox, image: Size): PixelRegion {
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const width = Math.min(box.x + box.width - x, image.width - x);
  const height = Math.min(box.y + box.height - y, image.height - y);
  const left = Math.min(Math.floor(x), image.width - 1);
  const top = Math.min(Math.floor(y), image.height - 1);
  return {
    x: left,
    y: top,
    width: Math.min(Math.max(1, Math.floor(width)), image.width - left),
    height: Math.min(Math.max(1, Math.floor(height)), image.height - top),
  };
}

/**
 * FaceChannel's authors' crop (imageProcessingUtil.detectFace): the corners truncated to integers
 * (numpy astype("int")), start clamped to 0, end clamped to size − 1, and the slice
 * image[startY:endY, startX:endX] (end exclusive). Null when that slice is empty.
 */
export function authorsRegion(box: FaceBox, image: Size): PixelRegion | null {
  const startX = Math.max(0, Math.trunc(box.x));
  const startY = Math.max(0, Math.trunc(box.y));
  const endX = Math.min(image.width - 1, Math.trunc(box.x + box.width));
  const endY = Math.min(image.height - 1, Math.trunc(box.y + box.height));
  if (endX <= startX || endY <= startY) return null;
  return { x: startX, y: startY, width: endX - startX, height: endY - startY };
}

/** The pixels of `region` (inside the image) of packed RGB, copied row by row. */
export function copyRegion(image: Size & { readonly rgb: Buffer }, region: PixelRegion): { width: number; height: number; rgb: Buffer } {
  const rgb = Buffer.allocUnsafe(region.width * region.height * 3);
  for (let row = 0; row < region.height; row++) {
    const from = ((region.y + row) * image.width + region.x) * 3;
    image.rgb.copy(rgb, row * region.width * 3, from, from + region.width * 3);
  }
  return { width: region.width, height: region.height, rgb };
}
