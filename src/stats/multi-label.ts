import { type Value, defined, ratio, undefinedBecause } from './value.js';

/**
 * Multi-label metrics (Emotic: several categories per item). Truth and predictions are sets of class
 * codes; an invalid answer (null) is scored as the empty set, so it counts as wrong, and is also
 * reported on its own.
 */
export interface MultiLabelData {
  readonly truth: readonly (readonly number[])[];
  readonly pred: readonly (readonly number[] | null)[];
  /** Size of the label space (the label set, or the labels seen); Hamming loss divides by it. */
  readonly classCount: number;
}

export interface MultiLabelMetrics {
  readonly exactMatch: Value;
  readonly jaccard: Value;
  readonly hamming: Value;
  readonly microF1: Value;
  readonly macroF1: Value;
  readonly invalidRate: Value;
}

const EMPTY = 'empty group: no items';

export function multiLabelMetrics(data: MultiLabelData, indices?: ArrayLike<number>): MultiLabelMetrics {
  const n = indices ? indices.length : data.truth.length;
  if (n === 0) {
    const none = undefinedBecause(EMPTY);
    return { exactMatch: none, jaccard: none, hamming: none, microF1: none, macroF1: none, invalidRate: none };
  }
  const k = data.classCount;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  let exact = 0;
  let jaccardSum = 0;
  let symmetricDiff = 0;
  let invalid = 0;
  for (let j = 0; j < n; j++) {
    const i = indices ? indices[j] : j;
    const truth = new Set(data.truth[i]);
    const predList = data.pred[i];
    if (predList === null) invalid++;
    const pred = new Set(predList ?? []);
    let inter = 0;
    for (const c of pred) {
      if (truth.has(c)) { inter++; tp[c]++; } else fp[c]++;
    }
    for (const c of truth) if (!pred.has(c)) fn[c]++;
    const union = truth.size + pred.size - inter;
    // Both empty: the answer matches the truth exactly.
    jaccardSum += union === 0 ? 1 : inter / union;
    if (inter === truth.size && inter === pred.size) exact++;
    symmetricDiff += union - inter;
  }
  const sumTp = tp.reduce((a, b) => a + b, 0);
  const sumFp = fp.reduce((a, b) => a + b, 0);
  const sumFn = fn.reduce((a, b) => a + b, 0);
  const f1s: number[] = [];
  for (let c = 0; c < k; c++) {
    const den = 2 * tp[c] + fp[c] + fn[c];
    if (den > 0) f1s.push((2 * tp[c]) / den);
  }
  return {
    exactMatch: defined(exact / n),
    jaccard: defined(jaccardSum / n),
    hamming: ratio(symmetricDiff, n * k, 'empty label space'),
    microF1: ratio(2 * sumTp, 2 * sumTp + sumFp + sumFn, 'no labels in the truth or the predictions'),
    macroF1: ratio(f1s.reduce((a, b) => a + b, 0), f1s.length, 'no labels in the truth or the predictions'),
    invalidRate: defined(invalid / n),
  };
}
