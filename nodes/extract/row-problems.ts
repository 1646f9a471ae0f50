import { ItemError, type VaflowErrorCode } from '../../src/errors.js';
import type { UnreadableKind } from './table-rows.js';

/** What can be wrong with one table row, by cause; `validate` counts rows per kind. */
export type RowProblemKind = UnreadableKind | 'missing' | 'not-a-number' | 'out-of-range' | 'duplicate-id' | 'label';

/** A problem with one cell (or the whole row when `column` is absent), before the row is known. */
export interface CellProblem {
  readonly kind: RowProblemKind;
  readonly column?: string;
  /** The cell as written. */
  readonly value?: string;
  /** What is wrong, in a few words: `"high" is not a number`. */
  readonly detail: string;
}

/** A problem with one row of one table: file, line (where the row starts), 1-based data row, column, value. */
export interface RowProblem extends CellProblem {
  readonly file: string;
  readonly line: number;
  readonly row: number;
}

/** `data/x.csv:6: row 5, column "valence": "high" is not a number`. */
export function formatRowProblem(problem: RowProblem): string {
  const column = problem.column === undefined ? '' : `, column "${problem.column}"`;
  return `${problem.file}:${problem.line}: row ${problem.row}${column}: ${problem.detail}`;
}

/** A table row that cannot become an item: recorded as that row's item error, and the run goes on. */
export class TableRowError extends ItemError {
  override readonly code: VaflowErrorCode = 'VAFLOW_TABLE_ROW';
  constructor(readonly problem: RowProblem) {
    super(formatRowProblem(problem));
    this.name = 'TableRowError';
  }
}
