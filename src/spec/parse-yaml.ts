import { LineCounter, isMap, isScalar, parseDocument, visit, type Document } from 'yaml';
import { plainSyntaxIssues } from './yaml-errors.js';
import type { LocatedIssue } from './issues.js';
import { keyAt } from './positions.js';

/** Files above this size are refused before parsing: a pipeline is a few KiB. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Alias expansions allowed while converting to JS (yaml's own guard against "billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml {
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The document as plain JS (maps → objects, sequences → arrays). */
  readonly value: unknown;
}

export type ParseResult =
  | { readonly ok: true; readonly parsed: ParsedYaml }
  | { readonly ok: false; readonly issues: readonly LocatedIssue[]; readonly lineCounter: LineCounter };

export function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

export function fileTooLargeMessage(bytes: number): string {
  return `file is ${formatMiB(bytes)}; the limit is ${formatMiB(MAX_FILE_BYTES)}`;
}

/**
 * Parses one YAML document, keeping node ranges for positions. Syntax errors, duplicate keys,
 * unknown aliases and excessive alias expansion all come back as issues, never as a throw.
 */
export function parseYaml(text: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  // A syntax error makes the rest of the parse unreliable (duplicate keys included): it alone is reported.
  const syntax = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
  const issues: LocatedIssue[] = syntax.length > 0
    ? plainSyntaxIssues(syntax, text)
    : doc.errors.map((error) => duplicateKey(doc, error.pos[0], lineCounter));
  if (issues.length > 0) return { ok: false, issues, lineCounter };

  let firstAlias: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      const start = node.range?.[0] ?? 0;
      firstAlias ??= start;
      if (node.resolve(doc) === undefined) issues.push({ path: [], offset: start, message: `unknown YAML alias *${node.source} (no anchor &${node.source} before it)` });
    },
  });
  if (issues.length > 0) return { ok: false, issues, lineCounter };

  try {
    const value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { ok: true, parsed: { doc, lineCounter, value } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = /alias count/i.test(reason)
      ? `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions): refusing a possible alias bomb`
      : `YAML: ${reason}`;
    return { ok: false, issues: [{ path: [], offset: firstAlias ?? 0, message }], lineCounter };
  }
}

/** The second occurrence of a key: `nodes.faces: duplicate node id "faces" (first defined on line 4)`. */
function duplicateKey(doc: Document.Parsed, offset: number, lineCounter: LineCounter): LocatedIssue {
  const found = keyAt(doc, offset);
  if (!found) return { path: [], offset, message: 'duplicate key: a mapping holds each key once' };
  const what = found.mapPath.length === 1 && found.mapPath[0] === 'nodes' ? 'node id' : 'key';
  const map = found.mapPath.length === 0 ? doc.contents : doc.getIn(found.mapPath, true);
  const first = isMap(map) ? map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === found.key)?.key : undefined;
  const start = isScalar(first) ? first.range?.[0] : undefined;
  const where = start !== undefined && start !== offset ? `first defined on line ${lineCounter.linePos(start).line}` : 'defined above';
  return { path: [...found.mapPath, found.key], offset, message: `duplicate ${what} "${found.key}" (${where}): a mapping holds each key once` };
}
