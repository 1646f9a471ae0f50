import { UsageError } from '../errors.js';

const UNIT_MS = new Map([['s', 1_000], ['m', 60_000], ['h', 3_600_000], ['d', 86_400_000], ['w', 604_800_000]]);

/**
 * Parses a command-line duration: a whole number and one unit, `45s`, `90m`, `12h`, `30d` or `2w`.
 * Anything else is a UsageError (exit code 2) naming the option and what arrived.
 */
export function parseDuration(text: string, option = '--older-than'): number {
  const match = /^(\d+)([a-z])$/.exec(text.trim());
  const unitMs = match ? UNIT_MS.get(match[2]) : undefined;
  if (!match || unitMs === undefined) {
    throw new UsageError(`${option}: expected a duration such as 30d, 12h, 90m or 45s (units s, m, h, d, w), got ${JSON.stringify(text)}`);
  }
  return Number(match[1]) * unitMs;
}
