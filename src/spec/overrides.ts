import { parseDocument } from 'yaml';
import type { LocatedIssue, SpecPath } from './issues.js';
import { startsWithPath } from './issues.js';
import { plainSyntaxIssues } from './yaml-errors.js';
import { isRecord } from '../util/is-record.js';

/**
 * `--set path=value`: one value of the pipeline replaced for one run. The path is written as vaflow
 * prints paths in its errors (`nodes.classify.with.models`, `models["gpt-4.1"].temperature`,
 * `nodes.p.with.variants.numeric.precision`, `list[0]`); the value is YAML (`7`, `[a, b]`,
 * `{ format: lexical }`, `text`). The result is validated like the file, and its issues point at the
 * `--set` argument instead of a line of the file.
 */
export interface Override {
  /** The argument as given, `nodes.x.with.limit=5`: how issues and the manifest name it. */
  readonly argument: string;
  readonly path: SpecPath;
  readonly value: unknown;
}

/** A --set argument that cannot be read at all (no `=`, a bad path, a value that is not YAML). */
export interface OverrideProblem {
  readonly argument: string;
  readonly message: string;
}

export function parseOverride(argument: string): Override | OverrideProblem {
  const eq = findEquals(argument);
  if (eq === -1) return { argument, message: 'expected path=value, e.g. nodes.classify.with.models=[gpt4o-mini] or defaults.seed=7' };
  const path = parsePath(argument.slice(0, eq));
  if (typeof path === 'string') return { argument, message: path };
  const text = argument.slice(eq + 1);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const [issue] = plainSyntaxIssues(doc.errors, text);
    return { argument, message: `the value is not valid YAML: ${issue?.message ?? doc.errors[0].message}` };
  }
  // An empty value sets null (`--set description=`), as an empty YAML value does.
  return { argument, path, value: doc.toJS({ maxAliasCount: 100 }) ?? null };
}

/** The `=` that ends the path: the first one outside `["…"]`. */
function findEquals(argument: string): number {
  let inQuotes = false;
  for (let i = 0; i < argument.length; i++) {
    const char = argument[i];
    if (char === '"' && argument[i - 1] !== '\\') inQuotes = !inQuotes;
    else if (char === '=' && !inQuotes) return i;
  }
  return -1;
}

/** `nodes.p.with.variants["a.b"].precision` / `list[0]` → segments; a message when it cannot be read. */
export function parsePath(text: string): SpecPath | string {
  const path: (string | number)[] = [];
  let rest = text;
  let first = true;
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\[(\d+)\]/.exec(rest))) path.push(Number(match[1]));
    else if ((match = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest))) path.push(JSON.parse(match[1]) as string);
    else if ((match = (first ? /^([A-Za-z_$][\w$-]*)/ : /^\.([A-Za-z_$][\w$-]*)/).exec(rest))) path.push(match[1]);
    else return `cannot read the path ${JSON.stringify(text)} at ${JSON.stringify(rest)}: write keys with dots (nodes.classify.with.models), list items as [0], and keys with other characters as ["gpt-4.1"]`;
    rest = rest.slice(match[0].length);
    first = false;
  }
  if (path.length === 0) return 'the path is empty: expected e.g. defaults.seed=7';
  return path;
}

/**
 * The parsed pipeline with every override applied, in order, on a copy (missing maps on the way are
 * created). A path through a value that is not a mapping (or a list index out of range) is an issue.
 */
export function applyOverrides(value: unknown, overrides: readonly Override[]): { value: unknown; problems: OverrideProblem[] } {
  if (overrides.length === 0) return { value, problems: [] };
  const root: unknown = structuredClone(value ?? {});
  const problems: OverrideProblem[] = [];
  for (const override of overrides) {
    let node: unknown = root;
    for (const [i, segment] of override.path.entries()) {
      const last = i === override.path.length - 1;
      const at = override.path.slice(0, i);
      if (typeof segment === 'number') {
        if (!Array.isArray(node) || segment > node.length) {
          problems.push({ argument: override.argument, message: Array.isArray(node) ? `${describe(at)} has ${node.length} items: [${segment}] is past its end` : `${describe(at)} is not a list` });
          break;
        }
        if (last) node[segment] = override.value;
        else node = node[segment] ??= {};
      } else {
        if (!isRecord(node)) {
          problems.push({ argument: override.argument, message: `${describe(at)} is ${Array.isArray(node) ? 'a list' : `the value ${JSON.stringify(node)}`}, not a mapping: "${segment}" cannot be set inside it` });
          break;
        }
        if (last) node[segment] = override.value;
        else node = node[segment] ??= {};
      }
    }
  }
  return { value: root, problems };
}

function describe(path: SpecPath): string {
  return path.length === 0 ? 'the pipeline' : path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replaceAll('.[', '[');
}

/** The last override whose path holds `issue`'s path: the --set argument an issue is about, if any. */
export function overrideFor(issue: Pick<LocatedIssue, 'path'>, overrides: readonly Override[]): Override | undefined {
  return overrides.findLast((override) => startsWithPath(issue.path, override.path));
}
