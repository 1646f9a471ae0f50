/** Ollama's OpenAI-compatible endpoint on its default port. */
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';

/** The OpenAI SDK's own default address. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * The base URL an OpenAI-compatible client talks to: the one the pipeline gives (baseURL, or the
 * variable baseURLEnv names), else what LangChain and the OpenAI SDK would read from the
 * environment themselves (OPENAI_API_BASE, OPENAI_BASE_URL), else api.openai.com. vaflow passes the
 * result to the client explicitly, so the cache key and the client can never disagree about it.
 */
export function openAIBaseURL(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return explicit || environmentBaseURL(env) || OPENAI_DEFAULT_BASE_URL;
}

/** The address LangChain and the OpenAI SDK read from the environment, when one is set. */
export function environmentBaseURL(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.OPENAI_API_BASE || env.OPENAI_BASE_URL || undefined;
}
