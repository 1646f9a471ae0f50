import type { Pipeline } from '../../src/types/generated/pipeline.js';
import type { SpecIssue } from '../../src/types/node-kind.js';
import { resolveLabelSet, type LabelSet, type LabelSetRef } from '../../src/labels/label-sets.js';
import type { DataTally, Seen } from './data-tally.js';

/** classify's label set when its `with` names none (nodes/classify/params.schema.json: @default basic7). */
const CLASSIFY_DEFAULT_LABELS = 'basic7';

/** A label set some classify node downstream of the extract node scores its truth labels against. */
export interface ScoredSet {
  /** The classify node. */
  readonly nodeId: string;
  readonly set: LabelSet;
}

/** A set's labels as aggregate compares truth with them: trimmed, lower case. */
export function normalisedLabels(set: LabelSet): ReadonlySet<string> {
  return new Set(set.labels.map((l) => l.trim().toLowerCase()));
}

/** Label sets of the classify nodes that read this node's records (directly or through prompt-variant and others), `matrix` values included. */
export function scoredLabelSets(spec: Pipeline, nodeId: string): ScoredSet[] {
  const readers = new Map<string, string[]>();
  for (const [id, node] of Object.entries(spec.nodes)) {
    for (const need of node.needs ?? []) readers.set(need, [...(readers.get(need) ?? []), id]);
  }
  const downstream = new Set<string>();
  const queue = [...(readers.get(nodeId) ?? [])];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    if (downstream.has(id)) continue;
    downstream.add(id);
    queue.push(...(readers.get(id) ?? []));
  }
  const sets: ScoredSet[] = [];
  for (const id of downstream) {
    const node = spec.nodes[id];
    if (node?.kind !== 'classify') continue;
    const params = (node.with ?? {}) as { labels?: LabelSetRef };
    const matrix = (node.matrix ?? {}) as { labels?: LabelSetRef[] };
    const refs: LabelSetRef[] = Array.isArray(matrix.labels) ? matrix.labels : [params.labels ?? CLASSIFY_DEFAULT_LABELS];
    for (const ref of refs) {
      const set = resolveLabelSet(ref);
      if (set) sets.push({ nodeId: id, set });
    }
  }
  return sets;
}

function listSeen(entries: readonly (readonly [string, Seen])[], set: LabelSet): string {
  const shown = entries.slice(0, 8).map(([label, seen]) => {
    const synonym = set.synonyms[label];
    return `"${label}" (${seen.count} row${seen.count === 1 ? '' : 's'}, first on line ${seen.line}${synonym ? `; a synonym of ${synonym}` : ''})`;
  });
  return `${shown.join(', ')}${entries.length > 8 ? `, and ${entries.length - 8} more` : ''}`;
}

/**
 * Truth labels the label set does not have (`tally` must have been built with these sets' normalised labels) (aggregate would count them as classes no model can
 * answer), rows with several labels for a single-label set (they would turn the whole group into
 * multi-label metrics), and rows without a label (aggregate cannot score them: a warning).
 */
export function truthLabelIssues(tally: DataTally, scored: readonly ScoredSet[], at: readonly (string | number)[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  scored.forEach(({ nodeId, set }, index) => {
    const known = normalisedLabels(set);
    const outside = [...tally.labels].filter(([label]) => !known.has(label)).sort((a, b) => b[1].count - a[1].count || a[1].line - b[1].line);
    const used = `label set ${set.name} (nodes.${nodeId})`;
    if (outside.length > 0) {
      const rows = tally.rowsOutside[index] ?? 0;
      issues.push({
        path: at,
        message: `${tally.file}: ${rows} of ${tally.rows} rows have truth labels outside ${used}: ${listSeen(outside, set)}; `
          + `write them as labels of the set (${set.labels.join(', ')}), or give nodes.${nodeId} a label set that has them`,
      });
    }
    if (!set.multiLabel && tally.multiLabel) {
      const first = tally.multiLabel;
      issues.push({
        path: at,
        message: `${tally.file}: ${first.count} row${first.count === 1 ? ' has' : 's have'} several truth labels (first: line ${first.line}, row ${first.row}: "${first.value}"), `
          + `but ${used} is single-label; give one label per row, or use a multi-label set`,
      });
    }
  });
  const first = tally.unlabeled;
  const reader = scored[0]?.nodeId;
  if (first && reader !== undefined) {
    issues.push(tally.labels.size > 0
      ? {
        path: at,
        severity: 'warning',
        message: `${tally.file}: ${first.count} of ${tally.rows} rows have no truth label (first: line ${first.line}, row ${first.row}); nodes.${reader} still classifies them but aggregate cannot score them; give every row a label to silence this`,
      }
      : { path: at, message: `${tally.file}: no row has a truth label, so the answers of nodes.${reader} cannot be scored; set with.columns.label to the table's label column` });
  }
  return issues;
}
