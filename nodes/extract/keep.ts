import type { ExtractParams } from './params.generated.js';
import type { CellProblem } from './row-problems.js';
import { isBlank, parseDecimal } from './cells.js';

export type KeepParam = ExtractParams['keep'];

/** One kept column: the record field it becomes, and how its cell is read (`undefined`: as read). */
export interface KeptColumn {
  readonly field: string;
  readonly column: string;
  readonly type?: 'number' | 'string';
}

/** `with.keep` as a list, in the order written. */
export function keptColumns(keep: KeepParam): KeptColumn[] {
  return Object.entries(keep ?? {}).map(([field, spec]) => (typeof spec === 'string' ? { field, column: spec } : { field, column: spec.column, type: spec.type ?? 'string' }));
}

/** The kept fields of one row (blank cells left out), or the first cell that does not read as its type. `kept`: keptColumns(with.keep), computed once per table. */
export function keptFields(kept: readonly KeptColumn[], cells: Readonly<Record<string, unknown>>): { value: Record<string, unknown> } | { problem: CellProblem } {
  const fields: Record<string, unknown> = {};
  for (const { field, column, type } of kept) {
    const cell = cells[column];
    if (isBlank(cell)) continue;
    if (type === 'number') {
      const parsed = parseDecimal(cell, column);
      if ('problem' in parsed) return { problem: { ...parsed.problem, detail: `${parsed.problem.detail} (with.keep.${field} wants a number)` } };
      fields[field] = parsed.value.number;
    } else if (type === 'string') {
      fields[field] = typeof cell === 'string' ? cell.trim() : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
    } else {
      fields[field] = typeof cell === 'string' ? cell.trim() : cell;
    }
  }
  return { value: fields };
}
