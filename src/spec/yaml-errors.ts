import { CST, Parser, type YAMLError } from 'yaml';
import type { LocatedIssue } from './issues.js';

/**
 * The yaml package's syntax errors in words a person can act on, placed where the mistake is (the
 * quote or bracket left open, not the end of the file where the parser gave up). One mistake often
 * makes the parser report several errors; the first one, in file order, is the one to fix, so only
 * it is returned. Duplicate keys are not syntax errors: parse-yaml.ts reports them.
 */
export function plainSyntaxIssues(errors: readonly YAMLError[], text: string): LocatedIssue[] {
  const source = new SourceText(text);
  const located = errors.map((error) => plainIssue(error, source));
  // An open bracket around another mistake is that mistake's echo: `{ a: "x }` reports the quote.
  const kept = located.filter((issue) => !issue.span || !located.some((other) => other !== issue && other.offset > issue.span![0] && other.offset < issue.span![1]));
  kept.sort((a, b) => a.offset - b.offset);
  // A quote left open swallows the rest of the file: whatever else broke follows from it.
  const first = kept.find((issue) => issue.swallows) ?? kept[0];
  return first ? [{ path: [], offset: first.offset, message: first.message }] : [];
}

interface PlainIssue {
  readonly offset: number;
  readonly message: string;
  /** For an unclosed bracket: the text it spans, so errors inside it win. */
  readonly span?: readonly [number, number];
  /** An unclosed quote: every later error may be its echo. */
  readonly swallows?: boolean;
}

const CLOSER: Record<string, string> = { '[': ']', '{': '}' };

function plainIssue(error: YAMLError, source: SourceText): PlainIssue {
  const offset = error.pos[0];
  const raw = error.message.split('\n')[0] ?? '';
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return { offset: source.lineStart(offset), message: 'a tab indents this line: YAML indents with spaces only (replace the tab with spaces)' };
    case 'MISSING_CHAR':
      return missingChar(raw, offset, source);
    case 'BAD_INDENT':
      return badIndent(raw, offset, source);
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return implicitKey(offset, source);
    case 'BLOCK_IN_FLOW':
      return { offset, message: 'inside { … } or [ … ], a value containing ": " must be quoted, and entries are separated by commas: is a comma missing, or a value unquoted?' };
    case 'BAD_SCALAR_START': {
      const char = /character (.)$/.exec(raw)?.[1] ?? source.text[offset] ?? '';
      return { offset, message: `a plain value cannot start with ${char}: put the value in quotes ("${char}…")` };
    }
    case 'BAD_DQ_ESCAPE': {
      const escape = /sequence (\S+)/.exec(raw)?.[1] ?? 'this';
      return { offset, message: `${escape} is not an escape sequence inside "…": write \\\\ for a backslash, or use single quotes ('…'), inside which a backslash is just a backslash` };
    }
    case 'UNEXPECTED_TOKEN':
      return unexpectedToken(raw, offset, source);
    case 'MULTIPLE_DOCS':
      return { offset, message: 'a pipeline file holds one YAML document, but "---" starts a second one here: remove the line (or move the rest to its own file)' };
    case 'KEY_OVER_1024_CHARS':
      return { offset, message: 'a key longer than 1024 characters: is a line break, a quote or a ": " missing?' };
    case 'MULTIPLE_ANCHORS':
      return { offset, message: 'a value can carry one anchor (&name) only' };
    case 'MULTIPLE_TAGS':
      return { offset, message: 'a value can carry one tag (!name) only' };
    case 'ALIAS_PROPS':
      return { offset, message: 'an alias (*name) cannot carry an anchor or a tag' };
    case 'BAD_ALIAS':
      return { offset, message: 'an alias (*name) must name an anchor (&name) defined before it' };
    case 'BAD_PROP_ORDER':
      return { offset, message: 'an anchor or tag must come after the "-" or "?" at the start of the entry' };
    case 'TAG_RESOLVE_FAILED': {
      const tag = /: (\S+)$/.exec(raw)?.[1];
      return { offset, message: `unknown YAML tag${tag ? ` ${tag}` : ''}: pipelines use plain values; remove the tag` };
    }
    case 'NON_STRING_KEY':
      return { offset, message: 'a key must be a plain name, not a list or a mapping' };
    case 'BAD_DIRECTIVE':
      return { offset, message: 'a line starting with % is a YAML directive: quote the value, or remove the line' };
    default:
      return { offset, message: `YAML cannot read this (${error.code}): ${lowerFirst(raw)}` };
  }
}

function missingChar(raw: string, offset: number, source: SourceText): PlainIssue {
  const quote = /closing (["'])quote/.exec(raw)?.[1];
  if (quote) {
    const opener = source.unclosedQuoteBefore(offset, quote);
    const escape = quote === '"' ? 'write a quote inside "…" as \\"' : "write a quote inside '…' as ''";
    return { offset: opener ?? offset, swallows: true, message: `the ${quote} opened here is never closed: add the closing ${quote} (${escape})` };
  }
  // A document that is only a flow collection (`[a, b`): the same mistake as in a block collection.
  if (/^Flow (sequence|map) must end with/.test(raw)) return badIndent(raw, offset, source);
  if (/Missing , between/.test(raw) || /Missing , or : between/.test(raw)) {
    return { offset, message: 'entries of { … } or [ … ] are separated by commas: is one missing before this?' };
  }
  if (/Missing space after :/.test(raw)) return { offset, message: 'a space is missing after the colon (write "key: value")' };
  if (/Implicit map keys need to be followed by map values/.test(raw)) {
    return { offset: source.firstContent(offset), message: 'this line has no "key:" (a key needs a colon and a space after it), and it is not a list item ("- …")' };
  }
  if (/Sequence item without - indicator/.test(raw)) {
    return { offset: source.firstContent(offset), message: 'this line sits among list items but does not start with "- ": add the dash, or indent it under the item above' };
  }
  if (/separated by white space/.test(raw)) return { offset, message: 'a space is missing here: a # comment, and an anchor (&name) or a tag, must be followed or preceded by a space' };
  return { offset, message: `YAML cannot read this: ${lowerFirst(raw)}` };
}

function badIndent(raw: string, offset: number, source: SourceText): PlainIssue {
  const flow = /^Flow (sequence|map)/.exec(raw)?.[1];
  if (flow) {
    const open = flow === 'sequence' ? '[' : '{';
    const collection = source.flowCollectionAround(offset, open);
    const what = open === '[' ? '[ … ] list' : '{ … } mapping';
    // `a: [b,` then `c]` at the key's indentation: the parser cuts the list at that line.
    const opener = collection ? source.lineAt(collection.offset) : undefined;
    const next = opener ? source.nextContentLine(opener.end) : undefined;
    if (collection && opener && next && !collection.wrongCloser && next.indent <= opener.indent && next.text.includes(CLOSER[open])) {
      return { offset: collection.offset, message: `this ${what} goes on at line ${next.line}, which is indented no deeper than its key (column ${opener.indent + 1}): indent line ${next.line} further, or keep the ${what} on one line` };
    }
    if (collection && !collection.closed) {
      const found = collection.wrongCloser ? `; found ${collection.wrongCloser} first` : '';
      return {
        offset: collection.offset,
        span: [collection.offset, collection.end],
        message: `the ${open} opened here is never closed: add the missing ${CLOSER[open]}${found}`,
      };
    }
    return { offset: collection?.offset ?? offset, message: `this ${what} continues on a line indented no deeper than its key: indent the continuation lines further than the key` };
  }
  const at = source.firstContent(offset);
  const here = source.column(at);
  const above = source.previousContentLine(at);
  if (above && above.text.trimStart().startsWith('- ') && above.indent === here - 1 && /^All mapping/.test(raw)) {
    return { offset: at, message: `only list items can follow a list item ("- …") at the same indentation (line ${above.line}): start this line with "- " too, or indent it under the item` };
  }
  const sibling = above ? ` (line ${above.line} starts at column ${above.indent + 1})` : '';
  const what = /sequence/.test(raw) ? 'items of one list' : 'keys of one mapping';
  return { offset: at, message: `this line starts at column ${here}, out of line with the lines above${sibling}: ${what} must start at the same column, since YAML nests by indentation` };
}

function implicitKey(offset: number, source: SourceText): PlainIssue {
  const line = source.lineAt(offset);
  const rest = source.text.slice(offset, line.end);
  const keyMatch = /^(\s*)(?:- )?([^\s:#][^:#]*?):(?:\s|$)/.exec(line.text);
  const valueStart = offset > line.start + (keyMatch?.[0].length ?? 0) - 1;
  // `description: Note: this is`: the value holds ": ", which opens a mapping inside the value.
  if (keyMatch && valueStart && /:(\s|$)/.test(rest)) {
    const value = rest.trimEnd();
    const quoted = value.includes('"') ? `'${value.replaceAll("'", "''")}'` : `"${value}"`;
    return { offset, message: `this value contains ": ", which would start a nested mapping: put the whole value in quotes (${keyMatch[2]}: ${quoted})` };
  }
  // `kind: extract` followed by a line indented deeper: the next line cannot nest under a key that already has a value.
  const next = source.nextContentLine(line.end);
  if (keyMatch && valueStart && next && next.indent > keyMatch[1].length) {
    return {
      offset,
      message: `a value cannot start a nested mapping here — did you mean to indent line ${next.line} like "${keyMatch[2]}" (column ${keyMatch[1].length + 1})? ("${keyMatch[2]}" already has a value on this line, so the deeper line ${next.line} cannot belong to it)`,
    };
  }
  const start = source.firstContent(offset);
  const text = source.lineAt(start).text.trim();
  const glued = /^([^\s:"'#{[]+):(?!\/\/)(\S.*)$/.exec(text);
  if (glued) return { offset: start, message: `a space is missing after the colon: write "${glued[1]}: ${glued[2]}" (YAML reads "${glued[1]}:${glued[2]}" as one word)` };
  return { offset: start, message: 'this line is not "key: value" and not a list item ("- …"), so YAML reads it as a key running on to the next line: add ": " after the key' };
}

function unexpectedToken(raw: string, offset: number, source: SourceText): PlainIssue {
  if (/flow-map-end/.test(raw)) return { offset, message: 'a } with no { before it: remove it' };
  if (/flow-seq-end/.test(raw)) return { offset, message: 'a ] with no [ before it: remove it' };
  if (/Unexpected , in/.test(raw)) return { offset, message: 'an extra comma: { … } and [ … ] take one comma between entries' };
  if (/Unexpected empty item/.test(raw)) return { offset, message: 'an empty entry between two commas: remove one comma' };
  if (/at node end/.test(raw)) {
    return { offset, message: 'text after a complete value: a quoted value ends at its closing quote, so quote the whole value (or is a comma or line break missing?)' };
  }
  const found = source.text.slice(offset, source.lineAt(offset).end).trim().slice(0, 20);
  return { offset, message: `unexpected ${found ? `"${found}"` : 'text'} here: ${lowerFirst(raw)}` };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

interface Line {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Leading spaces. */
  readonly indent: number;
}

interface FlowCollection {
  readonly offset: number;
  readonly end: number;
  readonly closed: boolean;
  readonly wrongCloser?: string;
}

/** Line arithmetic and a lazily parsed concrete syntax tree over the file's text. */
class SourceText {
  readonly text: string;
  #documents?: CST.Document[];

  constructor(text: string) {
    this.text = text;
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  }

  lineAt(offset: number): Line {
    const start = offset > 0 && this.text[offset - 1] === '\n' ? offset : this.lineStart(offset);
    const newline = this.text.indexOf('\n', start);
    const end = newline === -1 ? this.text.length : newline;
    const text = this.text.slice(start, end).replace(/\r$/, '');
    const line = this.text.slice(0, start).split('\n').length;
    return { line, start, end, text, indent: text.length - text.replace(/^ +/, '').length };
  }

  column(offset: number): number {
    return offset - this.lineStart(offset) + 1;
  }

  /** The first non-space character of the line holding `offset`. */
  firstContent(offset: number): number {
    const line = this.lineAt(offset);
    return line.start + line.indent;
  }

  #isContent(line: Line): boolean {
    const trimmed = line.text.trim();
    return trimmed !== '' && !trimmed.startsWith('#');
  }

  previousContentLine(offset: number): Line | undefined {
    for (let start = this.lineStart(offset); start > 0;) {
      const line = this.lineAt(this.lineStart(start - 1));
      if (this.#isContent(line)) return line;
      start = line.start;
    }
    return undefined;
  }

  nextContentLine(lineEnd: number): Line | undefined {
    for (let start = lineEnd + 1; start < this.text.length;) {
      const line = this.lineAt(start);
      if (this.#isContent(line)) return line;
      start = line.end + 1;
    }
    return undefined;
  }

  /** The document tokens of the concrete syntax tree (comments and stray tokens between them are skipped). */
  #cst(): CST.Document[] {
    this.#documents ??= [...new Parser().parse(this.text)].filter((token): token is CST.Document => token.type === 'document');
    return this.#documents;
  }

  /** The innermost `open` collection starting before `offset`, preferring one left unclosed. */
  flowCollectionAround(offset: number, open: string): FlowCollection | undefined {
    const found: FlowCollection[] = [];
    for (const token of this.#cst()) {
      CST.visit(token, ({ value }) => {
        if (value?.type !== 'flow-collection' || value.start.source !== open || value.start.offset > offset) return;
        const closer = value.end.find((t) => t.type === 'flow-map-end' || t.type === 'flow-seq-end');
        const end = value.end.at(-1);
        found.push({
          offset: value.start.offset,
          end: end ? end.offset + end.source.length : this.text.length,
          closed: closer?.source === CLOSER[open],
          wrongCloser: closer && closer.source !== CLOSER[open] ? closer.source : undefined,
        });
      });
    }
    const unclosed = found.filter((c) => !c.closed);
    return (unclosed.length > 0 ? unclosed : found).sort((a, b) => b.offset - a.offset)[0];
  }

  /** Where the last quoted scalar of this quote that never closes starts, before `offset`. */
  unclosedQuoteBefore(offset: number, quote: string): number | undefined {
    const type = quote === '"' ? 'double-quoted-scalar' : 'single-quoted-scalar';
    let found: number | undefined;
    for (const token of this.#cst()) {
      CST.visit(token, ({ key, value }) => {
        for (const node of [key, value]) {
          if (node?.type === type && node.offset <= offset && !closesQuote(node.source, quote)) found = node.offset;
        }
      });
    }
    return found;
  }
}

/** Whether a quoted scalar's source ends with its closing quote (not an escaped one). */
function closesQuote(source: string, quote: string): boolean {
  const body = source.trimEnd();
  if (body.length < 2 || !body.endsWith(quote)) return false;
  if (quote === "'") return true;
  const backslashes = /\\*"$/.exec(body)![0].length - 1;
  return backslashes % 2 === 0;
}
