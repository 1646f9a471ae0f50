import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Splits the onnx embedder's per-call cost into its parts on the same texts and model folder:
 * tokenizer + int64 tensor set-up (what OnnxEmbedder.runBatch does before `session.run`) and
 * `session.run` itself, for a given batch size and onnxruntime thread count. Texts are ordered by
 * length as the embedder orders them, and padded to the longest in each batch as it pads them, so
 * `paddedTokens − realTokens` is the padding work the batched calls pay.
 */
export interface CallProfile {
  readonly batchSize: number;
  /** onnxruntime intraOpNumThreads; 0 = its default (one per physical core). */
  readonly threads: number;
  readonly spinning: boolean;
  readonly calls: number;
  readonly tokenizeMs: number;
  readonly runMs: number;
  readonly realTokens: number;
  readonly paddedTokens: number;
}

export interface ProfileOptions {
  readonly modelDir: string;
  readonly texts: readonly string[];
  readonly batchSize: number;
  readonly threads: number;
  readonly maxLength?: number;
  /** false = onnxruntime's worker threads block instead of spin-waiting between ops. @default true (its default) */
  readonly spinning?: boolean;
}

type Encoded = Record<'input_ids' | 'attention_mask' | 'token_type_ids', number[][]>;

export async function profileCalls(options: ProfileOptions): Promise<CallProfile> {
  const [ort, transformers] = await Promise.all([import('onnxruntime-node'), import('@huggingface/transformers')]);
  const readJson = async (file: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(path.join(options.modelDir, file), 'utf8')) as Record<string, unknown>;
  const tokenizer = new transformers.BertTokenizer(await readJson('tokenizer.json'), await readJson('tokenizer_config.json'));
  const spinning = options.spinning ?? true;
  const session = await ort.InferenceSession.create(path.join(options.modelDir, 'onnx', 'model.onnx'), {
    ...(options.threads > 0 ? { intraOpNumThreads: options.threads } : {}),
    ...(spinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  });
  const { texts, batchSize } = options;
  const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
  const encode = (batch: string[]) => tokenizer._call(batch, { padding: true, truncation: true, max_length: options.maxLength ?? 512, return_tensor: false }) as unknown as Encoded;
  await session.run(feeds(encode(texts.slice(0, 2)))); // warm-up
  let tokenizeMs = 0;
  let runMs = 0;
  let realTokens = 0;
  let paddedTokens = 0;
  let calls = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize).map((i) => texts[i]);
    const t0 = performance.now();
    const encoded = encode(batch);
    const input = feeds(encoded);
    const t1 = performance.now();
    await session.run(input);
    runMs += performance.now() - t1;
    tokenizeMs += t1 - t0;
    realTokens += encoded.attention_mask.flat().reduce((a, b) => a + b, 0);
    paddedTokens += encoded.input_ids.length * (encoded.input_ids[0]?.length ?? 0);
    calls++;
  }
  await session.release();
  return { batchSize, threads: options.threads, spinning, calls, tokenizeMs, runMs, realTokens, paddedTokens };

  function feeds(encoded: Encoded): Record<string, InstanceType<typeof ort.Tensor>> {
    const rows = encoded.input_ids.length;
    const columns = encoded.input_ids[0]?.length ?? 0;
    const tensor = (field: keyof Encoded) => new ort.Tensor('int64', BigInt64Array.from(encoded[field].flat(), (v) => BigInt(v)), [rows, columns]);
    return { input_ids: tensor('input_ids'), attention_mask: tensor('attention_mask'), token_type_ids: tensor('token_type_ids') };
  }
}
