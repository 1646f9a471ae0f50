/**
 * Fitting the live progress table to the terminal. A line that wraps takes two rows, and the
 * redraw, which moves the cursor up one row per line, then lands inside the table and leaves
 * fragments (and overwrites notices printed above it); a table taller than the screen cannot be
 * reached by the cursor at all. So every line is cut to the width and the table to the height.
 */

/** Characters as the terminal counts them (vaflow's output is single-width: ASCII, ✓ ✗ … ·). */
function length(text: string): number {
  return [...text].length;
}

function cut(text: string, width: number): string {
  return [...text].slice(0, Math.max(0, width)).join('');
}

/**
 * `mark label  counters` cut to `width` columns: the label (a task id, often the longest part)
 * shrinks first, keeping its start and end (`similarity[embedd…ariant=numeric]`), so the counters
 * stay readable; only when even a short label does not fit is the line's end cut.
 */
export function fitLine(head: string, label: string, tail: string, width: number): string {
  const whole = head + label + tail;
  if (length(whole) <= width) return whole;
  const room = width - length(head) - length(tail);
  const MIN_LABEL = 12;
  if (room >= MIN_LABEL) {
    const chars = [...label];
    const keepEnd = Math.floor((room - 1) / 2);
    const keepStart = room - 1 - keepEnd;
    return head + chars.slice(0, keepStart).join('') + '…' + chars.slice(chars.length - keepEnd).join('') + tail;
  }
  return cut(whole, width - 1) + '…';
}

export interface TableRow {
  readonly text: string;
  /** Finished without a problem: may be folded into one summary line when the screen is short. */
  readonly done: boolean;
}

/**
 * At most `rows` lines: when there are more, the oldest finished tasks fold into one `✓ N tasks
 * done` line, as few as needed (the running and failed ones stay visible); if that is not enough,
 * the oldest of the rest fold into `… N more above`.
 */
export function fitTable(table: readonly TableRow[], rows: number): string[] {
  const budget = Math.max(2, rows);
  if (table.length <= budget) return table.map((row) => row.text);
  const excess = table.length - budget + 1;
  let folded = 0;
  const rest: string[] = [];
  for (const row of table) {
    if (row.done && folded < excess) folded++;
    else rest.push(row.text);
  }
  const lines = [`✓ ${folded} task${folded === 1 ? '' : 's'} done`, ...rest];
  if (lines.length <= budget) return lines;
  const shown = rest.slice(rest.length - (budget - 2));
  return [lines[0], `… ${rest.length - shown.length} more above`, ...shown];
}
