import type { ResolvedModel } from '../../types/providers.js';
import { ConfigError } from '../../errors.js';
import { environmentBaseURL } from './base-url.js';

/** Sent as the bearer token to a server of the user's choosing when no key is set: local servers ignore it, and the SDK insists on one. */
export const NO_KEY_PLACEHOLDER = 'not-needed';

export interface ApiKey {
  readonly apiKey: string;
  /** Said once per run when a key variable the entry names is unset and the placeholder goes out instead. */
  readonly notice?: string;
}

/**
 * The API key of an OpenAI-compatible model, from the environment only.
 *
 * - A base URL and no `apiKeyEnv`: the placeholder (OPENAI_API_KEY is never sent to another server
 *   unless the entry names it).
 * - The variable `apiKeyEnv` names (without a base URL, default OPENAI_API_KEY) when it is set.
 * - Unset, with a base URL (the entry's, `baseURLEnv`'s, or Ollama's default): the server is one the
 *   user chose — a local llama.cpp, vLLM, LM Studio or Ollama needs no key — so the placeholder is
 *   sent, and when the entry named a variable the run says so once. A remote server that does want
 *   a key then answers 401, which names the problem.
 * - No base URL in the entry but OPENAI_BASE_URL / OPENAI_API_BASE in the environment (the SDK's own
 *   switch, often a proxy): the key is sent there as the SDK would, and the placeholder when unset.
 * - Unset, without any base URL (api.openai.com): a ConfigError naming the variable.
 */
export function resolveApiKey(model: ResolvedModel, options: { readonly env: Readonly<Record<string, string | undefined>>; readonly baseURL?: string }): ApiKey {
  // The user's OpenAI key goes to another server only when the entry names it there.
  if (options.baseURL !== undefined && !model.apiKeyEnv) return { apiKey: NO_KEY_PLACEHOLDER };
  const variable = model.apiKeyEnv ?? 'OPENAI_API_KEY';
  const value = options.env[variable];
  if (value) return { apiKey: value };
  const environmentURL = options.baseURL === undefined ? environmentBaseURL(options.env) : undefined;
  if (options.baseURL === undefined && environmentURL === undefined) {
    throw new ConfigError(
      `models.${model.id}: environment variable ${variable} is not set; provider ${model.provider} needs an API key from it`
      + (model.apiKeyEnv ? '' : ' (name another variable with apiKeyEnv, or set baseURL for a local server)'),
    );
  }
  return {
    apiKey: NO_KEY_PLACEHOLDER,
    notice: `model ${model.id}: ${variable} is not set; calling ${displayURL((options.baseURL ?? environmentURL)!)} without an API key (a local server needs none)`,
  };
}

/** A base URL fit for a log line: no user name, password, query or fragment. */
function displayURL(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the configured base URL';
  }
}
