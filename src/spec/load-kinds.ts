import path from 'node:path';
import { existsSync } from 'node:fs';
import type { NodeKind } from '../types/node-kind.js';
import { isLocalKindRef, loadKind } from '../kinds.js';
import type { LocatedIssue } from './issues.js';

export interface LoadedKinds {
  /** node id → kind, for the nodes whose kind loaded. */
  readonly kinds: Map<string, NodeKind>;
  readonly issues: LocatedIssue[];
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * Loads the kind named by each node, once per distinct name; only the kinds a pipeline names are
 * imported. Local kinds (`./my-nodes/foo.ts`) resolve against the pipeline's folder; importing one
 * runs its top-level code, at validate and plan too (a pipeline file is code: docs/security.md).
 */
export async function loadNodeKinds(kindByNode: ReadonlyMap<string, string>, specDir: string): Promise<LoadedKinds> {
  const names = [...new Set(kindByNode.values())];
  const outcomes = new Map<string, { kind: NodeKind } | { error: string }>();
  await Promise.all(names.map(async (name) => {
    if (isLocalKindRef(name) && !existsSync(path.resolve(specDir, name))) {
      outcomes.set(name, { error: `kind file ${name} not found (paths are relative to the pipeline file)` });
      return;
    }
    try {
      outcomes.set(name, { kind: await loadKind(name, specDir) });
    } catch (error) {
      // kinds.ts names the resolved absolute path; the pipeline's own spelling is what the user wrote.
      const reason = firstLine(error).replace(`${path.resolve(specDir, name)}: `, '');
      outcomes.set(name, { error: isLocalKindRef(name) ? `cannot load kind ${name}: ${reason}` : reason });
    }
  }));
  const kinds = new Map<string, NodeKind>();
  const issues: LocatedIssue[] = [];
  for (const [id, name] of kindByNode) {
    const outcome = outcomes.get(name);
    if (outcome && 'kind' in outcome) kinds.set(id, outcome.kind);
    else issues.push({ path: ['nodes', id, 'kind'], message: outcome?.error ?? `cannot load kind ${name}` });
    // Not a trust boundary (`../` reaches as far), but the pipeline and its run folders' copies then work on this machine only.
    if (path.isAbsolute(name)) {
      issues.push({ path: ['nodes', id, 'kind'], severity: 'warning', message: 'an absolute kind path ties the pipeline to this machine; write it relative to the pipeline file (./… or ../…) to silence this' });
    }
  }
  return { kinds, issues };
}
