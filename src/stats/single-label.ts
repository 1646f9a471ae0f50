import { type Value, defined, ratio, undefinedBecause } from './value.js';

/**
 * Single-label classification metrics from a confusion matrix. Truth and predictions are class codes
 * 0 … K−1; an invalid answer is code −1 and lands in an extra last column, so it counts as wrong
 * everywhere (accuracy, recall, kappa) and is also reported on its own (invalid rate).
 */
export const INVALID = -1;

export interface SingleLabelData {
  /** Class code of the truth, per item. */
  readonly truth: ArrayLike<number>;
  /** Class code of the prediction per item, or INVALID. */
  readonly pred: ArrayLike<number>;
  readonly classCount: number;
}

/** Rows: truth class; columns: predicted class, then one column of invalid answers. `indices` picks (bootstrap) items. */
export function confusionMatrix(data: SingleLabelData, indices?: ArrayLike<number>): number[][] {
  const k = data.classCount;
  const cm = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  const n = indices ? indices.length : data.truth.length;
  for (let j = 0; j < n; j++) {
    const i = indices ? indices[j] : j;
    const p = data.pred[i];
    cm[data.truth[i]][p === INVALID ? k : p]++;
  }
  return cm;
}

/**
 * What every metric below is computed from: integer counts only, so however they are summed (nested
 * matrix or flat counts) the floating-point arithmetic after them is the same.
 */
export interface Margins {
  readonly n: number;
  readonly k: number;
  readonly correct: number;
  readonly invalid: number;
  /** Per class: true items (row sums). */
  readonly support: number[];
  /** Per class: items predicted as the class (column sums, invalid excluded). */
  readonly predicted: number[];
  /** Per class: items of the class predicted as it (the diagonal). */
  readonly hits: number[];
}

export function margins(cm: readonly (readonly number[])[]): Margins {
  return flatMargins(cm.flat(), cm.length);
}

/**
 * The confusion matrix as flat cell indices: item i falls in cell truth·(K+1) + (prediction, or K for
 * an invalid answer). Counting cells is the whole cost of a bootstrap resample of these metrics.
 */
export function confusionCells(data: SingleLabelData): Int32Array {
  const k = data.classCount;
  const cells = new Int32Array(data.truth.length);
  for (let i = 0; i < cells.length; i++) {
    const p = data.pred[i];
    cells[i] = data.truth[i] * (k + 1) + (p === INVALID ? k : p);
  }
  return cells;
}

/** Margins of the items `indices` picks (all when omitted), counted from their cells into `counts` (K·(K+1), reused). */
export function cellMargins(cells: Int32Array, k: number, counts: Int32Array, indices?: ArrayLike<number>): Margins {
  counts.fill(0);
  if (indices) for (let j = 0; j < indices.length; j++) counts[cells[indices[j]]]++;
  else for (let i = 0; i < cells.length; i++) counts[cells[i]]++;
  return flatMargins(counts, k);
}

/** Margins of a confusion matrix laid out flat: row t holds cells t·(K+1) … t·(K+1)+K, the last one invalid. */
export function flatMargins(counts: ArrayLike<number>, k: number): Margins {
  const support = new Array<number>(k).fill(0);
  const predicted = new Array<number>(k).fill(0);
  const hits = new Array<number>(k).fill(0);
  let n = 0;
  let invalid = 0;
  let correct = 0;
  for (let t = 0; t < k; t++) {
    const row = t * (k + 1);
    for (let p = 0; p < k; p++) {
      const c = counts[row + p];
      support[t] += c;
      predicted[p] += c;
    }
    const bad = counts[row + k];
    support[t] += bad;
    invalid += bad;
    n += support[t];
    hits[t] = counts[row + t];
    correct += hits[t];
  }
  return { n, k, correct, invalid, support, predicted, hits };
}

const EMPTY = 'empty group: no items';

export function accuracy(cm: readonly (readonly number[])[]): Value {
  return accuracyOf(margins(cm));
}

export function accuracyOf(m: Margins): Value {
  return ratio(m.correct, m.n, EMPTY);
}

export function invalidRate(cm: readonly (readonly number[])[]): Value {
  return invalidRateOf(margins(cm));
}

export function invalidRateOf(m: Margins): Value {
  return ratio(m.invalid, m.n, EMPTY);
}

export interface ClassMetrics {
  readonly support: number;
  readonly predicted: number;
  readonly precision: Value;
  readonly recall: Value;
  readonly f1: Value;
}

/**
 * Per-class precision, recall (= per-class accuracy) and F1. F1 is 2TP / (2TP + FP + FN), which stays
 * defined (0) for a class that is never predicted but present, and for one predicted but absent from the truth.
 */
export function perClass(cm: readonly (readonly number[])[]): ClassMetrics[] {
  return perClassOf(margins(cm));
}

export function perClassOf(m: Margins): ClassMetrics[] {
  return m.hits.map((tp, c) => {
    const f1 = f1Number(m, c);
    return {
      support: m.support[c],
      predicted: m.predicted[c],
      precision: ratio(tp, m.predicted[c], 'class never predicted'),
      recall: ratio(tp, m.support[c], 'class absent from the truth'),
      f1: f1 === null ? undefinedBecause('class neither in the truth nor predicted') : defined(f1),
    };
  });
}

/*
 * The metrics below are computed as plain numbers (null: undefined) by one function each, which the
 * Value versions wrap with their reasons: a bootstrap evaluates them a thousand times per group,
 * where objects per class would cost more than the counting.
 */

/** F1 of class `c`, 2TP / (2TP + FP + FN); null when the class is neither in the truth nor predicted. */
function f1Number(m: Margins, c: number): number | null {
  const tp = m.hits[c];
  const den = 2 * tp + (m.predicted[c] - tp) + (m.support[c] - tp);
  return den === 0 ? null : 2 * tp / den;
}

/** `Number.isFinite` or null, as `defined` decides. */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export function macroF1Number(m: Margins): number | null {
  if (m.n === 0) return null;
  let sum = 0;
  let count = 0;
  for (let c = 0; c < m.k; c++) {
    const f1 = f1Number(m, c);
    if (f1 !== null) {
      sum += f1;
      count++;
    }
  }
  return count === 0 ? null : finite(sum / count);
}

export function weightedF1Number(m: Margins): number | null {
  if (m.n === 0) return null;
  let sum = 0;
  for (let c = 0; c < m.k; c++) {
    const f1 = m.support[c] > 0 ? f1Number(m, c) : null;
    if (f1 !== null) sum += m.support[c] * f1;
  }
  return finite(sum / m.n);
}

export function cohenKappaNumber(m: Margins): number | null {
  if (m.n === 0) return null;
  const po = m.correct / m.n;
  let pe = 0;
  for (let c = 0; c < m.k; c++) pe += (m.support[c] / m.n) * (m.predicted[c] / m.n);
  if (pe >= 1 - 1e-12) return null;
  return finite((po - pe) / (1 - pe));
}

/** Mean F1 over classes seen in the truth or the predictions (as scikit-learn's labels = union). */
export function macroF1(cm: readonly (readonly number[])[]): Value {
  return macroF1Of(margins(cm));
}

export function macroF1Of(m: Margins): Value {
  if (m.n === 0) return undefinedBecause(EMPTY);
  const value = macroF1Number(m);
  return value === null ? undefinedBecause('no class in the truth or the predictions') : defined(value);
}

/** F1 averaged with weights = support; classes absent from the truth weigh nothing. */
export function weightedF1(cm: readonly (readonly number[])[]): Value {
  return weightedF1Of(margins(cm));
}

export function weightedF1Of(m: Margins): Value {
  if (m.n === 0) return undefinedBecause(EMPTY);
  const value = weightedF1Number(m);
  return value === null ? undefinedBecause('not a finite number') : defined(value);
}

/**
 * Cohen's kappa of truth vs prediction, invalid answers being their own category (never in the truth,
 * so they add to observed disagreement only). Undefined when chance agreement is 1 (a single category).
 */
export function cohenKappa(cm: readonly (readonly number[])[]): Value {
  return cohenKappaOf(margins(cm));
}

export function cohenKappaOf(m: Margins): Value {
  if (m.n === 0) return undefinedBecause(EMPTY);
  const value = cohenKappaNumber(m);
  return value === null ? undefinedBecause('kappa undefined: truth and predictions are one single class (chance agreement is 1)') : defined(value);
}
