import { parseYaml } from './parse-yaml.js';
import { formatPath, type SpecPath } from './issues.js';
import { isRecord } from '../util/is-record.js';

/** How many changed keys a message names before "and N more". */
const SHOWN = 8;

export type PipelineComparison =
  | { readonly same: true }
  | { readonly same: false; readonly changed: readonly string[]; readonly unreadable?: string };

/**
 * Two pipeline texts compared by what they mean, not how they are written: comments, blank lines,
 * indentation, quoting and flow or block style do not count; a changed, added or removed value
 * does, and is named by its path (`nodes.classify.with.models`, `defaults.seed`).
 */
export function comparePipelines(before: string, after: string): PipelineComparison {
  const a = parseYaml(before);
  const b = parseYaml(after);
  if (!b.ok) {
    const issue = b.issues[0];
    const where = issue?.offset !== undefined ? `line ${b.lineCounter.linePos(issue.offset).line}: ` : '';
    return { same: false, changed: [], unreadable: `${where}${issue?.message ?? 'not valid YAML'}` };
  }
  if (!a.ok) return { same: false, changed: [], unreadable: 'the run\'s own copy does not parse' };
  const changed: string[] = [];
  collect(a.parsed.value, b.parsed.value, [], changed);
  return changed.length === 0 ? { same: true } : { same: false, changed };
}

function collect(a: unknown, b: unknown, at: SpecPath, out: string[]): void {
  if (isRecord(a) && isRecord(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((key) => !Object.hasOwn(a, key))];
    for (const key of keys) collect(a[key], b[key], [...at, key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => collect(item, b[i], [...at, i], out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(formatPath(at) || '(the whole document)');
}

/** `nodes.a.with.limit, defaults.seed and 3 more`. */
export function describeChanges(changed: readonly string[]): string {
  const shown = changed.slice(0, SHOWN);
  const more = changed.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
