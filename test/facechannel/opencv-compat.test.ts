import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { grayFromRgb } from '../../src/facechannel/opencv-compat.js';
import { decodeImage, faceChannelInput, type DecodedImage } from '../../src/facechannel/preprocess.js';
import { packageRoot } from '../../src/util/paths.js';

/** What OpenCV 4.6.0 computed for the same inputs (written by opencv-reference.py beside this test). */
interface Reference {
  readonly opencv: string;
  readonly grayTableSha256: string;
  readonly photos: readonly { file: string; width: number; height: number; rgbSha256: string }[];
  readonly crops: readonly { file: string; x: number; y: number; width: number; height: number; gray64Deflated: string }[];
}

const reference: Reference = JSON.parse(await readFile(path.join(packageRoot, 'test', 'facechannel', 'opencv-reference.json'), 'utf8'));
const DEMO = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo');

test('grey conversion equals cv2.cvtColor(BGR2GRAY) for all 2^24 colours', () => {
  // The reference image: b slowest, then g, then r; one 256×256 slice per blue value.
  const hash = createHash('sha256');
  const slice = Buffer.alloc(256 * 256 * 3);
  for (let b = 0; b < 256; b++) {
    for (let g = 0; g < 256; g++) for (let r = 0; r < 256; r++) slice.set([r, g, b], (g * 256 + r) * 3);
    hash.update(grayFromRgb(slice, 256, { x: 0, y: 0, width: 256, height: 256 }).data);
  }
  assert.equal(hash.digest('hex'), reference.grayTableSha256, `differs from OpenCV ${reference.opencv}`);
});

test('sharp decodes the demo JPEGs to the very pixels cv2.imread gives', async () => {
  for (const photo of reference.photos) {
    const image = await decodeImage(await readFile(path.join(DEMO, photo.file)));
    assert.deepEqual([image.width, image.height], [photo.width, photo.height], photo.file);
    assert.equal(createHash('sha256').update(image.rgb).digest('hex'), photo.rgbSha256, `${photo.file}: decoded pixels differ from OpenCV's`);
  }
});

test("FaceChannel's input equals the authors' cvtColor + cv2.resize to 64×64 (/255) on crops of 1–700 px a side", async () => {
  const images = new Map<string, DecodedImage>();
  assert.ok(reference.crops.some((c) => c.width === 128 && c.height === 128), 'the exact 2× shrink is covered');
  assert.ok(reference.crops.some((c) => c.width < 64 || c.height < 64), 'upscaling is covered');
  for (const crop of reference.crops) {
    let image = images.get(crop.file);
    if (!image) images.set(crop.file, (image = await decodeImage(await readFile(path.join(DEMO, crop.file)))));
    const input = faceChannelInput(image, crop);
    const expected = inflateSync(Buffer.from(crop.gray64Deflated, 'base64'));
    assert.equal(input.length, expected.length);
    const differing: string[] = [];
    for (let i = 0; i < input.length; i++) {
      if (input[i] !== Math.fround(expected[i] / 255)) differing.push(`(${i % 64}, ${Math.floor(i / 64)}): ${input[i] * 255} vs ${expected[i]}`);
    }
    assert.deepEqual(differing.slice(0, 5), [], `${crop.file} crop ${crop.width}×${crop.height} at (${crop.x}, ${crop.y}): ${differing.length} pixels differ from OpenCV ${reference.opencv}`);
  }
});
