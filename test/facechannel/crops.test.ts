import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorsRegion, copyRegion, faceApiRegion } from '../../src/facechannel/crops.js';

/** A width×height image whose pixel (x, y) is [x, y, 7]. */
function coordinateImage(width: number, height: number) {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([x, y, 7], (y * width + x) * 3);
  return { width, height, rgb };
}

function pixels(image: { width: number; height: number; rgb: Buffer }): number[][] {
  return Array.from({ length: image.width * image.height }, (_, i) => [image.rgb[i * 3], image.rgb[i * 3 + 1]]);
}

test("face-api's crop: the box clipped at the borders, then x, y, width, height floored; never below 1×1", () => {
  const size = { width: 5, height: 4 };
  assert.deepEqual(faceApiRegion({ x: 1.7, y: 2.2, width: 2.6, height: 1.9 }, size), { x: 1, y: 2, width: 2, height: 1 });
  // Reaching over the top-left corner: clipped to 0 first, so the width shrinks by what lay outside.
  assert.deepEqual(faceApiRegion({ x: -2.5, y: -1, width: 4, height: 2 }, size), { x: 0, y: 0, width: 1, height: 1 });
  assert.deepEqual(faceApiRegion({ x: 3, y: 3, width: 10, height: 10 }, size), { x: 3, y: 3, width: 2, height: 1 });
  assert.deepEqual(faceApiRegion({ x: 2, y: 1, width: 0.4, height: 0 }, size), { x: 2, y: 1, width: 1, height: 1 });
  const image = coordinateImage(5, 4);
  assert.deepEqual(pixels(copyRegion(image, faceApiRegion({ x: 1, y: 2, width: 3, height: 2 }, image))), [[1, 2], [2, 2], [3, 2], [1, 3], [2, 3], [3, 3]]);
});

test("FaceChannel authors' crop: corners truncated, end clamped to size − 1 and exclusive, empty → null", () => {
  const size = { width: 100, height: 80 };
  // numpy astype(int) truncates the corners: x 10.9 → 10, end 10.9 + 20.5 = 31.4 → 31 (exclusive).
  assert.deepEqual(authorsRegion({ x: 10.9, y: 5.2, width: 20.5, height: 30.9 }, size), { x: 10, y: 5, width: 21, height: 31 });
  // Past the right/bottom edge the end is size − 1, so the last column and row are never in a crop.
  assert.deepEqual(authorsRegion({ x: 90, y: 70, width: 30, height: 30 }, size), { x: 90, y: 70, width: 9, height: 9 });
  assert.deepEqual(authorsRegion({ x: -4.5, y: -3, width: 10, height: 10 }, size), { x: 0, y: 0, width: 5, height: 7 });
  assert.equal(authorsRegion({ x: 50.2, y: 10, width: 0.5, height: 10 }, size), null);
  assert.equal(authorsRegion({ x: 120, y: 10, width: 10, height: 10 }, size), null);
});
