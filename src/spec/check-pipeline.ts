import type { NodeKind } from '../types/node-kind.js';
import type { CachedAsyncComputation } from '../types/providers.js';
import type { Pipeline } from '../types/generated/pipeline.js';
import { checkGraph, checkModelInputs, viewNodes } from './graph-checks.js';
import { isWarning, startsWithPath, type LocatedIssue } from './issues.js';
import { loadNodeKinds } from './load-kinds.js';
import { checkNode } from './node-checks.js';
import { validatePipelineShape } from './schema-validate.js';
import { findSecrets } from './secrets.js';
import { checkResourcePaths } from './resource-checks.js';
import { isRecord } from '../util/is-record.js';

export interface CheckResult {
  /** Errors and warnings. */
  readonly issues: LocatedIssue[];
  /** The validated pipeline, when there were no errors. */
  readonly spec?: Pipeline;
  /** The pipeline when it passed the schema, whatever else failed (for checks that need only its shape). */
  readonly shaped?: Pipeline;
  readonly kinds: ReadonlyMap<string, NodeKind>;
}

function keysOf(value: unknown, key: string): string[] {
  const inner = isRecord(value) ? value[key] : undefined;
  return isRecord(inner) ? Object.keys(inner) : [];
}

/**
 * Every check on a parsed pipeline, collecting all issues rather than stopping at the first:
 * secrets, the pipeline schema, kinds, the graph, then each node's parameters. `computeCached`
 * (a run's cache) lets kinds' checks keep what they judged of unchanged data.
 */
export async function checkPipeline(value: unknown, specDir: string, options: { readonly computeCached?: CachedAsyncComputation } = {}): Promise<CheckResult> {
  const secrets = findSecrets(value);
  const shape = validatePipelineShape(value);
  const shapeIssues = (shape.issues ?? []).filter((issue) => !secrets.paths.some((path) => startsWithPath(issue.path, path)));
  const issues: LocatedIssue[] = [...secrets.issues, ...shapeIssues];

  const nodes = viewNodes(value);
  const kindByNode = new Map(nodes.flatMap((node) => (node.kind ? [[node.id, node.kind] as const] : [])));
  const loaded = await loadNodeKinds(kindByNode, specDir);
  issues.push(...loaded.issues, ...checkGraph(nodes, loaded.kinds), ...checkModelInputs(nodes, loaded.kinds, value), ...checkResourcePaths(value, specDir));

  const models = keysOf(value, 'models');
  const embedders = keysOf(value, 'embedders');
  const perNode = await Promise.all(nodes.map((node) => {
    const kind = loaded.kinds.get(node.id);
    return kind ? checkNode({ node, kind, models, embedders, spec: shape.spec, specDir, ...options }) : [];
  }));
  issues.push(...perNode.flat());
  const failed = issues.some((issue) => !isWarning(issue));
  return !failed && shape.spec ? { issues, spec: shape.spec, shaped: shape.spec, kinds: loaded.kinds } : { issues, shaped: shape.spec, kinds: loaded.kinds };
}
