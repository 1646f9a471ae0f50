import type { Pipeline } from '../types/generated/pipeline.js';

export interface EnvironmentNotice {
  readonly model: string;
  readonly message: string;
}

/**
 * Applies the two environment switches a pipeline may use besides API keys: `enabledByEnv` (a model
 * joins only when one of its variables is set) and `baseURLEnv` (the server address). Runs after
 * validation, so the same file validates offline and runs with LLMs when the keys are there.
 */
export function applyEnvironment(spec: Pipeline, env: Readonly<Record<string, string | undefined>>): { spec: Pipeline; notices: EnvironmentNotice[] } {
  const notices: EnvironmentNotice[] = [];
  const models: NonNullable<Pipeline['models']> = {};
  const disabled = new Set<string>();
  let changed = false;
  for (const [id, entry] of Object.entries(spec.models ?? {})) {
    if (entry.enabledByEnv && !entry.enabledByEnv.some((name) => env[name])) {
      disabled.add(id);
      notices.push({ model: id, message: `model ${id} left out: set ${entry.enabledByEnv.join(' or ')} to include it` });
      continue;
    }
    const baseURL = entry.baseURLEnv ? env[entry.baseURLEnv] : undefined;
    if (baseURL) changed = true;
    models[id] = baseURL ? { ...entry, baseURL } : entry;
  }
  if (disabled.size === 0 && !changed) return { spec, notices };
  const nodes: Pipeline['nodes'] = {};
  for (const [id, node] of Object.entries(spec.nodes)) {
    const params = node.with as Record<string, unknown> | undefined;
    const list = params?.models;
    nodes[id] = Array.isArray(list) ? { ...node, with: { ...params, models: list.filter((m) => !disabled.has(String(m))) } } : node;
  }
  return { spec: { ...spec, models, nodes }, notices };
}
