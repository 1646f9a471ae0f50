import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';

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

/** One data row: its cells by column name, and the 1-based line it starts on (a CSV header is line 1). */
export interface TableRow {
  readonly line: number;
  readonly cells: Readonly<Record<string, unknown>>;
}

/** The CSV/TSV header, yielded once before the rows (JSONL has none: each row names its own keys). */
export interface TableHeader {
  readonly columns: readonly string[];
}

/** A row the parser could not read (broken quoting, invalid JSON); the reading goes on after it. */
export interface TableRowError {
  readonly line: number;
  readonly message: string;
}

export type TableEntry = TableHeader | TableRow | TableRowError;

export interface TableReadOptions {
  /** Absolute path of the file. */
  readonly file: string;
  readonly format: TableFormat;
  readonly signal?: AbortSignal;
}

/**
 * Streams a table row by row: memory stays flat whatever the file size (the file is never read whole).
 * CSV/TSV yield their header first (when the file has at least one data row); JSONL rows carry their keys.
 */
export function readTableRows(options: TableReadOptions): AsyncGenerator<TableEntry> {
  return options.format === 'jsonl' ? readJsonLines(options) : readDelimited(options);
}

async function* readJsonLines(options: TableReadOptions): AsyncGenerator<TableEntry> {
  const input = createReadStream(options.file, { encoding: 'utf8', signal: options.signal });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
      if (trimmed === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (error) {
        yield { line, message: `invalid JSON (${error instanceof Error ? error.message : String(error)})` };
        continue;
      }
      if (!isJsonObject(value)) {
        yield { line, message: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` };
        continue;
      }
      yield { line, cells: value };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

async function* readDelimited(options: TableReadOptions): AsyncGenerator<TableEntry> {
  const { parse } = await import('csv-parse');
  // Line numbers come from each record's raw text (cheap), not csv-parse's `info` snapshots (which
  // double the parse time). A row the parser skips (broken quoting) is pushed into the same stream as
  // a marker from on_skip, which runs synchronously mid-parse, so it arrives in file order.
  let headerLine = 0;
  let header: readonly string[] | undefined;
  const parser = parse({
    columns: (names: string[]) => {
      header = names;
      headerLine = parser.info.lines;
      return names;
    },
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    raw: true,
    delimiter: options.format === 'tsv' ? '\t' : ',',
    quote: options.format === 'tsv' ? false : '"',
    // A stray quote inside a field stays part of the value (then fails as a value, with its line);
    // without this csv-parse loses its place and swallows the rest of the file.
    relax_quotes: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) parser.push({ skippedAt: parser.info.lines, message: error.message });
      return undefined;
    },
  });
  const input = createReadStream(options.file, { signal: options.signal });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  /** Lines fully consumed so far. */
  let consumed = -1;
  try {
    for await (const chunk of parser) {
      if (header) {
        yield { columns: header };
        header = undefined;
      }
      if (consumed < 0) consumed = headerLine;
      const parsed: unknown = chunk;
      if (isSkipMarker(parsed)) {
        yield { line: consumed + 1, message: `unreadable row (${parsed.message})` };
        // The parser resumes inside the bad line: the rest of it is counted with the next record.
        consumed = parsed.skippedAt - 1;
        continue;
      }
      if (!isRawRecord(parsed)) throw new Error(`csv-parse returned an unexpected chunk for ${options.file}`);
      const line = consumed + 1 + leadingBreaks(parsed.raw);
      consumed += countBreaks(parsed.raw);
      yield { line, cells: parsed.record };
    }
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function countBreaks(text: string): number {
  let breaks = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) breaks++;
  return breaks;
}

/** Empty lines skipped before a record are part of its raw text. */
function leadingBreaks(text: string): number {
  let breaks = 0;
  for (let at = 0; at < text.length && (text[at] === '\n' || text[at] === '\r'); at++) if (text[at] === '\n') breaks++;
  return breaks;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What csv-parse yields with `columns` and `raw: true`. */
interface RawRecord {
  readonly record: Record<string, unknown>;
  readonly raw: string;
}

function isRawRecord(chunk: unknown): chunk is RawRecord {
  return isJsonObject(chunk) && isJsonObject(chunk.record) && typeof chunk.raw === 'string';
}

interface SkipMarker {
  readonly skippedAt: number;
  readonly message: string;
}

function isSkipMarker(chunk: unknown): chunk is SkipMarker {
  return isJsonObject(chunk) && typeof chunk.skippedAt === 'number' && typeof chunk.message === 'string';
}
