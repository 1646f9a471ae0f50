import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SourceRecord } from '../../src/types/node-kind.js';
import { sha256 } from '../../src/util/hash.js';
import { ConfigError } from '../../src/errors.js';
import { UNIT_RANGE, type Interval } from '../../src/va/rescale.js';
import type { ExtractParams } from './params.generated.js';
import { requireFile, type InputFile } from './files.js';
import { readTableRows, tableFormatOf, TABLE_EXTENSIONS, type TableRow } from './table-rows.js';
import { IdLineIndex } from '../../src/util/id-line-index.js';
import { TableRowError, type CellProblem } from './row-problems.js';
import { isBlank, parseLabel, parseVaPair, type Parsed } from './cells.js';
import { keptColumns, keptFields, type KeepParam, type KeptColumn } from './keep.js';

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
  readonly keep?: KeepParam;
  readonly labelSeparator?: string;
  readonly range?: Interval;
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/** What the `vaSource` field says a record's VA came from. */
const VA_SOURCE_FIELD: Readonly<Record<VaSource, string>> = { model: 'table', annotation: 'annotation' };

/**
 * Streams a table's rows as `va` items. A bad row (missing, non-numeric or out-of-range VA, duplicate
 * id, unreadable line, invalid UTF-8) becomes a TableRowError naming file, line, row and column, and
 * the rows after it still come out: every row is an item or a counted item error.
 * Memory stays flat except for the ids seen, ~24 bytes each as hashes (kept to report duplicates; none when ids are row numbers).
 */
export async function* tableItems(options: TableItemsOptions): AsyncGenerator<SourceRecord> {
  for await (const { item } of tableRowItems(options)) yield item;
}

/** A table row's item (or item error) with the line it starts on and its row number. */
export interface RowItem {
  readonly item: SourceRecord;
  readonly line: number;
  readonly row: number;
}

/** tableItems with each item's line and row, for checks that report where a value sits. */
export async function* tableRowItems(options: TableItemsOptions): AsyncGenerator<RowItem> {
  const format = tableFormatOf(options.table.shown);
  if (!format) throw new ConfigError(`${options.table.shown}: unsupported table format (expected ${TABLE_EXTENSIONS.join(', ')})`);
  const range = options.range ?? UNIT_RANGE;
  if (!(range[0] < range[1])) throw new ConfigError(`range [${range[0]}, ${range[1]}]: expected min < max`);
  await requireFile(options.table);
  const again = await keptPass(options);
  if (again) {
    for (const row of again) {
      options.signal?.throwIfAborted();
      yield row;
    }
    return;
  }
  const reader = new RowReader({ ...options, range });
  const digest = createHash('sha256');
  let rows: RowItem[] | null = [];
  let count = 0;
  for await (const entry of readTableRows({ file: options.table.absolute, shown: options.table.shown, format, signal: options.signal, digest })) {
    if ('columns' in entry) {
      reader.checkHeader(entry.columns);
      continue;
    }
    count++;
    const item: SourceRecord = 'message' in entry
      ? { id: `row-${entry.line}`, error: new TableRowError({ file: options.table.shown, line: entry.line, row: entry.row, kind: entry.kind, detail: entry.message }) }
      : reader.item(entry);
    const rowItem: RowItem = { item, line: entry.line, row: entry.row };
    if (rows && rows.push(rowItem) > MAX_KEPT_ROWS) rows = null;
    yield rowItem;
    if (options.limit !== undefined && count >= options.limit) return;
  }
  // The whole file was read: its rows are kept for the next pass over the same bytes.
  if (rows) keepPass(passKey(options, digest.digest('hex')), rows);
}

/**
 * `validate` (and `vaflow run`'s check before it starts) reads the table once, and the run's extract
 * task reads it again: the second pass over the same bytes with the same options takes the first
 * one's rows instead of parsing them again. The rows are the same items either way (every row an item
 * or a located error), since they are a function of the bytes and the options. Kept per process, at
 * most MAX_KEPT_ROWS rows in all (a bigger table is streamed each time: memory stays flat), and each
 * pass is taken once.
 */
export const MAX_KEPT_ROWS = 50_000;
const keptPasses = new Map<string, readonly RowItem[]>();

/** A pass is known by the file's content (sha256 of the bytes read) and every option that shapes its items. */
function passKey(options: TableItemsOptions, digest: string): string {
  const { table, vaSource, columns, keep, labelSeparator, range, limit } = options;
  return JSON.stringify([digest, table.shown, vaSource, columns ?? null, keep ?? null, labelSeparator ?? null, range ?? null, limit ?? null]);
}

function keepPass(key: string, rows: readonly RowItem[]): void {
  keptPasses.delete(key);
  keptPasses.set(key, rows);
  let held = 0;
  for (const kept of keptPasses.values()) held += kept.length;
  // The oldest passes go first.
  for (const [oldKey, kept] of keptPasses) {
    if (held <= MAX_KEPT_ROWS) break;
    keptPasses.delete(oldKey);
    held -= kept.length;
  }
}

/** The kept rows of a pass over this file's current bytes with these options (taken: a third pass parses again), if any. */
async function keptPass(options: TableItemsOptions): Promise<readonly RowItem[] | undefined> {
  if (keptPasses.size === 0) return undefined;
  const key = passKey(options, sha256(await readFile(options.table.absolute)));
  const rows = keptPasses.get(key);
  keptPasses.delete(key);
  return rows;
}

interface RowReaderOptions {
  readonly table: InputFile;
  readonly vaSource: VaSource;
  readonly columns?: ExtractParams['columns'];
  readonly keep?: KeepParam;
  readonly labelSeparator?: string;
  readonly range: Interval;
}

type Cells = Readonly<Record<string, unknown>>;

/** Turns rows into items; holds the state that spans rows (ids seen, whether ids are row numbers). */
class RowReader {
  readonly #options: RowReaderOptions;
  readonly #columns: TableColumns;
  readonly #separator: string;
  /** First line of each id from the id column; unused (and empty) when the table has no id column. */
  readonly #seen = new IdLineIndex();
  readonly #kept: readonly KeptColumn[];
  #idColumnPresent = true;

  constructor(options: RowReaderOptions) {
    this.#options = options;
    this.#columns = { ...DEFAULT_COLUMNS, ...options.columns };
    this.#separator = options.labelSeparator ?? DEFAULT_LABEL_SEPARATOR;
    this.#kept = keptColumns(options.keep);
  }

  /** A header without the chosen VA columns (or a kept column) is a configuration problem, not one error per row. */
  checkHeader(names: readonly string[]): void {
    const wanted = this.#vaColumns();
    const absent = wanted.filter((name) => !names.includes(name));
    if (absent.length > 0) {
      const keys = this.#options.vaSource === 'model' ? 'with.columns.valence / arousal' : 'with.columns.annotatedValence / annotatedArousal';
      throw new ConfigError(
        `${this.#options.table.shown}: no column ${absent.map((name) => `"${name}"`).join(', ')} (header: ${names.join(', ')}); set ${keys}`,
      );
    }
    const kept = this.#kept.filter(({ column }) => !names.includes(column));
    if (kept.length > 0) {
      throw new ConfigError(`${this.#options.table.shown}: no column ${kept.map(({ field, column }) => `"${column}" (with.keep.${field})`).join(', ')} (header: ${names.join(', ')})`);
    }
    this.#idColumnPresent = names.includes(this.#columns.id);
  }

  item(row: TableRow): SourceRecord {
    const id = this.#id(row);
    const fail = (problem: CellProblem): SourceRecord => ({ id, error: new TableRowError({ file: this.#options.table.shown, line: row.line, row: row.row, ...problem }) });
    const duplicateOf = this.#remember(id, row.line);
    if (duplicateOf !== undefined) return fail({ kind: 'duplicate-id', column: this.#columns.id, value: id, detail: `duplicate id "${id}" (first on line ${duplicateOf})` });
    const [valenceColumn, arousalColumn] = this.#vaColumns();
    const va = this.#pair(row.cells, valenceColumn, arousalColumn);
    if ('problem' in va) return fail(va.problem);
    const annotated = this.#annotated(row.cells);
    if (annotated && 'problem' in annotated) return fail(annotated.problem);
    const label = parseLabel(row.cells[this.#columns.label], this.#separator, this.#columns.label);
    if (label && 'problem' in label) return fail(label.problem);
    const kept = keptFields(this.#kept, row.cells);
    if ('problem' in kept) return fail(kept.problem);
    const reference = row.cells[this.#columns.reference];
    return {
      id,
      fields: {
        ...kept.value,
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
    return parseVaPair({ cells, valenceColumn, arousalColumn, range: this.#options.range });
  }

  /** The human-annotated pair, when the row has one (rows without an annotation simply carry none). */
  #annotated(cells: Cells): Parsed<{ valence: number; arousal: number }> | undefined {
    const { annotatedValence, annotatedArousal } = this.#columns;
    if (isBlank(cells[annotatedValence]) && isBlank(cells[annotatedArousal])) return undefined;
    return this.#pair(cells, annotatedValence, annotatedArousal);
  }
}
