import type { Pipeline, Defaults } from '../types/generated/pipeline.js';
import type { NodeKind } from '../types/node-kind.js';
import type { Coords } from '../types/records.js';
import type { EngineSettings, TaskGraph, TaskNode } from '../types/graph.js';
import { cartesian, compatible, joinUpstream, taskId, type Axes } from './expand-matrix.js';
import { topologicalNodeOrder } from './topological.js';

export const ENGINE_SETTING_KEYS = ['concurrency', 'retries', 'timeoutMs', 'maxErrorRate', 'retryBudget'] as const;

const DEFAULT_SETTINGS: Omit<EngineSettings, 'concurrency'> = { retries: 4, timeoutMs: 60_000, maxErrorRate: 0.1, retryBudget: 1000 };

/** Calls in flight across the whole run when neither `defaults.concurrency` nor `--concurrency` says otherwise. */
export const DEFAULT_RUN_CONCURRENCY = 8;

export interface GraphInput {
  readonly spec: Pipeline;
  /** Node id → its loaded kind. */
  readonly kinds: ReadonlyMap<string, NodeKind>;
}

/**
 * A node's engine settings: its own `with` value, else `defaults`, else the built-in default. Except
 * `concurrency`: in `defaults` it caps the whole run (see CallSlots), so a node only has the cap it sets itself.
 */
export function resolveSettings(defaults: Defaults | undefined, params: Record<string, unknown>): EngineSettings {
  const pick = (key: keyof typeof DEFAULT_SETTINGS): number => {
    const own = params[key];
    if (typeof own === 'number') return own;
    const fromDefaults = defaults?.[key];
    return typeof fromDefaults === 'number' ? fromDefaults : DEFAULT_SETTINGS[key];
  };
  const own = params.concurrency;
  return { concurrency: typeof own === 'number' ? own : null, retries: pick('retries'), timeoutMs: pick('timeoutMs'), maxErrorRate: pick('maxErrorRate'), retryBudget: pick('retryBudget') };
}

interface OwnAxes {
  readonly axes: Axes;
  /** Axis → the param it stands for. */
  readonly params: Readonly<Record<string, string>>;
  /** Matrix axes override their param with a typed value; these map axis value strings back. */
  readonly overrides: Readonly<Record<string, ReadonlyMap<string, unknown>>>;
}

function ownAxes(node: Pipeline['nodes'][string], kind: NodeKind, params: Record<string, unknown>): OwnAxes {
  const axes: Record<string, readonly string[]> = {};
  const axisParams: Record<string, string> = {};
  const overrides: Record<string, Map<string, unknown>> = {};
  const listParam = (param: string, axis: string) => {
    const value = params[param];
    if (Array.isArray(value)) {
      axes[axis] = value.map(String);
      axisParams[axis] = param;
    }
  };
  listParam('models', 'model');
  listParam('embedders', 'embedder');
  for (const [axis, spec] of Object.entries(kind.axes?.(params) ?? {})) {
    axes[axis] = spec.values;
    axisParams[axis] = spec.param;
  }
  for (const [param, values] of Object.entries(node.matrix ?? {})) {
    axes[param] = values.map(String);
    overrides[param] = new Map(values.map((v) => [String(v), v]));
  }
  return { axes, params: axisParams, overrides };
}

/**
 * Expands the pipeline into concrete tasks: each node runs once per combination of its own axes
 * (models, embedders, the kind's axes, `matrix:`) and of the upstream tasks it joins with. A fan-in
 * kind (aggregate) is one task over every upstream task. The spec must already be validated (no cycles).
 */
export function createGraph({ spec, kinds }: GraphInput): TaskGraph {
  const tasks: Record<string, TaskNode> = {};
  const dependencies: Record<string, string[]> = {};
  const byNode = new Map<string, TaskNode[]>();
  const order: string[] = [];

  for (const nodeId of topologicalNodeOrder(spec)) {
    const node = spec.nodes[nodeId];
    const kind = kinds.get(nodeId);
    if (!kind) throw new Error(`graph: no kind loaded for node "${nodeId}"`);
    const withParams = { ...(node.with ?? {}) } as Record<string, unknown>;
    const settings = resolveSettings(spec.defaults, withParams);
    for (const key of ENGINE_SETTING_KEYS) delete withParams[key];

    const upstreamGroups = (node.needs ?? []).map((need) => byNode.get(need) ?? []);
    const fanIn = kind.mode === 'batch' && kind.fanIn;
    const combos = fanIn
      ? [{ coords: {} as Coords, members: upstreamGroups.flat() }]
      : joinUpstream(upstreamGroups);
    const own = ownAxes(node, kind, withParams);
    const created: TaskNode[] = [];
    for (const combo of combos) {
      for (const ownCoords of cartesian(own.axes)) {
        if (!compatible(combo.coords, ownCoords)) continue;
        const coords = { ...combo.coords, ...ownCoords };
        const params = { ...withParams };
        for (const [param, map] of Object.entries(own.overrides)) params[param] = map.get(ownCoords[param]);
        const task: TaskNode = {
          id: taskId(nodeId, coords),
          nodeId,
          kind: node.kind,
          coords,
          params,
          settings,
          axisParams: Object.values(own.params),
          ...(fanIn ? { fanIn: true as const } : {}),
        };
        tasks[task.id] = task;
        dependencies[task.id] = combo.members.map((m) => m.id);
        order.push(task.id);
        created.push(task);
      }
    }
    byNode.set(nodeId, created);
  }
  const roots = order.filter((id) => dependencies[id].length === 0);
  return { roots, tasks, dependencies, order };
}
