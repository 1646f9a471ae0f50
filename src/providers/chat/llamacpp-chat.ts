import path from 'node:path';
import { existsSync } from 'node:fs';
import type { ChatProvider, ChatRequest, ChatResponse, ResolvedModel } from '../../types/providers.js';
import type { ChatMessage } from '../../types/records.js';
import { ConfigError } from '../../errors.js';
import { toProviderError } from './provider-errors.js';

/** The node-llama-cpp release the pinned @langchain/community was built against. */
export const NODE_LLAMA_CPP_VERSION = '3.21.1';

/** Used when a request has no system message, so every call starts a fresh session (no history between items). */
const DEFAULT_SYSTEM = 'You are a helpful assistant.';

/**
 * A local GGUF model through `@langchain/community/chat_models/llama_cpp` (node-llama-cpp).
 * node-llama-cpp is an optional dependency (a large native install): when it is missing the
 * pipeline gets a ConfigError saying how to install it. Plain text only (no JSON schema); calls are
 * serialised because one llama context evaluates one sequence at a time.
 */
export async function createLlamaCppChat(model: ResolvedModel, options: { readonly specDir: string }): Promise<ChatProvider> {
  if (!model.model) throw new ConfigError(`models.${model.id}: "model" must name the GGUF file for provider llamacpp`);
  const modelPath = path.resolve(options.specDir, model.model);
  if (!existsSync(modelPath)) throw new ConfigError(`models.${model.id}: GGUF file not found: ${modelPath}`);
  await requireNodeLlamaCpp(model.id);
  const { ChatLlamaCpp } = await import('@langchain/community/chat_models/llama_cpp');
  let chat: InstanceType<typeof ChatLlamaCpp>;
  try {
    chat = await ChatLlamaCpp.initialize({
      modelPath, temperature: model.temperature, topP: model.topP, maxTokens: model.maxTokens,
    });
  } catch (error) {
    throw new ConfigError(`models.${model.id}: could not load ${modelPath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let queue: Promise<unknown> = Promise.resolve();

  async function callOnce(request: ChatRequest): Promise<ChatResponse> {
    const messages: ChatMessage[] = request.messages.some((m) => m.role === 'system')
      ? [...request.messages]
      : [{ role: 'system', content: DEFAULT_SYSTEM }, ...request.messages];
    try {
      const result = await chat.generate([messages.map((m) => ({ role: m.role, content: m.content }))], { signal: request.signal });
      const generation = result.generations[0]?.[0];
      return { text: generation?.text ?? '', finishReason: 'stop' };
    } catch (error) {
      throw toProviderError(error, { signal: request.signal, modelId: model.id });
    }
  }
  return {
    id: model.id,
    call(request) {
      const next = queue.then(() => callOnce(request));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

async function requireNodeLlamaCpp(modelId: string): Promise<void> {
  // A variable specifier: node-llama-cpp is optional and has no types installed here.
  const specifier = 'node-llama-cpp';
  try {
    await import(specifier);
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND') {
      throw new ConfigError(
        `models.${modelId}: provider llamacpp needs the optional package node-llama-cpp, which is not installed; `
        + `run \`npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}\``,
      );
    }
    throw error;
  }
}

/** Whether node-llama-cpp can be loaded (tests skip the GGUF path without it). */
export async function hasNodeLlamaCpp(): Promise<boolean> {
  const specifier = 'node-llama-cpp';
  try {
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}
