import path from 'node:path';
import { existsSync } from 'node:fs';
import type { ChatProvider, ChatRequest, ChatResponse, ResolvedModel } from '../../types/providers.js';
import type { ChatMessage, TokenUsage } from '../../types/records.js';
import { ConfigError } from '../../errors.js';
import { toProviderError } from './provider-errors.js';

/** The node-llama-cpp release the pinned @langchain/community was built against. */
export const NODE_LLAMA_CPP_VERSION = '3.21.1';

/** Used when a request has no system message, so every call starts a fresh session (no history between items). */
const DEFAULT_SYSTEM = 'You are a helpful assistant.';

export interface LlamaCppChatOptions {
  /** Folder of the pipeline file, for a relative GGUF path. */
  readonly specDir: string;
  /** Where VAFLOW_LLAMACPP_THREADS is read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Environment variable capping llama.cpp's CPU threads (unset: node-llama-cpp's default, all cores). */
export const THREADS_ENV = 'VAFLOW_LLAMACPP_THREADS';

/**
 * A local GGUF model through `@langchain/community/chat_models/llama_cpp` (node-llama-cpp).
 * node-llama-cpp is an optional dependency (a large native install): when it is missing the
 * pipeline gets a ConfigError saying how to install it. Plain text only (no JSON schema); calls are
 * serialised because one llama context evaluates one sequence at a time.
 */
export async function createLlamaCppChat(model: ResolvedModel, options: LlamaCppChatOptions): Promise<ChatProvider> {
  if (!model.model) throw new ConfigError(`models.${model.id}: "model" must name the GGUF file for provider llamacpp`);
  const modelPath = path.resolve(options.specDir, model.model);
  if (!existsSync(modelPath)) throw new ConfigError(`models.${model.id}: GGUF file not found: ${modelPath}`);
  const threads = threadsOf(options.env ?? process.env);
  await requireNodeLlamaCpp(model.id);
  const { ChatLlamaCpp } = await import('@langchain/community/chat_models/llama_cpp');
  let chat: LangChainLlamaCpp;
  try {
    chat = await ChatLlamaCpp.initialize({
      modelPath, temperature: model.temperature, topP: model.topP, maxTokens: model.maxTokens, ...(threads ? { threads } : {}),
    });
  } catch (error) {
    throw new ConfigError(`models.${model.id}: could not load ${modelPath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let queue: Promise<unknown> = Promise.resolve();

  async function callOnce(request: ChatRequest): Promise<ChatResponse> {
    const messages: ChatMessage[] = request.messages.some((m) => m.role === 'system')
      ? [...request.messages]
      : [{ role: 'system', content: DEFAULT_SYSTEM }, ...request.messages];
    const maxTokens = request.maxTokens ?? model.maxTokens;
    chat.maxTokens = maxTokens;
    try {
      const result = await chat.generate([messages.map((m) => ({ role: m.role, content: m.content }))], { signal: request.signal });
      const generation = result.generations[0]?.[0];
      const usage = usageOf(chat);
      // LangChain drops node-llama-cpp's stop reason; an answer that used the whole budget was cut.
      const finishReason = usage && maxTokens !== undefined && usage.outputTokens >= maxTokens ? 'length' : 'stop';
      return { text: generation?.text ?? '', finishReason, ...(usage ? { usage } : {}) };
    } catch (error) {
      throw toProviderError(error, { signal: request.signal, modelId: model.id });
    } finally {
      releaseSession(chat);
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

/**
 * ggml's worker threads spin while they wait, so on a machine busy with other work (or for a tiny
 * model, where there is nothing to share out) fewer threads are much faster: a 1-block test model
 * took ~350 ms per token with 2 threads on a loaded 2-core machine and ~1 ms with 1.
 */
function threadsOf(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = env[THREADS_ENV];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new ConfigError(`${THREADS_ENV}: expected a positive whole number of threads, got "${value}"`);
  return Number(value);
}

type LangChainLlamaCpp = InstanceType<typeof import('@langchain/community/chat_models/llama_cpp').ChatLlamaCpp>;

/** Tokens of the last call: each call runs on a fresh context sequence, so its meter counts that call only. */
function usageOf(chat: LangChainLlamaCpp): TokenUsage | undefined {
  const meter = chat._session?.sequence.tokenMeter;
  return meter ? { inputTokens: meter.usedInputTokens, outputTokens: meter.usedOutputTokens } : undefined;
}

/**
 * ChatLlamaCpp opens a new session on a new context sequence for every multi-message call and never
 * releases the old one; a context has one sequence, so the second call would fail with "No sequences
 * left". Disposing the session with its sequence after each call frees it (and drops the history).
 */
function releaseSession(chat: LangChainLlamaCpp): void {
  const session = chat._session;
  chat._session = null;
  if (session && !session.disposed) session.dispose({ disposeSequence: true });
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
