/**
 * The two OpenCV steps of FaceChannel's preprocessing (imageProcessingUtil.preProcess), re-implemented
 * integer for integer so vaflow's input equals the authors' for the same crop:
 *   cv2.cvtColor(face, cv2.COLOR_BGR2GRAY)   → grayFromRgb
 *   cv2.resize(gray, (64, 64))               → resizeLinear (the default, INTER_LINEAR)
 * Checked bit-exact against OpenCV 4.6.0 (test/facechannel/opencv-compat.test.ts, fixture made by
 * test/facechannel/opencv-reference.py): all 2^24 colours for the grey conversion, crops of the face-api
 * demo photos 1–700 px a side (up- and downscaling, the exact 2× case) resized to 64×64.
 */

/** OpenCV's 15-bit grey weights (R2YF·2^15 rounded: 0.299, 0.587, 0.114), as its 8-bit path uses them. */
const GRAY_R = 9798;
const GRAY_G = 19235;
const GRAY_B = 3735;
const GRAY_SHIFT = 15;

/** An 8-bit one-channel image, row-major. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A region in integer pixels, inside the image. */
export interface PixelRegion {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** cvtColor(BGR2GRAY) on 8 bits: (9798 R + 19235 G + 3735 B + 2^14) >> 15, over `region` of packed RGB. */
export function grayFromRgb(rgb: Uint8Array, imageWidth: number, region: PixelRegion): GrayImage {
  const data = new Uint8Array(region.width * region.height);
  for (let y = 0; y < region.height; y++) {
    let p = ((region.y + y) * imageWidth + region.x) * 3;
    const row = y * region.width;
    for (let x = 0; x < region.width; x++, p += 3) {
      data[row + x] = (GRAY_R * rgb[p] + GRAY_G * rgb[p + 1] + GRAY_B * rgb[p + 2] + (1 << (GRAY_SHIFT - 1))) >> GRAY_SHIFT;
    }
  }
  return { width: region.width, height: region.height, data };
}

/** Fixed-point interpolation weights carry 11 fractional bits (INTER_RESIZE_COEF_BITS). */
const COEF_SCALE = 2048;

interface Taps {
  /** First source index of each output index. */
  readonly offsets: Int32Array;
  /** Weights of the two taps per output index, summing to about COEF_SCALE. */
  readonly weights: Int32Array;
  /** Horizontal only: outputs from here on copy one clamped pixel (OpenCV's xmax). */
  readonly interpolatedUntil: number;
}

/**
 * Source taps of one axis, as resizeGeneric_ computes them: half-pixel centres in single precision,
 * (dx + 0.5)·scale − 0.5. Columns past the edges are clamped with the fraction zeroed; rows keep their
 * fraction and only the row index is clamped, so an edge row is the sum of two truncated products.
 */
function taps(source: number, target: number, horizontal: boolean): Taps {
  const scale = source / target;
  const offsets = new Int32Array(target);
  const weights = new Int32Array(target * 2);
  let interpolatedUntil = target;
  for (let d = 0; d < target; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (horizontal) {
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s + 1 >= source) {
        interpolatedUntil = Math.min(interpolatedUntil, d);
        if (s >= source - 1) {
          f = 0;
          s = source - 1;
        }
      }
    }
    offsets[d] = s;
    // cvRound rounds ties to even; for a 64-pixel target every weight is a whole number already, so no tie arises.
    weights[2 * d] = Math.round(Math.fround(Math.fround(1 - f) * COEF_SCALE));
    weights[2 * d + 1] = Math.round(Math.fround(f * COEF_SCALE));
  }
  return { offsets, weights, interpolatedUntil };
}

/**
 * cv2.resize(src, (width, height)) with INTER_LINEAR on one 8-bit channel: bilinear from the two
 * nearest source pixels per axis, with no low-pass filter when shrinking (a 300-pixel face becomes 64
 * pixels from 2×2 samples each, aliasing included, as FaceChannel was trained). OpenCV switches an
 * exact 2× shrink to its INTER_AREA fast path, which gives the same numbers as this (the test covers it).
 */
export function resizeLinear(src: GrayImage, width: number, height: number): GrayImage {
  const out = new Uint8Array(width * height);
  const columns = taps(src.width, width, true);
  const rows = taps(src.height, height, false);
  // Horizontal pass of one source row: values scaled by COEF_SCALE (at most 255·2048, an int32).
  const horizontal = (sourceRow: number): Int32Array => {
    const line = new Int32Array(width);
    const base = sourceRow * src.width;
    for (let x = 0; x < width; x++) {
      const s = base + columns.offsets[x];
      line[x] = x < columns.interpolatedUntil
        ? src.data[s] * columns.weights[2 * x] + src.data[s + 1] * columns.weights[2 * x + 1]
        : src.data[s] * COEF_SCALE;
    }
    return line;
  };
  const clampRow = (row: number): number => Math.min(Math.max(row, 0), src.height - 1);
  for (let y = 0; y < height; y++) {
    const top = horizontal(clampRow(rows.offsets[y]));
    const bottom = horizontal(clampRow(rows.offsets[y] + 1));
    const b0 = rows.weights[2 * y];
    const b1 = rows.weights[2 * y + 1];
    for (let x = 0; x < width; x++) {
      // As OpenCV's vectorised vertical pass (VResizeLinearVec_32s8u): 16-bit high products of the values shifted by 4, then /4 rounded.
      out[y * width + x] = (((b0 * (top[x] >> 4)) >> 16) + ((b1 * (bottom[x] >> 4)) >> 16) + 2) >> 2;
    }
  }
  return { width, height, data: out };
}
