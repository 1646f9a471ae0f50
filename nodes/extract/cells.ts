import { inRange, rescaleToUnit, type Interval } from '../../src/va/rescale.js';
import type { CellProblem } from './row-problems.js';

/** A parsed cell, or what is wrong with it. */
export type Parsed<T> = { readonly value: T } | { readonly problem: CellProblem };

type Cells = Readonly<Record<string, unknown>>;

export function isBlank(cell: unknown): boolean {
  return cell === undefined || cell === null || (typeof cell === 'string' && cell.trim() === '');
}

/** Both cells of a VA pair, or the first problem (valence before arousal). */
export function parseVaPair(options: { cells: Cells; valenceColumn: string; arousalColumn: string; range: Interval }): Parsed<{ valence: number; arousal: number }> {
  const valence = parseVa(options.cells[options.valenceColumn], options.valenceColumn, options.range);
  if ('problem' in valence) return valence;
  const arousal = parseVa(options.cells[options.arousalColumn], options.arousalColumn, options.range);
  if ('problem' in arousal) return arousal;
  return { value: { valence: valence.value, arousal: arousal.value } };
}

/** Decimal notation only: hex, `Infinity` and empty strings are not numbers even though Number() takes them. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number from a cell (a JSON number or decimal text); `shown` is the cell as written, for messages. */
export function parseDecimal(cell: unknown, column: string): Parsed<{ number: number; shown: string }> {
  if (isBlank(cell)) return { problem: { kind: 'missing', column, detail: 'no value' } };
  let value: number;
  let shown: string;
  if (typeof cell === 'number') {
    value = cell;
    shown = String(cell);
  } else if (typeof cell === 'string' && DECIMAL.test(cell.trim())) {
    value = Number(cell.trim());
    shown = cell.trim();
  } else {
    const text = typeof cell === 'string' ? cell : JSON.stringify(cell);
    return { problem: { kind: 'not-a-number', column, value: text, detail: `${JSON.stringify(text)} is not a number` } };
  }
  if (!Number.isFinite(value)) return { problem: { kind: 'not-a-number', column, value: shown, detail: `"${shown}" is not a finite number` } };
  return { value: { number: value, shown } };
}

/** One VA cell: present, numeric, inside `range`; rescaled from `range` to [-1, 1]. */
export function parseVa(cell: unknown, column: string, range: Interval): Parsed<number> {
  const parsed = parseDecimal(cell, column);
  if ('problem' in parsed) return parsed;
  const { number, shown } = parsed.value;
  if (!inRange(number, range)) return { problem: { kind: 'out-of-range', column, value: shown, detail: `"${shown}" is outside [${range[0]}, ${range[1]}]` } };
  const rescaled = rescaleToUnit(number, range);
  return { value: rescaled === 0 ? 0 : rescaled }; // "-0.0" is 0: no -0 in records
}

/** A truth-label cell: one label → string; several (split on `separator`, or a JSON array) → string[]. */
export function parseLabel(cell: unknown, separator: string, column = 'label'): Parsed<string | string[]> | undefined {
  if (isBlank(cell)) return undefined;
  let parts: string[];
  if (typeof cell === 'string') parts = cell.split(separator);
  else if (typeof cell === 'number') parts = [String(cell)];
  else if (Array.isArray(cell) && cell.every((part) => typeof part === 'string')) parts = cell;
  else return { problem: { kind: 'label', column, value: JSON.stringify(cell), detail: `${JSON.stringify(cell)}: expected a string or a list of strings` } };
  const labels = parts.map((part) => part.trim()).filter((part) => part !== '');
  if (labels.length === 0) return undefined;
  return { value: labels.length === 1 ? labels[0] : labels };
}
