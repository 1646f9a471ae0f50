import { LineCounter, parseDocument, visit, type Document } from 'yaml';
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
  const issues: LocatedIssue[] = doc.errors.map((error) =>
    error.code === 'DUPLICATE_KEY' ? duplicateKey(doc, error.pos[0]) : { path: [], offset: error.pos[0], message: `YAML syntax: ${error.message}` },
  );
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

/** The second occurrence of a key: `nodes.faces: duplicate node id "faces" (defined above)`. */
function duplicateKey(doc: Document.Parsed, offset: number): LocatedIssue {
  const found = keyAt(doc, offset);
  if (!found) return { path: [], offset, message: 'duplicate key' };
  const what = found.mapPath.length === 1 && found.mapPath[0] === 'nodes' ? 'node id' : 'key';
  return { path: [...found.mapPath, found.key], offset, message: `duplicate ${what} "${found.key}" (defined above)` };
}
