import type { NodeKind } from '../types/node-kind.js';
import type { CachedAsyncComputation } from '../types/providers.js';
import type { Pipeline } from '../types/generated/pipeline.js';
import type { NodeView } from './graph-checks.js';
import { startsWithPath, type LocatedIssue, type SpecPath } from './issues.js';
import { validateParams } from './schema-validate.js';
import { isRecord } from '../util/is-record.js';
import { resolveSettings } from '../graph/create-graph.js';

export interface NodeCheckOptions {
  readonly node: NodeView;
  readonly kind: NodeKind;
  /** Ids defined under `models:` / `embedders:`. */
  readonly models: readonly string[];
  readonly embedders: readonly string[];
  /** The whole pipeline, when it passed the schema; the kind's own check() runs only then. */
  readonly spec: Pipeline | undefined;
  readonly specDir: string;
  /** Handed to the kind's check() (CheckContext.computeCached). */
  readonly computeCached?: CachedAsyncComputation;
}

/** The params a kind declares; undefined when its schema accepts any key (placeholders). */
export function declaredParams(kind: NodeKind): string[] | undefined {
  const { properties, additionalProperties } = kind.paramsSchema;
  if (isRecord(properties)) return Object.keys(properties);
  return additionalProperties === false ? [] : undefined;
}

function refIssues(options: { list: unknown; path: SpecPath; noun: string; defined: readonly string[] }): LocatedIssue[] {
  if (!Array.isArray(options.list)) return [];
  const { noun, defined } = options;
  const known = defined.length ? `defined: ${defined.join(', ')}` : `no ${noun}s are defined under ${noun}s:`;
  return options.list.flatMap((name: unknown, i) =>
    typeof name === 'string' && !defined.includes(name) ? [{ path: [...options.path, i], message: `unknown ${noun} "${name}" (${known})` }] : [],
  );
}

/**
 * One node's parameters: `with` against the kind's schema (plus engine settings), explicit matrix
 * keys and values, model/embedder references, and the kind's own check().
 */
export async function checkNode(options: NodeCheckOptions): Promise<LocatedIssue[]> {
  const { node, kind } = options;
  const at = (...path: SpecPath): (string | number)[] => ['nodes', node.id, ...path];
  const params = node.with === undefined || node.with === null ? {} : node.with;
  if (!isRecord(params)) return [];
  const matrix = isRecord(node.matrix) ? node.matrix : {};
  const declared = declaredParams(kind);
  const issues: LocatedIssue[] = [];
  const validate = (value: Record<string, unknown>): LocatedIssue[] | undefined => {
    try {
      return validateParams(kind, value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      issues.push({ path: at('kind'), message: `kind ${kind.name} has an invalid params schema: ${reason}` });
      return undefined;
    }
  };

  // Matrix values stand in for `with` values per task, so `with` is checked with the first of each.
  const effective: Record<string, unknown> = { ...params };
  const injected: string[] = [];
  const axes: [string, unknown[]][] = [];
  for (const [key, values] of Object.entries(matrix)) {
    if (declared && !declared.includes(key)) {
      issues.push({ path: at('matrix', key), target: 'key', message: `unknown param "${key}" for kind ${kind.name} (params: ${declared.join(', ') || 'none'})` });
    } else if (Array.isArray(values) && values.length > 0) {
      axes.push([key, values]);
      if (!(key in effective)) {
        effective[key] = values[0];
        injected.push(key);
      }
    }
  }

  const withIssues = validate(effective);
  if (!withIssues) return issues;
  for (const issue of withIssues) {
    if (injected.some((key) => startsWithPath(issue.path, [key]))) continue;
    issues.push({ ...issue, path: at('with', ...issue.path) });
  }
  for (const [key, values] of axes) {
    values.forEach((value, i) => {
      for (const issue of validate({ ...effective, [key]: value }) ?? []) {
        if (startsWithPath(issue.path, [key])) issues.push({ ...issue, path: at('matrix', key, i, ...issue.path.slice(1)) });
      }
    });
  }
  issues.push(...refIssues({ list: params.models, path: at('with', 'models'), noun: 'model', defined: options.models }));
  issues.push(...refIssues({ list: params.embedders, path: at('with', 'embedders'), noun: 'embedder', defined: options.embedders }));

  if (issues.length === 0 && options.spec && kind.check) {
    try {
      const settings = resolveSettings(options.spec.defaults, effective);
      const cached = options.computeCached ? { computeCached: options.computeCached } : {};
      const found = await kind.check(effective, { spec: options.spec, nodeId: node.id, specDir: options.specDir, settings, ...cached });
      issues.push(...found.map((issue) => ({ path: at(...issue.path), message: issue.message, ...(issue.severity === 'warning' ? { severity: 'warning' as const } : {}) })));
    } catch (error) {
      issues.push({ path: at(), message: `kind ${kind.name}'s check failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return issues;
}
