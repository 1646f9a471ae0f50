import type { SourceItem } from '../../src/types/node-kind.js';
import { ConfigError, ItemError } from '../../src/errors.js';
import { inRange, rescaleToUnit, UNIT_RANGE, type Interval } from '../../src/va/rescale.js';
import type { ExtractParams } from './params.generated.js';
import { requireFile, type InputFile } from './files.js';
import { readTableRows, tableFormatOf, TABLE_EXTENSIONS, type TableRow } from './table-rows.js';
import { IdLineIndex } from '../../src/util/id-line-index.js';

/** Which VA pair a record carries: the table's own values (`model`) or the human annotation. */
export type VaSource = 'model' | 'annotation';

export type TableColumns = Required<NonNullable<ExtractParams['columns']>>;

export const DEFAULT_COLUMNS: TableColumns = {
  id: 'id',
  valence: 'valence',
  arousal: 'arousal',
  label: 'label',
  reference: 'reference',
  annotatedValence: 'annotated_valence',
  annotatedArousal: 'annotated_arousal',
};

export const DEFAULT_LABEL_SEPARATOR = ';';

export interface TableItemsOptions {
  readonly table: InputFile;
  readonly vaSource: VaSource;
  readonly columns?: ExtractParams['columns'];
  readonly labelSeparator?: string;
  readonly range?: Interval;
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/** What the `vaSource` field says a record's VA came from. */
const VA_SOURCE_FIELD: Readonly<Record<VaSource, string>> = { model: 'table', annotation: 'annotation' };

/**
 * Streams a table's rows as `va` items. A bad row (missing, non-numeric or out-of-range VA, duplicate
 * id, unreadable line) becomes an item error naming `file:line`, and the rows after it still come out.
 * Memory stays flat except for the ids seen, ~24 bytes each as hashes (kept to report duplicates; none when ids are row numbers).
 */
export async function* tableItems(options: TableItemsOptions): AsyncGenerator<SourceItem> {
  const format = tableFormatOf(options.table.shown);
  if (!format) throw new ConfigError(`${options.table.shown}: unsupported table format (expected ${TABLE_EXTENSIONS.join(', ')})`);
  const range = options.range ?? UNIT_RANGE;
  if (!(range[0] < range[1])) throw new ConfigError(`range [${range[0]}, ${range[1]}]: expected min < max`);
  await requireFile(options.table);
  const reader = new RowReader({ ...options, range });
  let count = 0;
  for await (const entry of readTableRows({ file: options.table.absolute, format, signal: options.signal })) {
    if ('columns' in entry) {
      reader.checkHeader(entry.columns);
      continue;
    }
    count++;
    if ('message' in entry) yield { id: `row-${entry.line}`, error: new ItemError(`${options.table.shown}:${entry.line}: ${entry.message}`) };
    else yield reader.item(entry);
    if (options.limit !== undefined && count >= options.limit) return;
  }
}

interface RowReaderOptions {
  readonly table: InputFile;
  readonly vaSource: VaSource;
  readonly columns?: ExtractParams['columns'];
  readonly labelSeparator?: string;
  readonly range: Interval;
}

type Cells = Readonly<Record<string, unknown>>;
type Parsed<T> = { readonly value: T } | { readonly problem: string };

/** Turns rows into items; holds the state that spans rows (ids seen, whether ids are row numbers). */
class RowReader {
  readonly #options: RowReaderOptions;
  readonly #columns: TableColumns;
  readonly #separator: string;
  /** First line of each id from the id column; unused (and empty) when the table has no id column. */
  readonly #seen = new IdLineIndex();
  #idColumnPresent = true;

  constructor(options: RowReaderOptions) {
    this.#options = options;
    this.#columns = { ...DEFAULT_COLUMNS, ...options.columns };
    this.#separator = options.labelSeparator ?? DEFAULT_LABEL_SEPARATOR;
  }

  /** A header without the chosen VA columns is a configuration problem, not one error per row. */
  checkHeader(names: readonly string[]): void {
    const wanted = this.#vaColumns();
    const absent = wanted.filter((name) => !names.includes(name));
    if (absent.length > 0) {
      const keys = this.#options.vaSource === 'model' ? 'with.columns.valence / arousal' : 'with.columns.annotatedValence / annotatedArousal';
      throw new ConfigError(
        `${this.#options.table.shown}: no column ${absent.map((name) => `"${name}"`).join(', ')} (header: ${names.join(', ')}); set ${keys}`,
      );
    }
    this.#idColumnPresent = names.includes(this.#columns.id);
  }

  item(row: TableRow): SourceItem {
    const at = `${this.#options.table.shown}:${row.line}`;
    const id = this.#id(row);
    const duplicateOf = this.#remember(id, row.line);
    if (duplicateOf !== undefined) return { id, error: new ItemError(`${at}: duplicate id "${id}" (first on line ${duplicateOf})`) };
    const [valenceColumn, arousalColumn] = this.#vaColumns();
    const va = this.#pair(row.cells, valenceColumn, arousalColumn);
    if ('problem' in va) return { id, error: new ItemError(`${at}: ${va.problem}`) };
    const annotated = this.#annotated(row.cells);
    if (annotated && 'problem' in annotated) return { id, error: new ItemError(`${at}: ${annotated.problem}`) };
    const label = parseLabel(row.cells[this.#columns.label], this.#separator);
    if (label && 'problem' in label) return { id, error: new ItemError(`${at}: ${label.problem}`) };
    const reference = row.cells[this.#columns.reference];
    return {
      id,
      fields: {
        valence: va.value.valence,
        arousal: va.value.arousal,
        ...(label ? { label: label.value } : {}),
        ...(typeof reference === 'string' && reference.trim() !== '' ? { reference: reference.trim() } : {}),
        vaSource: VA_SOURCE_FIELD[this.#options.vaSource],
        ...(annotated ? { annotated: annotated.value } : {}),
      },
    };
  }

  #vaColumns(): readonly [string, string] {
    const c = this.#columns;
    return this.#options.vaSource === 'model' ? [c.valence, c.arousal] : [c.annotatedValence, c.annotatedArousal];
  }

  #id(row: TableRow): string {
    const cell = row.cells[this.#columns.id];
    if (typeof cell === 'string' && cell.trim() !== '') return cell.trim();
    if (typeof cell === 'number' && Number.isFinite(cell)) return String(cell);
    return `row-${row.line}`;
  }

  /** Records `id`; returns the line it was first seen on when it is a duplicate. */
  #remember(id: string, line: number): number | undefined {
    if (!this.#idColumnPresent) return undefined;
    return this.#seen.remember(id, line);
  }

  #pair(cells: Cells, valenceColumn: string, arousalColumn: string): Parsed<{ valence: number; arousal: number }> {
    const valence = parseVa(cells[valenceColumn], valenceColumn, this.#options.range);
    if ('problem' in valence) return valence;
    const arousal = parseVa(cells[arousalColumn], arousalColumn, this.#options.range);
    if ('problem' in arousal) return arousal;
    return { value: { valence: valence.value, arousal: arousal.value } };
  }

  /** The human-annotated pair, when the row has one (rows without an annotation simply carry none). */
  #annotated(cells: Cells): Parsed<{ valence: number; arousal: number }> | undefined {
    const { annotatedValence, annotatedArousal } = this.#columns;
    if (isBlank(cells[annotatedValence]) && isBlank(cells[annotatedArousal])) return undefined;
    return this.#pair(cells, annotatedValence, annotatedArousal);
  }
}

function isBlank(cell: unknown): boolean {
  return cell === undefined || cell === null || (typeof cell === 'string' && cell.trim() === '');
}

/** Decimal notation only: hex, `Infinity` and empty strings are not VA values even though Number() takes them. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** One VA cell: present, numeric, inside `range`; rescaled from `range` to [-1, 1]. */
export function parseVa(cell: unknown, column: string, range: Interval): Parsed<number> {
  if (isBlank(cell)) return { problem: `${column} is missing` };
  let value: number;
  let shown: string;
  if (typeof cell === 'number') {
    value = cell;
    shown = String(cell);
  } else if (typeof cell === 'string' && DECIMAL.test(cell.trim())) {
    value = Number(cell.trim());
    shown = cell.trim();
  } else {
    return { problem: `${column} ${JSON.stringify(cell)} is not a number` };
  }
  if (!Number.isFinite(value)) return { problem: `${column} "${shown}" is not a finite number` };
  if (!inRange(value, range)) return { problem: `${column} "${shown}" is outside [${range[0]}, ${range[1]}]` };
  const rescaled = rescaleToUnit(value, range);
  return { value: rescaled === 0 ? 0 : rescaled }; // "-0.0" is 0: no -0 in records
}

/** A truth-label cell: one label → string; several (split on `separator`, or a JSON array) → string[]. */
export function parseLabel(cell: unknown, separator: string): Parsed<string | string[]> | undefined {
  if (isBlank(cell)) return undefined;
  let parts: string[];
  if (typeof cell === 'string') parts = cell.split(separator);
  else if (typeof cell === 'number') parts = [String(cell)];
  else if (Array.isArray(cell) && cell.every((part) => typeof part === 'string')) parts = cell;
  else return { problem: `label ${JSON.stringify(cell)}: expected a string or a list of strings` };
  const labels = parts.map((part) => part.trim()).filter((part) => part !== '');
  if (labels.length === 0) return undefined;
  return { value: labels.length === 1 ? labels[0] : labels };
}
