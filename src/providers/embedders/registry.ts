import path from 'node:path';
import type { ResolvedEmbedder } from '../../types/providers.js';
import { embedderIdentity } from '../../cache/key.js';
import { ConfigError } from '../../errors.js';
import { ENGLISH_STOP_WORDS } from '../../text/stop-words.js';
import { openAIBaseURL } from '../chat/base-url.js';
import type { VaflowEmbeddings } from '../../types/embeddings.js';

export type { TextEmbedding, VaflowEmbeddings } from '../../types/embeddings.js';

export interface EmbedderOptions {
  /** Folder of the pipeline file: relative `path`s resolve against it. */
  readonly specDir: string;
  /** Environment to read API keys from (the CLI passes process.env once). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where derived files go: the word-vector binary cache (e.g. `<cache dir>/vectors`). */
  readonly cacheDir: string;
}

type Factory = (entry: ResolvedEmbedder, options: EmbedderOptions) => Promise<VaflowEmbeddings>;

/**
 * One factory per embedder `type`. Each imports its module lazily: the classes extend LangChain's
 * `Embeddings`, and their heavy runtimes (TF.js, onnxruntime, the OpenAI SDK) must not load
 * before a pipeline actually embeds.
 */
const FACTORIES: Record<ResolvedEmbedder['type'], Factory> = {
  'word-vectors': async (entry, options) => {
    const [{ loadWordVectors }, { WordVectorsEmbedder }] = await Promise.all([
      import('./word-vectors/load.js'),
      import('./word-vectors-embedder.js'),
    ]);
    const { table } = await loadWordVectors({
      source: entry.path === undefined ? undefined : path.resolve(options.specDir, entry.path),
      format: entry.format ?? 'auto',
      cacheDir: options.cacheDir,
    });
    return new WordVectorsEmbedder({ table, identity: identityOf(entry), stopWords: entry.stopWords === false ? null : ENGLISH_STOP_WORDS });
  },
  'use-lite': async (entry) => {
    const { UseLiteEmbedder } = await import('./use-lite-embedder.js');
    return UseLiteEmbedder.load({ identity: identityOf(entry), batchSize: entry.batchSize ?? 32 });
  },
  onnx: async (entry, options) => {
    if (!entry.path) throw new ConfigError(`embedders.${entry.id}: type onnx needs \`path\`, a local Hugging Face model folder`);
    const { OnnxEmbedder } = await import('./onnx-embedder.js');
    return OnnxEmbedder.load({
      dir: path.resolve(options.specDir, entry.path),
      file: entry.file,
      identity: identityOf(entry),
      pooling: entry.pooling ?? 'mean',
      normalize: entry.normalize ?? true,
      maxLength: entry.maxLength ?? 256,
      batchSize: entry.batchSize ?? 32,
    });
  },
  openai: async (entry, options) => {
    if (!entry.model) throw new ConfigError(`embedders.${entry.id}: type openai needs \`model\` (e.g. text-embedding-3-small, or nomic-embed-text on Ollama)`);
    const keyVariable = entry.apiKeyEnv ?? 'OPENAI_API_KEY';
    const apiKey = options.env[keyVariable];
    // A local compatible server (Ollama) ignores the key, but the SDK insists on one.
    if (!apiKey && !entry.baseURL) throw new ConfigError(`embedders.${entry.id}: environment variable ${keyVariable} is not set`);
    const { OpenAIEmbedder } = await import('./openai-embedder.js');
    // The address is always explicit (see base-url.ts), the same one the cache key names.
    return new OpenAIEmbedder({ identity: identityOf(entry), model: entry.model, baseURL: openAIBaseURL(entry.baseURL, options.env), apiKey: apiKey ?? 'unused', batchSize: entry.batchSize ?? 32 });
  },
};

/** Creates the embedder for a pipeline entry. Errors in the entry or its files are ConfigErrors naming them. */
export async function createEmbedder(entry: ResolvedEmbedder, options: EmbedderOptions): Promise<VaflowEmbeddings> {
  const factory = Object.hasOwn(FACTORIES, entry.type) ? FACTORIES[entry.type] : undefined;
  if (!factory) throw new ConfigError(`embedders.${entry.id}: unknown type "${String(entry.type)}" (known: ${Object.keys(FACTORIES).join(', ')})`);
  return factory(entry, options);
}

/** The identity used in embedding cache keys (the entry's `path` is already resolved against the pipeline file). */
export function identityOf(entry: ResolvedEmbedder): Record<string, unknown> {
  return embedderIdentity(entry);
}
