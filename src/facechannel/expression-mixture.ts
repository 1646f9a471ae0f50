import type { VaPoint } from '../types/generated/pipeline.js';
import { getLabelSet } from '../labels/label-sets.js';
import { FACE_API_EXPRESSIONS, type FaceApiExpression } from './face-api.js';

/** face-api's expression names → the basic7 label whose Warriner point stands for it. */
const EXPRESSION_LABEL: Readonly<Record<FaceApiExpression, string>> = {
  neutral: 'neutral', happy: 'happiness', sad: 'sadness', angry: 'anger', fearful: 'fear', disgusted: 'disgust', surprised: 'surprise',
};

function referencePoints(): { points: Record<FaceApiExpression, VaPoint>; source: string } {
  const basic7 = getLabelSet('basic7');
  if (!basic7) throw new Error('label set basic7 is missing');
  const points = Object.fromEntries(FACE_API_EXPRESSIONS.map((e) => {
    const point = basic7.points[EXPRESSION_LABEL[e]];
    if (!point) throw new Error(`basic7 has no reference point for ${EXPRESSION_LABEL[e]}`);
    return [e, point];
  })) as Record<FaceApiExpression, VaPoint>;
  return { points, source: basic7.source };
}

/** Where the expression-mixture VA points come from (recorded in every output). */
export const EXPRESSION_MIXTURE_SOURCE = `face-api 7-class expression probabilities × ${referencePoints().source}`;

/**
 * VA as the probability-weighted mean of the expressions' reference points (basic7 = Warriner et al.
 * 2013, rescaled). Probabilities are renormalised, so the result stays inside the points' hull ⊂ [-1, 1]².
 */
export function expressionMixtureVa(probabilities: Readonly<Record<FaceApiExpression, number>>): { valence: number; arousal: number } {
  const { points } = referencePoints();
  let total = 0;
  let valence = 0;
  let arousal = 0;
  for (const e of FACE_API_EXPRESSIONS) {
    const p = probabilities[e];
    if (!Number.isFinite(p) || p < 0) throw new Error(`expression probability for ${e} is ${p}`);
    total += p;
    valence += p * points[e][0];
    arousal += p * points[e][1];
  }
  if (total <= 0) throw new Error('expression probabilities sum to 0');
  return { valence: valence / total, arousal: arousal / total };
}
