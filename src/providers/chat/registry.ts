import type { ChatProvider, ResolvedModel } from '../../types/providers.js';
import { ConfigError } from '../../errors.js';

export interface ChatProviderOptions {
  /** Environment to read API keys from (the CLI passes process.env once). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder of the pipeline file, for relative GGUF paths. */
  readonly specDir: string;
}

/** Creates the chat provider for a model entry. Placeholder until the LLM providers land. */
export async function createChatProvider(model: ResolvedModel, _options: ChatProviderOptions): Promise<ChatProvider> {
  throw new ConfigError(`models.${model.id}: provider "${model.provider}" is not available yet`);
}
