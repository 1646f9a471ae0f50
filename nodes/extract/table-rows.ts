import path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { isRecord } from '../../src/util/is-record.js';
import { readTextLines, type TextLine } from './table-lines.js';

/** Table formats, by file extension. TSV follows IANA text/tab-separated-values: tab-delimited, no quoting. */
export type TableFormat = 'csv' | 'tsv' | 'jsonl';

const FORMAT_BY_EXTENSION: Readonly<Record<string, TableFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

export const TABLE_EXTENSIONS: readonly string[] = Object.keys(FORMAT_BY_EXTENSION);

/** The format of a table file by its extension; undefined when unsupported. */
export function tableFormatOf(file: string): TableFormat | undefined {
  return FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
}

/** One data row: its cells by column name, the 1-based line it starts on (a CSV header is line 1) and its 1-based row number. */
export interface TableRow {
  readonly line: number;
  readonly row: number;
  readonly cells: Readonly<Record<string, unknown>>;
}

/** The CSV/TSV header, yielded once before the rows (JSONL has none: each row names its own keys). */
export interface TableHeader {
  readonly columns: readonly string[];
  readonly line: number;
}

/** Why a row could not be read: broken quoting or JSON, bytes that are not UTF-8, more cells than the header has columns. */
export type UnreadableKind = 'unreadable' | 'encoding' | 'width';

/** A row the reader could not read; reading goes on after it. */
export interface TableRowError {
  readonly line: number;
  readonly row: number;
  readonly kind: UnreadableKind;
  readonly message: string;
}

export type TableEntry = TableHeader | TableRow | TableRowError;

export interface TableReadOptions {
  /** Absolute path of the file. */
  readonly file: string;
  /** The path as the pipeline wrote it, for messages. */
  readonly shown: string;
  readonly format: TableFormat;
  readonly signal?: AbortSignal;
}

/**
 * A quoted CSV field may span lines (RFC 4180), but not without bound: past this many lines the
 * record is taken as an unterminated quote and reading resumes on the line after its first.
 */
export const MAX_RECORD_LINES = 1000;

/**
 * Streams a table row by row: memory stays flat whatever the file size (one line at a time, plus
 * the lines of a quoted field that spans several). Every row comes out as a TableRow or a
 * TableRowError with its line; nothing is dropped. CSV/TSV yield their header first.
 * Throws a ConfigError for what no row can survive: a duplicated or unreadable header, and a table
 * with no data rows.
 */
export async function* readTableRows(options: TableReadOptions): AsyncGenerator<TableEntry> {
  let rows = 0;
  let headerLine: number | undefined;
  const source = options.format === 'jsonl' ? readJsonLines(options) : readDelimited(options);
  for await (const entry of source) {
    if ('columns' in entry) headerLine = entry.line;
    else rows++;
    yield entry;
  }
  if (rows === 0) {
    throw new ConfigError(`${options.shown}: no data rows (${headerLine === undefined ? 'the file is empty' : `only the header, on line ${headerLine}`})`);
  }
}

async function* readJsonLines(options: TableReadOptions): AsyncGenerator<TableEntry> {
  let row = 0;
  for await (const { line, text, invalidUtf8 } of readTextLines(options)) {
    const trimmed = text.trim();
    if (trimmed === '') continue;
    row++;
    if (invalidUtf8) {
      yield { line, row, kind: 'encoding', message: invalidUtf8 };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      yield { line, row, kind: 'unreadable', message: `invalid JSON (${error instanceof Error ? error.message : String(error)})` };
      continue;
    }
    if (!isRecord(value)) {
      yield { line, row, kind: 'unreadable', message: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` };
      continue;
    }
    yield { line, row, cells: value };
  }
}

/** Continuation lines of a quoted field that read as rows of their own (this many delimiters) mean a stray quote. */
function rowLikeDelimiters(columns: number): number {
  return Math.max(1, columns - 1);
}

function countOf(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) n++;
  return n;
}

async function* readDelimited(options: TableReadOptions): AsyncGenerator<TableEntry> {
  const delimiter = options.format === 'tsv' ? '\t' : ',';
  const quoting = options.format === 'csv';
  const lines = readTextLines(options)[Symbol.asyncIterator]();
  /** Lines to read again after an unterminated quote swallowed them. */
  const replay: TextLine[] = [];
  const next = async (): Promise<TextLine | undefined> => replay.shift() ?? (await lines.next()).value;
  let header: readonly string[] | undefined;
  let row = 0;
  let open: RecordBuilder | undefined;

  const broken = (record: RecordBuilder, why: string): TableRowError => {
    replay.unshift(...record.lines.slice(1));
    const column = header?.[record.fields.length];
    return {
      line: record.lines[0]!.line,
      row: ++row,
      kind: 'unreadable',
      message: `unterminated quote${column ? ` in column "${column}"` : ''}: ${why}; the row is skipped and reading resumes on line ${record.lines[0]!.line + 1}`,
    };
  };

  for (;;) {
    const line = await next();
    if (!line) {
      if (!open) break;
      if (!header) throw new ConfigError(`${options.shown}:${open.lines[0]!.line}: the header has an unterminated quote`);
      yield broken(open, 'no closing quote before the end of the file');
      open = undefined;
      continue;
    }
    if (open) {
      const width = header?.length ?? 0;
      if (countOf(line.text, delimiter) >= rowLikeDelimiters(width) || open.lines.length >= MAX_RECORD_LINES) {
        if (!header) throw new ConfigError(`${options.shown}:${open.lines[0]!.line}: the header has an unterminated quote`);
        replay.unshift(line);
        yield broken(open, open.lines.length >= MAX_RECORD_LINES ? `the quoted field runs past ${MAX_RECORD_LINES} lines` : `line ${line.line} reads as a row of its own`);
        open = undefined;
        continue;
      }
    } else {
      if (line.text.trim() === '') continue;
      open = new RecordBuilder(delimiter, quoting);
    }
    if (!open.feed(line)) continue;
    const record = open;
    open = undefined;
    if (!header) {
      header = checkHeader(record, options.shown);
      yield { columns: header, line: record.lines[0]!.line };
      continue;
    }
    yield toRow(record, header, ++row);
  }
}

function checkHeader(record: RecordBuilder, shown: string): string[] {
  const at = `${shown}:${record.lines[0]!.line}`;
  if (record.invalidUtf8) throw new ConfigError(`${at}: the header has ${record.invalidUtf8}`);
  const names = record.fields.map((name) => name.trim());
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '') return;
    const earlier = first.get(name);
    if (earlier !== undefined) throw new ConfigError(`${at}: column "${name}" appears twice in the header (columns ${earlier + 1} and ${i + 1}); rename or remove one`);
    first.set(name, i);
  });
  return names;
}

function toRow(record: RecordBuilder, header: readonly string[], row: number): TableRow | TableRowError {
  const line = record.lines[0]!.line;
  if (record.invalidUtf8) return { line, row, kind: 'encoding', message: record.invalidUtf8 };
  const { fields } = record;
  if (fields.length > header.length && fields.slice(header.length).some((cell) => cell.trim() !== '')) {
    return { line, row, kind: 'width', message: `${fields.length} cells, but the header has ${header.length} columns (an unquoted "${record.delimiter === '\t' ? '\\t' : record.delimiter}" inside a value?)` };
  }
  const cells: Record<string, unknown> = {};
  header.forEach((name, i) => {
    if (name !== '' && i < fields.length) cells[name] = fields[i];
  });
  return { line, row, cells };
}

/**
 * Collects the fields of one CSV/TSV record, line by line. A quote opens a quoted field only at the
 * start of a field; `""` inside it is a quote; a quote inside an unquoted field is kept as text; a
 * closing quote followed by more text keeps the whole field as written (`"0.2"x`), so it fails as a
 * value with its line rather than derailing the rows after it.
 */
class RecordBuilder {
  readonly fields: string[] = [];
  readonly lines: TextLine[] = [];
  invalidUtf8?: string;
  #quoted = false;
  #field = '';
  /** The quoted field as written, quotes included (for a closing quote followed by text). */
  #raw = '';

  constructor(readonly delimiter: string, private readonly quoting: boolean) {}

  /** Adds a line; true when the record is complete. */
  feed(line: TextLine): boolean {
    this.lines.push(line);
    if (line.invalidUtf8 && !this.invalidUtf8) this.invalidUtf8 = this.lines.length > 1 ? `${line.invalidUtf8} (on line ${line.line})` : line.invalidUtf8;
    const text = line.text;
    if (!this.quoting) {
      this.fields.push(...text.split(this.delimiter));
      return true;
    }
    let i = 0;
    if (this.#quoted) {
      this.#field += '\n';
      this.#raw += '\n';
    } else if (!text.includes('"')) {
      this.fields.push(...text.split(this.delimiter));
      return true;
    }
    for (;;) {
      if (!this.#quoted) {
        if (text[i] !== '"') {
          const end = text.indexOf(this.delimiter, i);
          this.fields.push(text.slice(i, end < 0 ? text.length : end));
          if (end < 0) return true;
          i = end + 1;
          continue;
        }
        this.#quoted = true;
        this.#field = '';
        this.#raw = '"';
        i++;
      }
      const quote = text.indexOf('"', i);
      if (quote < 0) {
        this.#field += text.slice(i);
        this.#raw += text.slice(i);
        return false;
      }
      this.#field += text.slice(i, quote);
      this.#raw += text.slice(i, quote + 1);
      const after = text[quote + 1];
      if (after === '"') {
        this.#field += '"';
        this.#raw += '"';
        i = quote + 2;
        continue;
      }
      this.#quoted = false;
      if (after === undefined || after === this.delimiter) {
        this.fields.push(this.#field);
        if (after === undefined) return true;
        i = quote + 2;
        continue;
      }
      const end = text.indexOf(this.delimiter, quote + 1);
      this.fields.push(this.#raw + text.slice(quote + 1, end < 0 ? text.length : end));
      if (end < 0) return true;
      i = end + 1;
    }
  }
}
