import type { SourceRecord } from '../../src/types/node-kind.js';
import { TableRowError, formatRowProblem, type RowProblem, type RowProblemKind } from './row-problems.js';

/** Where a value was first seen, and how often. */
export interface Seen {
  count: number;
  readonly line: number;
  readonly row: number;
  readonly value: string;
}

/**
 * What `validate` learns from reading a node's data once: rows, the problems that will become item
 * errors (by kind, with the first of each), the truth labels (normalised as aggregate compares them:
 * trimmed, lower case) and rows with several labels, and how often each kept field is present.
 */
export class DataTally {
  rows = 0;
  readonly problems = new Map<RowProblemKind, { count: number; readonly first: RowProblem }>();
  /** Rows that failed without a TableRowError (should not happen for tables; images' own errors). */
  readonly otherErrors: string[] = [];
  readonly labels = new Map<string, Seen>();
  multiLabel: Seen | undefined;
  unlabeled: Seen | undefined;
  /** How many rows carry each kept field. */
  readonly kept = new Map<string, number>();
  /** Per label set given: how many rows have at least one label outside it. */
  readonly rowsOutside: number[];
  readonly #sets: readonly ReadonlySet<string>[];
  readonly #keptFields: readonly string[];

  /**
   * `labelSets`: the labels (normalised) of each set the truth will be scored against;
   * `keptFields`: the record fields `with.keep` adds.
   */
  constructor(readonly file: string, options: { readonly labelSets?: readonly ReadonlySet<string>[]; readonly keptFields?: readonly string[] } = {}) {
    this.#sets = options.labelSets ?? [];
    this.#keptFields = options.keptFields ?? [];
    this.rowsOutside = this.#sets.map(() => 0);
    for (const field of this.#keptFields) this.kept.set(field, 0);
  }

  /** One row's item or item error, at `line` / `row`. */
  add(item: SourceRecord, at: { readonly line: number; readonly row: number }): void {
    this.rows++;
    if ('error' in item) {
      if (item.error instanceof TableRowError) this.problem(item.error.problem);
      else this.otherErrors.push(item.error.message);
      return;
    }
    this.fields(item.fields, at);
  }

  problem(problem: RowProblem): void {
    const seen = this.problems.get(problem.kind);
    if (seen) seen.count++;
    else this.problems.set(problem.kind, { count: 1, first: problem });
  }

  /** The truth label and kept fields of a row that became an item (called for every row: kept cheap). */
  fields(fields: Readonly<Record<string, unknown>>, at: { readonly line: number; readonly row: number }): void {
    const label = fields.label;
    let names: string[] = [];
    if (typeof label === 'string') names = [label.trim().toLowerCase()];
    else if (Array.isArray(label)) {
      const labels = label.filter((l): l is string => typeof l === 'string');
      if (labels.length > 1) this.multiLabel = bump(this.multiLabel, at, labels.join(';'));
      names = [...new Set(labels.map((l) => l.trim().toLowerCase()))];
    }
    if (names.length === 0) this.unlabeled = bump(this.unlabeled, at, '');
    for (const name of names) this.labels.set(name, bump(this.labels.get(name), at, name));
    for (let i = 0; i < this.#sets.length; i++) {
      const set = this.#sets[i]!;
      if (names.some((name) => !set.has(name))) this.rowsOutside[i]!++;
    }
    for (const field of this.#keptFields) if (fields[field] !== undefined) this.kept.set(field, this.kept.get(field)! + 1);
  }

  /** Rows that will be item errors, out-of-range values aside (those are refused outright). */
  badRows(): number {
    let n = this.otherErrors.length;
    for (const [kind, seen] of this.problems) if (kind !== 'out-of-range') n += seen.count;
    return n;
  }

  /** `3 not a number, 1 unreadable; first: data/x.csv:6: row 5, column "valence": "high" is not a number`. */
  describeBad(): string {
    const parts: string[] = [];
    let first: RowProblem | undefined;
    for (const [kind, seen] of this.problems) {
      if (kind === 'out-of-range') continue;
      parts.push(`${seen.count} ${KIND_WORDS[kind]}`);
      if (!first || seen.first.line < first.line) first = seen.first;
    }
    if (this.otherErrors.length) parts.push(`${this.otherErrors.length} other`);
    const example = first ? formatRowProblem(first) : this.otherErrors[0];
    return `${parts.join(', ')}${example ? `; first: ${example}` : ''}`;
  }
}

const KIND_WORDS: Readonly<Record<RowProblemKind, string>> = {
  unreadable: 'unreadable',
  encoding: 'not UTF-8',
  width: 'with more cells than the header',
  missing: 'with a missing value',
  'not-a-number': 'not a number',
  'out-of-range': 'out of range',
  'duplicate-id': 'with a duplicate id',
  label: 'with an unreadable label',
};

function bump(seen: Seen | undefined, at: { readonly line: number; readonly row: number }, value: string): Seen {
  if (seen) {
    seen.count++;
    return seen;
  }
  return { count: 1, line: at.line, row: at.row, value };
}
