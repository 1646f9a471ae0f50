/**
 * Geometry of the valence–arousal plane (Russell, 1980): valence on the x axis, arousal on y, both in
 * [-1, 1]. Angles follow Russell's circumplex: pleasure 0°, excitement 45°, arousal 90°, distress 135°,
 * displeasure 180°, depression 225°, sleepiness 270°, relaxation 315°.
 */

export type Quadrant = 'high-positive' | 'low-positive' | 'high-negative' | 'low-negative' | 'neutral';

/** Distance from the origin: how strong the affect is, whatever its direction. */
export function intensity(valence: number, arousal: number): number {
  return Math.hypot(valence, arousal);
}

/** Circumplex angle in degrees, [0, 360), counter-clockwise from pleasure (positive valence). */
export function angleDegrees(valence: number, arousal: number): number {
  const degrees = (Math.atan2(arousal, valence) * 180) / Math.PI;
  return degrees < 0 ? degrees + 360 : degrees;
}

/**
 * The circumplex quadrant of a point; `neutral` when its intensity is below `neutralRadius`.
 * Points on an axis count as positive valence / high arousal (0 ≥ 0), so every point has exactly
 * one quadrant: high-positive spans [0°, 90°] around excitement (45°), high-negative (90°, 180°]
 * around distress (135°), low-negative (180°, 270°) around depression (225°), low-positive
 * [270°, 360°) around relaxation (315°).
 */
export function quadrantOf(valence: number, arousal: number, neutralRadius = 0): Quadrant {
  if (intensity(valence, arousal) < neutralRadius) return 'neutral';
  const high = arousal >= 0;
  if (valence >= 0) return high ? 'high-positive' : 'low-positive';
  return high ? 'high-negative' : 'low-negative';
}
