/** A path inside the pipeline file: map keys and array indexes, e.g. ['nodes', 'classify', 'with', 'models', 1]. */
export type SpecPath = readonly (string | number)[];

/**
 * An issue before it is given a line and column. `target: 'key'` points at the key of the last path
 * segment (unknown keys, bad names) instead of its value; `offset` (from the YAML parser) wins over the path.
 */
export interface LocatedIssue {
  readonly path: SpecPath;
  readonly message: string;
  readonly target?: 'key' | 'value';
  readonly offset?: number;
  /** Warnings are reported but do not fail validation. @default error */
  readonly severity?: 'error' | 'warning';
}

export function isWarning(issue: { readonly severity?: 'error' | 'warning' }): boolean {
  return issue.severity === 'warning';
}

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `nodes.classify.with.models[1]`; keys that are not plain names are quoted: `models["a b"]`. */
export function formatPath(path: SpecPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (plainKey.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function samePath(a: SpecPath, b: SpecPath): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

export function startsWithPath(path: SpecPath, prefix: SpecPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}
