import type { LocatedIssue } from './issues.js';

/**
 * Cycles among `needs` edges, one issue per back edge found by a depth-first walk in file order,
 * printed in needs order: `cycle: a → b → c → a` (a needs b, b needs c, c needs a). The issue sits
 * on the `needs` entry that closes the cycle. Unknown ids are ignored here (reported elsewhere).
 */
export function findCycles(needs: ReadonlyMap<string, readonly string[]>): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const done = new Set<string>();
  const onStack: string[] = [];

  const visit = (id: string): void => {
    onStack.push(id);
    for (const [index, next] of (needs.get(id) ?? []).entries()) {
      if (!needs.has(next) || done.has(next)) continue;
      const at = onStack.indexOf(next);
      if (at >= 0) {
        const cycle = [...onStack.slice(at), next];
        issues.push({ path: ['nodes', id, 'needs', index], message: `cycle: ${cycle.join(' → ')}` });
      } else {
        visit(next);
      }
    }
    onStack.pop();
    done.add(id);
  };

  for (const id of needs.keys()) if (!done.has(id)) visit(id);
  return issues;
}
