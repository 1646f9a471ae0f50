/** Linear rescaling of VA values between a table's own scale and the [-1, 1] square vaflow works in. */

/** A closed interval [min, max] with min < max. */
export type Interval = readonly [number, number];

export const UNIT_RANGE: Interval = [-1, 1];

/** True when `value` lies inside `range` (ends included). */
export function inRange(value: number, range: Interval): boolean {
  return value >= range[0] && value <= range[1];
}

/**
 * Maps `value` from `range` onto [-1, 1] linearly: min → -1, max → 1 (Warriner's 1–9 → (x − 5) / 4).
 * The ends map exactly, so a value at an end never drifts outside [-1, 1] by rounding.
 */
export function rescaleToUnit(value: number, range: Interval): number {
  const [min, max] = range;
  if (min === -1 && max === 1) return value;
  if (value === min) return -1;
  if (value === max) return 1;
  return ((value - min) / (max - min)) * 2 - 1;
}
