import type { Hash } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { isRecord } from '../../src/util/is-record.js';
import { readTextBlocks, type TextLine } from './table-lines.js';

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
  /** Fed the file's bytes as they are read (the content the rows came from). */
  readonly digest?: Hash;
}

/**
 * A quoted CSV field may span lines (RFC 4180), but not without bound: past this many lines the
 * record is taken as an unterminated quote and reading resumes on the line after its first.
 */
export const MAX_RECORD_LINES = 1000;

/**
 * Streams a table row by row: memory stays flat whatever the file size (one block of lines at a time,
 * plus the lines of a quoted field that spans several). Every row comes out as a TableRow or a
 * TableRowError with its line; nothing is dropped. CSV/TSV yield their header first.
 * Throws a ConfigError for what no row can survive: a duplicated or unreadable header, and a table
 * with no data rows.
 */
export async function* readTableRows(options: TableReadOptions): AsyncGenerator<TableEntry> {
  // The parsers are synchronous and fed a block of lines at a time: one await per block, not per row.
  const parser: LineParser = options.format === 'jsonl' ? new JsonLinesParser() : new DelimitedParser(options);
  let rows = 0;
  let headerLine: number | undefined;
  const count = (entry: TableEntry): TableEntry => {
    if ('columns' in entry) headerLine = entry.line;
    else rows++;
    return entry;
  };
  for await (const block of readTextBlocks(options)) {
    for (const line of block) for (const entry of parser.push(line)) yield count(entry);
  }
  for (const entry of parser.end()) yield count(entry);
  if (rows === 0) {
    throw new ConfigError(`${options.shown}: no data rows (${headerLine === undefined ? 'the file is empty' : `only the header, on line ${headerLine}`})`);
  }
}

/** Turns lines into entries, synchronously; a line may complete zero, one or (after a broken quote) several rows. */
interface LineParser {
  push(line: TextLine): Iterable<TableEntry>;
  /** The entries still pending at the end of the file. */
  end(): Iterable<TableEntry>;
}

class JsonLinesParser implements LineParser {
  #row = 0;

  *push({ line, text, invalidUtf8 }: TextLine): Iterable<TableEntry> {
    const trimmed = text.trim();
    if (trimmed === '') return;
    const row = ++this.#row;
    if (invalidUtf8) {
      yield { line, row, kind: 'encoding', message: invalidUtf8 };
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      yield { line, row, kind: 'unreadable', message: `invalid JSON (${error instanceof Error ? error.message : String(error)})` };
      return;
    }
    if (!isRecord(value)) {
      yield { line, row, kind: 'unreadable', message: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` };
      return;
    }
    yield { line, row, cells: value };
  }

  end(): Iterable<TableEntry> {
    return [];
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

class DelimitedParser implements LineParser {
  readonly #shown: string;
  readonly #delimiter: string;
  readonly #quoting: boolean;
  #header: readonly string[] | undefined;
  #row = 0;
  /** A record whose quoted field continues on the next line. */
  #open: RecordBuilder | undefined;

  constructor(options: TableReadOptions) {
    this.#shown = options.shown;
    this.#delimiter = options.format === 'tsv' ? '\t' : ',';
    this.#quoting = options.format === 'csv';
  }

  *push(line: TextLine): Iterable<TableEntry> {
    const open = this.#open;
    if (open && (countOf(line.text, this.#delimiter) >= rowLikeDelimiters(this.#header?.length ?? 0) || open.lines.length >= MAX_RECORD_LINES)) {
      const why = open.lines.length >= MAX_RECORD_LINES ? `the quoted field runs past ${MAX_RECORD_LINES} lines` : `line ${line.line} reads as a row of its own`;
      yield* this.#broken(why);
      yield* this.push(line);
      return;
    }
    if (!open && line.text.trim() === '') return;
    const record = open ?? new RecordBuilder(this.#delimiter, this.#quoting);
    this.#open = record;
    if (!record.feed(line)) return;
    this.#open = undefined;
    if (this.#header) {
      yield toRow(record, this.#header, ++this.#row);
      return;
    }
    this.#header = checkHeader(record, this.#shown);
    yield { columns: this.#header, line: record.lines[0]!.line };
  }

  *end(): Iterable<TableEntry> {
    // A line given back may open a quote of its own when read afresh (`y",0.5,"z` closed one field
    // and opened the next): loop until none is open.
    while (this.#open) yield* this.#broken('no closing quote before the end of the file');
  }

  /** The open record is a stray quote: its first line is an error row, the lines it swallowed are read again. */
  *#broken(why: string): Iterable<TableEntry> {
    const record = this.#open!;
    this.#open = undefined;
    const first = record.lines[0]!.line;
    if (!this.#header) throw new ConfigError(`${this.#shown}:${first}: the header has an unterminated quote`);
    const column = this.#header[record.fields.length];
    yield {
      line: first,
      row: ++this.#row,
      kind: 'unreadable',
      message: `unterminated quote${column ? ` in column "${column}"` : ''}: ${why}; the row is skipped and reading resumes on line ${first + 1}`,
    };
    for (const again of record.lines.slice(1)) yield* this.push(again);
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
