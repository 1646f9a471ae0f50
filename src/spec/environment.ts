import type { Pipeline } from '../types/generated/pipeline.js';
import { isSecretName } from '../util/redact.js';
import type { LocatedIssue } from './issues.js';
import { isRecord } from '../util/is-record.js';
import { environmentBaseURL } from '../providers/chat/base-url.js';

export interface EnvironmentNotice {
  readonly model: string;
  /** What would include the model: `set OPENAI_API_KEY to include it`. */
  readonly reason: string;
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
      const reason = `set ${entry.enabledByEnv.join(' or ')} to include it`;
      notices.push({ model: id, reason, message: `model ${id} left out: ${reason}` });
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

type Env = Readonly<Record<string, string | undefined>>;

/** The fields of a model or embedder entry that decide its key, read without trusting their types. */
interface KeyFields {
  readonly provider?: unknown;
  readonly type?: unknown;
  readonly apiKeyEnv?: unknown;
  readonly baseURL?: unknown;
}

/**
 * The environment variable a model's client reads its key from, and whether the run needs it set.
 * The providers' rule (src/providers/chat/api-key.ts): only openai talking to api.openai.com (no
 * server address) requires a key, from `apiKeyEnv` or OPENAI_API_KEY; a server of the user's choosing
 * (a base URL, OPENAI_BASE_URL, Ollama's default) gets a placeholder when the variable is unset; llamacpp and
 * circumplex read none.
 */
export function modelKeyVariable(entry: KeyFields, env: Env): { variable: string; required: boolean } | undefined {
  const named = typeof entry.apiKeyEnv === 'string' ? entry.apiKeyEnv : undefined;
  if (entry.provider === 'openai') return { variable: named ?? 'OPENAI_API_KEY', required: !entry.baseURL && !environmentBaseURL(env) };
  if (entry.provider === 'ollama' && named) return { variable: named, required: false };
  return undefined;
}

/** The same for an embedder (src/providers/embedders/registry.ts): openai reads apiKeyEnv or OPENAI_API_KEY, and needs it unless the entry has a baseURL. */
export function embedderKeyVariable(entry: KeyFields): { variable: string; required: boolean } | undefined {
  if (entry.type !== 'openai') return undefined;
  const named = typeof entry.apiKeyEnv === 'string' ? entry.apiKeyEnv : undefined;
  return { variable: named ?? 'OPENAI_API_KEY', required: !entry.baseURL };
}

function usedIds(spec: Pipeline, list: 'models' | 'embedders'): Map<string, string> {
  const users = new Map<string, string>();
  for (const [nodeId, node] of Object.entries(spec.nodes)) {
    const ids = (node.with as Record<string, unknown> | undefined)?.[list];
    if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string' && !users.has(id)) users.set(id, nodeId);
  }
  return users;
}

/**
 * Keys the run will need but the environment lacks: every model and embedder a node uses (after
 * `enabledByEnv` left some out) whose key variable is unset. Call with the spec applyEnvironment returned.
 */
export function environmentIssues(spec: Pipeline, env: Env): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  for (const [id, nodeId] of usedIds(spec, 'models')) {
    const entry = spec.models?.[id];
    const key = entry ? modelKeyVariable(entry, env) : undefined;
    if (!entry || !key || !key.required || env[key.variable]) continue;
    const variable = key.variable;
    const silence = entry.enabledByEnv ? '' : `, or add enabledByEnv: [${variable}] so the model joins only when it is set`;
    issues.push({
      path: entry.apiKeyEnv ? ['models', id, 'apiKeyEnv'] : ['models', id],
      target: entry.apiKeyEnv ? 'value' : 'key',
      message: `environment variable ${variable} is not set, and model "${id}" (used by nodes.${nodeId}) needs its API key from it; set it${silence}`,
    });
  }
  for (const [id, nodeId] of usedIds(spec, 'embedders')) {
    const entry = spec.embedders?.[id];
    const key = entry ? embedderKeyVariable(entry) : undefined;
    if (!key || !key.required || env[key.variable]) continue;
    issues.push({
      path: entry?.apiKeyEnv ? ['embedders', id, 'apiKeyEnv'] : ['embedders', id],
      target: entry?.apiKeyEnv ? 'value' : 'key',
      message: `environment variable ${key.variable} is not set, and embedder "${id}" (used by nodes.${nodeId}) needs its API key from it; set it, or give the embedder a baseURL that needs no key`,
    });
  }
  return issues;
}

/**
 * Every secret value the run knows, by variable: the key variables of all model and embedder entries,
 * and variables named like secrets. Reads the parsed file before validation, so it tolerates any shape.
 */
export function secretValuesOf(value: unknown, env: Env): Map<string, string> {
  const secrets = new Map<string, string>();
  const add = (variable: unknown) => {
    const found = typeof variable === 'string' ? env[variable] : undefined;
    if (typeof variable === 'string' && found) secrets.set(variable, found);
  };
  const entries = (key: string): Record<string, unknown>[] => {
    const map = isRecord(value) ? value[key] : undefined;
    return isRecord(map) ? Object.values(map).filter(isRecord) : [];
  };
  for (const entry of entries('models')) add(modelKeyVariable(entry, env)?.variable);
  for (const entry of entries('embedders')) add(embedderKeyVariable(entry)?.variable);
  for (const name of Object.keys(env)) if (isSecretName(name)) add(name);
  return secrets;
}
