/** Small dense-vector helpers shared by the embedders and embed-score. */

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/**
 * Cosine similarity; null when either vector has zero length (undefined, never NaN). Computed as
 * a·b / √(|a|²|b|²): for a = b that is d / √(d²) = d / d, exactly 1 (√ of a square is exact in
 * IEEE doubles), so an identical text scores 1.0 and not 0.9999999999999999.
 */
export function cosine(a: Float32Array, b: Float32Array, squaredNorms?: { readonly a: number; readonly b: number }): number | null {
  if (a.length !== b.length) throw new RangeError(`cosine of vectors of different lengths (${a.length} and ${b.length})`);
  const denominator = Math.sqrt((squaredNorms?.a ?? dot(a, a)) * (squaredNorms?.b ?? dot(b, b)));
  if (!(denominator > 0) || !Number.isFinite(denominator)) return null;
  return Math.min(1, Math.max(-1, dot(a, b) / denominator));
}

/** A unit-length copy; null for a zero or non-finite vector. */
export function unitVector(a: Float32Array): Float32Array | null {
  const length = norm(a);
  if (!(length > 0) || !Number.isFinite(length)) return null;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] / length;
  return out;
}

export function isFiniteVector(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** Float32 vector ↔ bytes (little-endian, as stored in the cache). */
export function vectorToBytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
}

export function bytesToVector(bytes: Uint8Array): Float32Array | null {
  if (bytes.byteLength % 4 !== 0) return null;
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}
