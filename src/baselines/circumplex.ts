import type { VaPoint } from '../types/generated/pipeline.js';
import type { LabelSet } from '../labels/label-sets.js';
import { ConfigError } from '../errors.js';
import { angleDegrees, intensity as intensityOf, quadrantOf, type Quadrant } from '../va/circumplex.js';

/**
 * The built-in circumplex baseline: no language model, only geometry on the valence–arousal plane.
 * Its records carry `baseline: true` so reports never mistake it for a model.
 */

export interface VaValue {
  readonly valence: number;
  readonly arousal: number;
}

/** Reference points for a set: the model entry's `points` override the set's own, label by label. */
export function referencePoints(set: LabelSet, override: Readonly<Record<string, VaPoint>> | undefined, modelId: string): Readonly<Record<string, VaPoint>> {
  const points: Record<string, VaPoint> = {};
  const byLower = new Map(set.labels.map((l) => [l.toLowerCase(), l]));
  for (const [label, point] of Object.entries({ ...set.points, ...override })) {
    const name = byLower.get(label.toLowerCase());
    if (name !== undefined) points[name] = point;
  }
  if (Object.keys(points).length === 0) {
    throw new ConfigError(
      `models.${modelId}: the circumplex baseline needs reference (valence, arousal) points for label set "${set.name}", `
      + `and it has none (${set.source}); give them under the model's "points" or the label set's "points"`,
    );
  }
  return points;
}

/** The label whose reference point is nearest (Euclidean); ties go to the label listed first in the set. */
export function nearestLabel(va: VaValue, points: Readonly<Record<string, VaPoint>>): { label: string; distance: number } {
  let best: { label: string; distance: number } | undefined;
  for (const [label, [v, a]] of Object.entries(points)) {
    const distance = Math.hypot(va.valence - v, va.arousal - a);
    if (!best || distance < best.distance) best = { label, distance };
  }
  if (!best) throw new ConfigError('circumplex baseline: no reference points');
  return best;
}

/** Russell (1980): eight directions on the circumplex, at 45° steps from pleasure (0°), with everyday words for each. */
const DIRECTIONS = [
  { name: 'pleasure', words: 'content and happy' },
  { name: 'excitement', words: 'excited and elated' },
  { name: 'arousal', words: 'alert and astonished' },
  { name: 'distress', words: 'tense, afraid or angry' },
  { name: 'displeasure', words: 'upset and unhappy' },
  { name: 'depression', words: 'sad and gloomy' },
  { name: 'sleepiness', words: 'tired and drowsy' },
  { name: 'relaxation', words: 'calm and at ease' },
] as const;

export interface CircumplexDescription {
  readonly text: string;
  readonly quadrant: 'pleasant-activated' | 'unpleasant-activated' | 'unpleasant-deactivated' | 'pleasant-deactivated';
  readonly intensity: 'near-neutral' | 'mild' | 'moderate' | 'strong';
  readonly direction: (typeof DIRECTIONS)[number]['name'];
}

/** The shared quadrants (src/va/circumplex.ts), in the words of Russell's pleasure and activation axes. */
const QUADRANT_NAMES = {
  'high-positive': 'pleasant-activated',
  'low-positive': 'pleasant-deactivated',
  'high-negative': 'unpleasant-activated',
  'low-negative': 'unpleasant-deactivated',
} as const;

/** A template description from quadrant, intensity (distance from the origin) and nearest Russell direction. */
export function describeVa(va: VaValue): CircumplexDescription {
  const { valence: v, arousal: a } = va;
  const radius = Math.min(1, intensityOf(v, a));
  const intensity = radius < 0.15 ? 'near-neutral' : radius < 0.4 ? 'mild' : radius < 0.7 ? 'moderate' : 'strong';
  const quadrant = QUADRANT_NAMES[quadrantOf(v, a) as Exclude<Quadrant, 'neutral'>];
  const direction = DIRECTIONS[Math.round(angleDegrees(v, a) / 45) % 8]!;
  const feel = v > 0.15 ? 'pleasant' : v < -0.15 ? 'unpleasant' : 'neither pleasant nor unpleasant';
  const energy = a > 0.15 ? 'energised' : a < -0.15 ? 'low in energy' : 'moderately energised';
  const text = intensity === 'near-neutral'
    ? 'The face looks composed and neutral, showing no strong emotion; the feeling is neither clearly pleasant nor unpleasant, with ordinary energy.'
    : `The face shows a ${intensity} emotion that feels ${feel} and ${energy}; the person looks ${direction.words}, closest to ${direction.name} on the affective circumplex.`;
  return { text, quadrant, intensity, direction: direction.name };
}
