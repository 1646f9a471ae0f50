import type { ChatProvider, ResolvedModel } from '../../types/providers.js';
import { ConfigError } from '../../errors.js';
import type { RateLimitObservation } from './rate-limit-headers.js';
import { OLLAMA_DEFAULT_BASE_URL } from './base-url.js';

export interface ChatProviderOptions {
  /** Environment to read API keys from (the CLI passes process.env once). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder of the pipeline file, for relative GGUF paths. */
  readonly specDir: string;
  /** Told what each response says about the provider's rate limits (the engine's limiter learns from it). */
  readonly onRateLimit?: (observation: RateLimitObservation, signal: AbortSignal | undefined) => void;
}

type Factory = (model: ResolvedModel, options: ChatProviderOptions) => Promise<ChatProvider>;

/** Provider name → lazy factory: each family's module (and its LangChain package) loads only when a pipeline uses it. */
const FACTORIES: Record<ResolvedModel['provider'], Factory> = {
  openai: async (model, options) => (await import('./openai-chat.js')).createOpenAIChat(model, { env: options.env, onRateLimit: options.onRateLimit }),
  // Ollama through its OpenAI-compatible /v1 endpoint (see openai-chat.ts for why).
  ollama: async (model, options) => {
    const { createOpenAIChat } = await import('./openai-chat.js');
    return createOpenAIChat(model, { env: options.env, defaultBaseURL: OLLAMA_DEFAULT_BASE_URL, onRateLimit: options.onRateLimit });
  },
  llamacpp: async (model, options) => (await import('./llamacpp-chat.js')).createLlamaCppChat(model, { specDir: options.specDir, env: options.env }),
  circumplex: async (model) => {
    throw new ConfigError(`models.${model.id}: the circumplex baseline has no chat model; classify and describe compute it from valence and arousal`);
  },
};

/** Creates the chat provider for a model entry. The engine calls it once per model per run. */
export async function createChatProvider(model: ResolvedModel, options: ChatProviderOptions): Promise<ChatProvider> {
  const factory = FACTORIES[model.provider];
  if (!factory) throw new ConfigError(`models.${model.id}: unknown provider "${String(model.provider)}"`);
  return factory(model, options);
}
