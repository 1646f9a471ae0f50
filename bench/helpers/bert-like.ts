import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GraphBuilder, attr, floatTensor, int64Tensor, writeModel } from '../../src/onnx/index.js';
import { createRng } from '../../src/stats/prng.js';
import { writeTinyBert } from '../../test/providers/embedders/helpers/tiny-bert.js';

/**
 * Writes a Hugging Face folder whose ONNX model has BERT's shapes and cost (not its training):
 *
 *   h0 = LayerNorm(word[ids] + type[types] + position[0..S))
 *   per layer:  a = softmax(Q·Kᵀ/√d + maskBias) · V        (multi-head, mask bias −10000 on padding)
 *               h = LayerNorm(h + a·Wo + bo)
 *               h = LayerNorm(h + GELU(h·W1 + b1)·W2 + b2)   (inner width 4 × hidden, erf GELU)
 *   last_hidden_state = h
 *
 * exactly the op pattern of a `transformers` BERT export (MatMul+Add, Reshape/Transpose heads, Softmax,
 * LayerNormalization at opset 17+), so onnxruntime's graph optimiser sees what it sees in a real one.
 * Weights are seeded uniform noise with variance 1/fan-in: the values are meaningless, the FLOPs are real.
 * The tokenizer files come from the tests' tiny-bert helper (same WordPiece layout).
 */
export interface BertLikeOptions {
  readonly dir: string;
  readonly words: readonly string[];
  /** 768 = bert-base, 384 = all-MiniLM-L6-v2. */
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  /** @default 4 × hidden */
  readonly inner?: number;
  /** @default 1 */
  readonly seed?: number;
}

export interface BertLike {
  readonly parameters: number;
  readonly bytes: number;
}

export async function writeBertLike(options: BertLikeOptions): Promise<BertLike> {
  const { dir, hidden, layers, heads } = options;
  if (hidden % heads !== 0) throw new RangeError(`hidden ${hidden} is not a multiple of heads ${heads}`);
  const inner = options.inner ?? 4 * hidden;
  const headSize = hidden / heads;
  const tiny = await writeTinyBert({ dir, words: options.words, hidden: 8, omit: 'onnx/model.onnx' });
  const next = createRng(options.seed ?? 1).next;
  let parameters = 0;
  const g = new GraphBuilder('bert-like');
  const weight = (name: string, rows: number, cols: number, fanIn = rows): string => {
    const a = Math.sqrt(3 / fanIn); // uniform(−a, a) has variance 1/fan-in
    parameters += rows * cols;
    return g.initializer(floatTensor(name, [rows, cols], Float32Array.from({ length: rows * cols }, () => (next() * 2 - 1) * a)));
  };
  const vector = (name: string, length: number, value: number | 'noise'): string => {
    parameters += length;
    return g.initializer(floatTensor(name, [length], Float32Array.from({ length }, () => (value === 'noise' ? (next() * 2 - 1) * 0.02 : value))));
  };
  const layerNorm = (x: string, name: string): string =>
    g.op('LayerNormalization', [x, vector(`${name}.gamma`, hidden, 1), vector(`${name}.beta`, hidden, 0)], { attributes: { axis: attr.int(-1), epsilon: attr.float(1e-12) } });
  const linear = (x: string, name: string, rows: number, cols: number): string => g.op('Add', [g.op('MatMul', [x, weight(`${name}.weight`, rows, cols)]), vector(`${name}.bias`, cols, 'noise')]);
  const scalar = (name: string, value: number): string => g.initializer(floatTensor(name, [], [value]));

  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const types = g.input('token_type_ids', 'int64', ['batch', 'sequence']);
  const gather = (table: string, indices: string) => g.op('Gather', [table, indices], { attributes: { axis: attr.int(0) } });

  // Positions 0..S−1: slice the first S rows of the position table (S read from input_ids' shape).
  const zero = g.initializer(int64Tensor('zero', [1], [0]));
  const one = g.initializer(int64Tensor('one', [1], [1]));
  const two = g.initializer(int64Tensor('two', [1], [2]));
  const length = g.op('Slice', [g.op('Shape', [ids]), one, two]);
  const positions = g.op('Slice', [weight('position_embeddings', 512, hidden, 1), zero, length, zero]);
  const embedded = g.op('Add', [g.op('Add', [gather(weight('word_embeddings', tiny.vocab.size, hidden, 1), ids), gather(weight('token_type_embeddings', 2, hidden, 1), types)]), positions]);
  let h = layerNorm(embedded, 'embeddings.norm');

  // Additive mask [B, 1, 1, S]: 0 on real tokens, −10000 on padding.
  const maskFloat = g.op('Cast', [mask], { attributes: { to: attr.int(1) } });
  const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [scalar('one_f', 1), maskFloat]), scalar('neg_big', -10000)]), g.initializer(int64Tensor('axes_1_2', [2], [1, 2]))]);
  const splitHeads = g.initializer(int64Tensor('split_heads', [4], [0, 0, heads, headSize]));
  const mergeHeads = g.initializer(int64Tensor('merge_heads', [3], [0, 0, hidden]));
  const heads4 = (x: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [x, splitHeads])], { attributes: { perm: attr.ints(perm) } });
  const invSqrt = scalar('inv_sqrt_head', 1 / Math.sqrt(headSize));
  const half = scalar('half', 0.5);
  const invSqrt2 = scalar('inv_sqrt2', Math.SQRT1_2);
  const oneF = 'one_f';

  for (let l = 0; l < layers; l++) {
    const p = `layer${l}`;
    const q = heads4(linear(h, `${p}.query`, hidden, hidden), [0, 2, 1, 3]); // [B, nh, S, d]
    const k = heads4(linear(h, `${p}.key`, hidden, hidden), [0, 2, 3, 1]); // [B, nh, d, S]
    const v = heads4(linear(h, `${p}.value`, hidden, hidden), [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k]), invSqrt]), bias]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { attributes: { axis: attr.int(-1) } }), v]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { attributes: { perm: attr.ints([0, 2, 1, 3]) } }), mergeHeads]);
    h = layerNorm(g.op('Add', [linear(merged, `${p}.attention.output`, hidden, hidden), h]), `${p}.attention.norm`);
    const up = linear(h, `${p}.intermediate`, hidden, inner);
    const gelu = g.op('Mul', [g.op('Mul', [up, half]), g.op('Add', [g.op('Erf', [g.op('Mul', [up, invSqrt2])]), oneF])]);
    h = layerNorm(g.op('Add', [linear(gelu, `${p}.output`, inner, hidden), h]), `${p}.output.norm`);
  }
  g.op('Identity', [h], { output: 'last_hidden_state' });
  g.output('last_hidden_state', 'float', ['batch', 'sequence', hidden]);

  const config = {
    model_type: 'bert', architectures: ['BertModel'], hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: heads,
    intermediate_size: inner, hidden_act: 'gelu', vocab_size: tiny.vocab.size, max_position_embeddings: 512, type_vocab_size: 2, pad_token_id: 0,
  };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
  await writeModel(path.join(dir, 'onnx', 'model.onnx'), g.build('BERT-shaped, random weights (benchmark only)'), { opset: 18 });
  return { parameters, bytes: parameters * 4 };
}
