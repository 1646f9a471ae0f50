import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, cellMargins, cohenKappa, confusionCells, confusionMatrix, INVALID, invalidRate, macroF1, margins, perClass, weightedF1 } from '../../src/stats/single-label.js';

const close = (actual: number | null, expected: number, eps = 1e-9) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < eps, `expected ${expected}, got ${actual}`);
};

/** n items of truth t predicted as p. */
function items(spec: [number, number, number][]): { truth: number[]; pred: number[] } {
  const truth: number[] = [];
  const pred: number[] = [];
  for (const [t, p, n] of spec) for (let i = 0; i < n; i++) { truth.push(t); pred.push(p); }
  return { truth, pred };
}

test('two classes: hand-computed accuracy, per-class P/R/F1, macro/weighted F1, kappa', () => {
  // truth A: 20 → A, 5 → B; truth B: 10 → A, 15 → B (n = 50)
  // accuracy = 35/50 = 0.7
  // A: P = 20/30, R = 20/25 = 0.8, F1 = 2·20/(40+10+5) = 40/55
  // B: P = 15/20 = 0.75, R = 15/25 = 0.6, F1 = 30/(30+5+10) = 30/45
  // macro = weighted (equal support) = (40/55 + 30/45)/2 = 0.696969…
  // kappa: po = 0.7, pe = (25·30 + 25·20)/2500 = 0.5 → (0.7−0.5)/(1−0.5) = 0.4
  const cm = confusionMatrix({ ...items([[0, 0, 20], [0, 1, 5], [1, 0, 10], [1, 1, 15]]), classCount: 2 });
  assert.deepEqual(cm, [[20, 5, 0], [10, 15, 0]]);
  close(accuracy(cm).value, 0.7);
  const [a, b] = perClass(cm);
  close(a.precision.value, 20 / 30);
  close(a.recall.value, 0.8);
  close(a.f1.value, 40 / 55);
  close(b.precision.value, 0.75);
  close(b.recall.value, 0.6);
  close(b.f1.value, 30 / 45);
  close(macroF1(cm).value, (40 / 55 + 30 / 45) / 2);
  close(weightedF1(cm).value, (40 / 55 + 30 / 45) / 2);
  close(cohenKappa(cm).value, 0.4);
  close(invalidRate(cm).value, 0);
});

test('invalid answers count as wrong and are reported on their own', () => {
  // truth A ×4: 2 right, 2 invalid; truth B ×2: both right. accuracy 4/6, invalid 2/6.
  // kappa: po = 4/6; pred marginals A 2, B 2 (invalid is its own category, never true): pe = (4/6)(2/6) + (2/6)(2/6) = 12/36 = 1/3
  // kappa = (2/3 − 1/3)/(2/3) = 0.5
  const cm = confusionMatrix({ ...items([[0, 0, 2], [0, INVALID, 2], [1, 1, 2]]), classCount: 2 });
  assert.deepEqual(cm, [[2, 0, 2], [0, 2, 0]]);
  close(accuracy(cm).value, 4 / 6);
  close(invalidRate(cm).value, 2 / 6);
  close(perClass(cm)[0].recall.value, 0.5);
  close(perClass(cm)[0].precision.value, 1);
  close(cohenKappa(cm).value, 0.5);
});

test('a class never predicted: precision undefined with a reason, recall and F1 0', () => {
  const cm = confusionMatrix({ ...items([[0, 0, 3], [1, 0, 2]]), classCount: 2 });
  const b = perClass(cm)[1];
  assert.equal(b.precision.value, null);
  assert.match(b.precision.reason!, /never predicted/);
  assert.equal(b.recall.value, 0);
  assert.equal(b.f1.value, 0);
  // macro F1 = (F1_A + 0)/2, F1_A = 6/(6+2) = 0.75
  close(macroF1(cm).value, 0.375);
  // weighted: (3·0.75 + 2·0)/5
  close(weightedF1(cm).value, 0.45);
});

test('a class absent from the truth: recall undefined, F1 0, no weight in weighted F1', () => {
  // class 2 is predicted once but never true
  const cm = confusionMatrix({ ...items([[0, 0, 2], [0, 2, 1], [1, 1, 3]]), classCount: 3 });
  const c = perClass(cm)[2];
  assert.equal(c.support, 0);
  assert.equal(c.recall.value, null);
  assert.match(c.recall.reason!, /absent from the truth/);
  assert.equal(c.precision.value, 0);
  assert.equal(c.f1.value, 0);
  // F1_A = 4/(4+0+1) = 0.8, F1_B = 1, F1_C = 0 → macro 0.6; weighted (3·0.8 + 3·1)/6 = 0.9
  close(macroF1(cm).value, 0.6);
  close(weightedF1(cm).value, 0.9);
});

test('macro-F1 averages over classes in the truth or the predictions only', () => {
  // Three classes in the label space; class 2 is neither true nor predicted (a zero row and column).
  // F1_A = 2·3/(6 + 0 + 1) = 6/7 (one A predicted as B); F1_B = 2·2/(4 + 1 + 0) = 4/5
  // macro = (6/7 + 4/5)/2 — not /3, which would count the absent class as an F1 of 0.
  const cm = confusionMatrix({ ...items([[0, 0, 3], [0, 1, 1], [1, 1, 2]]), classCount: 3 });
  assert.deepEqual(cm[2], [0, 0, 0, 0]);
  assert.equal(perClass(cm)[2].f1.value, null);
  close(macroF1(cm).value, (6 / 7 + 4 / 5) / 2);
});

test('a single class: kappa undefined with a reason, accuracy defined', () => {
  const cm = confusionMatrix({ ...items([[0, 0, 5]]), classCount: 1 });
  close(accuracy(cm).value, 1);
  const k = cohenKappa(cm);
  assert.equal(k.value, null);
  assert.match(k.reason!, /single class/);
  close(macroF1(cm).value, 1);
});

test('all answers invalid: accuracy 0, invalid rate 1, precision undefined, kappa 0', () => {
  const cm = confusionMatrix({ ...items([[0, INVALID, 3], [1, INVALID, 2]]), classCount: 2 });
  assert.equal(accuracy(cm).value, 0);
  assert.equal(invalidRate(cm).value, 1);
  for (const c of perClass(cm)) {
    assert.equal(c.precision.value, null);
    assert.equal(c.recall.value, 0);
    assert.equal(c.f1.value, 0);
  }
  assert.equal(macroF1(cm).value, 0);
  // po = 0, pe = 0 (nothing predicted as a class) → kappa 0
  assert.equal(cohenKappa(cm).value, 0);
});

test('an empty group: every metric undefined with a reason, never NaN', () => {
  const cm = confusionMatrix({ truth: [], pred: [], classCount: 2 });
  for (const v of [accuracy(cm), invalidRate(cm), macroF1(cm), weightedF1(cm), cohenKappa(cm)]) {
    assert.equal(v.value, null);
    assert.match(v.reason!, /empty/);
  }
});

test('indices select (and repeat) items, as the bootstrap needs', () => {
  const data = { truth: [0, 1, 1], pred: [0, 0, 1], classCount: 2 };
  assert.deepEqual(confusionMatrix(data, [0, 0, 2]), [[2, 0, 0], [0, 1, 0]]);
});

test('the bootstrap\'s flat cell count picks (and repeats) the items `indices` names, and agrees with the 2-D matrix\'s margins', () => {
  const data = { truth: [0, 1, 1, 2, 0], pred: [0, 0, 1, INVALID, 2], classCount: 3 };
  const cells = confusionCells(data);
  const counts = new Int32Array(3 * 4);
  for (const indices of [[0, 0, 2], [3, 3, 3, 1], [4], [0, 1, 2, 3, 4]]) {
    assert.deepEqual(cellMargins(cells, 3, counts, indices), margins(confusionMatrix(data, indices)), `indices ${indices}`);
  }
  assert.deepEqual(cellMargins(cells, 3, counts, [0, 0, 2]), { n: 3, k: 3, correct: 3, invalid: 0, support: [2, 1, 0], predicted: [2, 1, 0], hits: [2, 1, 0] });
  // Without indices, every item once; the buffer is reset between calls.
  assert.deepEqual(cellMargins(cells, 3, counts), margins(confusionMatrix(data)));
  assert.deepEqual(cellMargins(cells, 3, counts), { n: 5, k: 3, correct: 2, invalid: 1, support: [2, 2, 1], predicted: [2, 1, 1], hits: [1, 1, 0] });
});

test('a class neither true nor predicted has no F1, and says why', () => {
  const cm = confusionMatrix({ ...items([[0, 0, 2], [1, 1, 1]]), classCount: 3 });
  assert.deepEqual(perClass(cm)[2].f1, { value: null, reason: 'class neither in the truth nor predicted' });
});
