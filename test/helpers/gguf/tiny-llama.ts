/**
 * A tiny random-weight llama model (one block, 32-wide, ~300 tokens) as a GGUF file, for exercising
 * the llamacpp provider end to end in seconds on a CPU. Key and tensor names follow llama.cpp's
 * gguf-py constants (LLM_KV_* / MODEL_TENSOR for MODEL_ARCH.LLAMA).
 *
 * The vocabulary is what llama.cpp's SPM ("llama") tokenizer needs: <unk>, <s>, </s>, the 256 byte
 * tokens <0x00>..<0xFF> for byte fallback (any text tokenizes), "▁" and the lowercase letters, and a
 * few nonsense words. Only the nonsense words can be generated: their output rows come in ± pairs
 * (w, −w) and every other row is zero, so for any hidden state the best logit is a nonsense word's
 * and is ≥ 0 — the model never emits end-of-text or a label, so its answers are gibberish of exactly
 * maxTokens tokens, deterministic under greedy sampling.
 */
import { writeGguf, type GgufFile, type GgufTensor, type GgufValue } from './write-gguf.js';
import { createRng } from '../../../src/stats/prng.js';

/** Words the model can emit; none is, contains or resembles an emotion label or synonym. */
export const GIBBERISH_WORDS = ['zorbl', 'quiv', 'flerm', 'brastok', 'gwint', 'trelp', 'skoob', 'yarnix', 'dwelk', 'oplex', 'snarv', 'wibbet'] as const;

export interface TinyLlamaOptions {
  readonly contextLength?: number;
  readonly embedding?: number;
  readonly feedForward?: number;
  readonly heads?: number;
  readonly seed?: number;
}

const TOKEN_NORMAL = 1;
const TOKEN_UNKNOWN = 2;
const TOKEN_CONTROL = 3;
const TOKEN_BYTE = 6;

interface Vocab {
  readonly tokens: string[];
  readonly scores: number[];
  readonly types: number[];
  /** Ids of the words the output layer can produce. */
  readonly emittable: number[];
}

function buildVocab(): Vocab {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_CONTROL];
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_BYTE);
  }
  for (const piece of ['▁', ...'abcdefghijklmnopqrstuvwxyz']) {
    tokens.push(piece);
    types.push(TOKEN_NORMAL);
  }
  const emittable: number[] = [];
  for (const word of GIBBERISH_WORDS) {
    emittable.push(tokens.length);
    tokens.push(`▁${word}`);
    types.push(TOKEN_NORMAL);
  }
  // SPM merges by score (higher first); longer pieces score higher, specials and bytes score 0.
  const scores = tokens.map((token, id) => (types[id] === TOKEN_NORMAL ? -1000 + token.length : 0));
  return { tokens, scores, types, emittable };
}

/** Box–Muller over the project's seeded PRNG: reproducible normal samples. */
function normalSampler(seed: number): () => number {
  const uniform = createRng(seed).next;
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** The GGUF content of the tiny model (metadata and F32 tensors). */
export function tinyLlama(options: TinyLlamaOptions = {}): GgufFile {
  const contextLength = options.contextLength ?? 2048;
  const nEmbd = options.embedding ?? 32;
  const nFf = options.feedForward ?? 64;
  const nHead = options.heads ?? 2;
  const normal = normalSampler(options.seed ?? 42);
  const vocab = buildVocab();
  const nVocab = vocab.tokens.length;

  const random = (name: string, dims: number[], scale: number): GgufTensor => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = normal() * scale;
    return { name, dims, data };
  };
  const ones = (name: string, size: number): GgufTensor => ({ name, dims: [size], data: new Float32Array(size).fill(1) });

  // Output rows (ne[0] = nEmbd contiguous per token): ± pairs for the emittable words, zero elsewhere.
  const output = new Float32Array(nEmbd * nVocab);
  for (let i = 0; i + 1 < vocab.emittable.length; i += 2) {
    const plus = vocab.emittable[i]! * nEmbd;
    const minus = vocab.emittable[i + 1]! * nEmbd;
    for (let d = 0; d < nEmbd; d++) {
      const w = normal();
      output[plus + d] = w;
      output[minus + d] = -w;
    }
  }
  const inScale = 1 / Math.sqrt(nEmbd);
  const tensors: GgufTensor[] = [
    random('token_embd.weight', [nEmbd, nVocab], 1),
    ones('blk.0.attn_norm.weight', nEmbd),
    random('blk.0.attn_q.weight', [nEmbd, nEmbd], inScale),
    random('blk.0.attn_k.weight', [nEmbd, nEmbd], inScale),
    random('blk.0.attn_v.weight', [nEmbd, nEmbd], inScale),
    random('blk.0.attn_output.weight', [nEmbd, nEmbd], inScale),
    ones('blk.0.ffn_norm.weight', nEmbd),
    random('blk.0.ffn_gate.weight', [nEmbd, nFf], inScale),
    random('blk.0.ffn_up.weight', [nEmbd, nFf], inScale),
    random('blk.0.ffn_down.weight', [nFf, nEmbd], 1 / Math.sqrt(nFf)),
    ones('output_norm.weight', nEmbd),
    { name: 'output.weight', dims: [nEmbd, nVocab], data: output },
  ];

  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'vaflow tiny random llama' }],
    ['general.alignment', u32(32)],
    ['llama.context_length', u32(contextLength)],
    ['llama.embedding_length', u32(nEmbd)],
    ['llama.block_count', u32(1)],
    ['llama.feed_forward_length', u32(nFf)],
    ['llama.attention.head_count', u32(nHead)],
    ['llama.attention.head_count_kv', u32(nHead)],
    ['llama.rope.dimension_count', u32(nEmbd / nHead)],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }],
    ['llama.vocab_size', u32(nVocab)],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'float32', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'int32', value: vocab.types }],
    ['tokenizer.ggml.unknown_token_id', u32(0)],
    ['tokenizer.ggml.bos_token_id', u32(1)],
    ['tokenizer.ggml.eos_token_id', u32(2)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
  return { metadata, tensors };
}

/** Writes the tiny model to `filePath`. */
export async function writeTinyLlama(filePath: string, options: TinyLlamaOptions = {}): Promise<void> {
  await writeGguf(filePath, tinyLlama(options));
}
