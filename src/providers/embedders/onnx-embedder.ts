import { Embeddings } from '@langchain/core/embeddings';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { ConfigError } from '../../errors.js';
import type { TextEmbedding, VaflowEmbeddings } from '../../types/embeddings.js';
import { isFiniteVector } from './vector-math.js';
import { readModelFolder, type ModelFolder } from './onnx/model-folder.js';
import { poolStates, type Pooling } from './onnx/pooling.js';

export interface OnnxEmbedderOptions {
  readonly dir: string;
  /** The ONNX file inside the folder (see chooseModelFile); default onnx/model.onnx or model.onnx. */
  readonly file?: string;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly pooling: Pooling;
  readonly normalize: boolean;
  readonly maxLength: number;
  readonly batchSize: number;
}

type TokenizerInput = 'input_ids' | 'attention_mask' | 'token_type_ids';

/**
 * BERT or a sentence-transformer from a local Hugging Face folder, on onnxruntime-node. The
 * tokenizer is @huggingface/transformers' class for the folder's `tokenizer_class`, built from the
 * JSON files already read here (no hub, no global `env` to set). Texts are sorted by length before
 * batching, so a batch pads little; results come back in input order.
 */
export class OnnxEmbedder extends Embeddings implements VaflowEmbeddings {
  dimension: number | null = null;

  private constructor(
    private readonly options: OnnxEmbedderOptions,
    private readonly session: InferenceSession,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly TensorClass: typeof Tensor,
  ) {
    super({});
  }

  get identity(): Readonly<Record<string, unknown>> {
    return this.options.identity;
  }

  static async load(options: OnnxEmbedderOptions): Promise<OnnxEmbedder> {
    const folder = await readModelFolder(options.dir, options.file);
    const [ort, transformers] = await Promise.all([import('onnxruntime-node'), import('@huggingface/transformers')]);
    const tokenizer = createTokenizer(folder, transformers);
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(folder.modelFile);
    } catch (error) {
      throw new ConfigError(`${folder.modelFile}: onnxruntime cannot load the model (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!session.inputNames.includes('input_ids')) {
      throw new ConfigError(`${folder.modelFile}: expected a model input named input_ids, found ${session.inputNames.join(', ')}`);
    }
    const embedder = new OnnxEmbedder(options, session, tokenizer, ort.Tensor);
    embedder.dimension = typeof folder.config.hidden_size === 'number' ? folder.config.hidden_size : null;
    return embedder;
  }

  async embedWithStats(texts: readonly string[]): Promise<TextEmbedding[]> {
    const results: TextEmbedding[] = texts.map(() => ({ vector: null, reason: 'empty text' }));
    const order = texts.flatMap((text, i) => (text.trim().length > 0 ? [i] : [])).sort((a, b) => texts[a].length - texts[b].length);
    for (let start = 0; start < order.length; start += this.options.batchSize) {
      const batch = order.slice(start, start + this.options.batchSize);
      const vectors = await this.runBatch(batch.map((i) => texts[i]));
      batch.forEach((textIndex, j) => {
        const vector = vectors[j];
        results[textIndex] = isFiniteVector(vector) ? { vector } : { vector: null, reason: 'the model returned non-finite values' };
      });
    }
    return results;
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    const results = await this.embedWithStats(documents);
    return results.map((r) => Array.from(r.vector ?? new Float32Array(this.dimension ?? 0)));
  }

  async embedQuery(document: string): Promise<number[]> {
    return (await this.embedDocuments([document]))[0];
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }

  private async runBatch(texts: string[]): Promise<Float32Array[]> {
    const encoded: unknown = this.tokenizer._call(texts, { padding: true, truncation: true, max_length: this.options.maxLength, return_tensor: false });
    const ids = matrixField(encoded, 'input_ids');
    const batch = ids.length;
    const sequence = ids[0]?.length ?? 0;
    const mask = matrixField(encoded, 'attention_mask', ids, 1);
    const feeds: Record<string, Tensor> = {};
    const fields: Record<TokenizerInput, number[][]> = {
      input_ids: ids,
      attention_mask: mask,
      token_type_ids: matrixField(encoded, 'token_type_ids', ids, 0),
    };
    for (const name of this.session.inputNames) {
      if (!(name in fields)) throw new ConfigError(`${this.options.dir}: the model needs an input "${name}" that a tokenizer does not provide`);
      const values = BigInt64Array.from(fields[name as TokenizerInput].flat(), (v) => BigInt(v));
      feeds[name] = new this.TensorClass('int64', values, [batch, sequence]);
    }
    const outputs = await this.session.run(feeds);
    const outputName = this.session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : this.session.outputNames[0];
    const output = outputs[outputName];
    if (!(output.data instanceof Float32Array)) throw new ConfigError(`${this.options.dir}: output "${outputName}" is not float32`);
    const flatMask = mask.flat();
    if (output.dims.length === 2) {
      // A model with pooling built in ([batch, hidden]): use it as is (normalising if asked).
      return poolStates({ states: output.data, batch, sequence: 1, hidden: output.dims[1], mask: new Array(batch).fill(1), pooling: 'cls', normalize: this.options.normalize });
    }
    if (output.dims.length !== 3 || output.dims[0] !== batch || output.dims[1] !== sequence) {
      throw new ConfigError(`${this.options.dir}: expected output "${outputName}" of shape [${batch}, ${sequence}, hidden], got [${output.dims.join(', ')}]`);
    }
    return poolStates({ states: output.data, batch, sequence, hidden: output.dims[2], mask: flatMask, pooling: this.options.pooling, normalize: this.options.normalize });
  }
}

/** The tokenizer class named by tokenizer_config.json (BertTokenizer, ...), else the generic one. */
function createTokenizer(folder: ModelFolder, transformers: typeof import('@huggingface/transformers')): PreTrainedTokenizer {
  const name = typeof folder.tokenizerConfig.tokenizer_class === 'string' ? folder.tokenizerConfig.tokenizer_class.replace(/Fast$/, '') : '';
  const candidate: unknown = (transformers as Record<string, unknown>)[name];
  const TokenizerClass =
    typeof candidate === 'function' && candidate.prototype instanceof transformers.PreTrainedTokenizer
      ? (candidate as typeof transformers.PreTrainedTokenizer)
      : transformers.PreTrainedTokenizer;
  try {
    return new TokenizerClass(folder.tokenizer, folder.tokenizerConfig);
  } catch (error) {
    throw new ConfigError(`${folder.dir}/tokenizer.json: cannot build the tokenizer (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A [batch][sequence] integer field of the tokenizer's output; absent → `fill` shaped like `like`. */
function matrixField(encoded: unknown, field: string, like?: number[][], fill?: number): number[][] {
  const value = typeof encoded === 'object' && encoded !== null ? (encoded as Record<string, unknown>)[field] : undefined;
  if (Array.isArray(value) && value.every((row) => Array.isArray(row))) return value as number[][];
  if (like && fill !== undefined) return like.map((row) => row.map(() => fill));
  throw new ConfigError(`the tokenizer returned no "${field}"`);
}
