import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GraphBuilder, attr, floatTensor, writeModel } from '../../../../src/onnx/index.js';
import { createRng } from '../../../../src/stats/prng.js';

/**
 * Writes a BERT-shaped Hugging Face model folder (config.json, tokenizer.json with a WordPiece
 * model, tokenizer_config.json, onnx/model.onnx) for tests and the benchmark. The network is
 *
 *   h0 = wordTable[input_ids] + typeTable[token_type_ids]
 *   h(l+1) = h(l) + W2ₗ · tanh(W1ₗ · h(l))          (per token; `layers` residual feed-forward blocks)
 *   last_hidden_state = h(layers)
 *
 * so with `layers: 0` the token states are table rows a test can pool by hand. There is no attention:
 * the attention mask is an input (as in BERT) that only the pooling must honour.
 */
export interface TinyBertOptions {
  readonly dir: string;
  /** Whole words of the vocabulary (lowercase); "##" pieces may be included for sub-word tests. */
  readonly words: readonly string[];
  readonly hidden: number;
  /** @default 0 */
  readonly layers?: number;
  /** Width of each block's inner layer. @default 4 × hidden */
  readonly inner?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Leave out one of the folder's files, for error tests (`onnx/model.onnx`: the model, wherever `modelFile` puts it). */
  readonly omit?: 'config.json' | 'tokenizer.json' | 'tokenizer_config.json' | 'onnx/model.onnx';
  /** Where the model goes inside the folder. @default onnx/model.onnx */
  readonly modelFile?: string;
}

export interface TinyBert {
  readonly vocab: ReadonlyMap<string, number>;
  /** [vocab size × hidden] row-major. */
  readonly wordTable: Float32Array;
  /** [2 × hidden]. */
  readonly typeTable: Float32Array;
  readonly hidden: number;
}

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** A small deterministic PRNG, so the weights are the same on every run. */
function random(seed: number): () => number {
  return createRng(seed).next;
}

function randomTable(next: () => number, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => (next() * 2 - 1) * scale);
}

export async function writeTinyBert(options: TinyBertOptions): Promise<TinyBert> {
  const { dir, hidden } = options;
  const layers = options.layers ?? 0;
  const inner = options.inner ?? hidden * 4;
  const next = random(options.seed ?? 1);
  const tokens = [...SPECIAL_TOKENS, ...options.words.filter((w) => !(SPECIAL_TOKENS as readonly string[]).includes(w))];
  const vocab = new Map(tokens.map((token, id) => [token, id]));
  const wordTable = randomTable(next, tokens.length * hidden, 1);
  const typeTable = randomTable(next, 2 * hidden, 0.1);

  const g = new GraphBuilder('tiny-bert');
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const types = g.input('token_type_ids', 'int64', ['batch', 'sequence']);
  const words = g.initializer(floatTensor('word_embeddings', [tokens.length, hidden], wordTable));
  const typeRows = g.initializer(floatTensor('token_type_embeddings', [2, hidden], typeTable));
  let h = g.op('Add', [g.op('Gather', [words, ids], { attributes: { axis: attr.int(0) } }), g.op('Gather', [typeRows, types], { attributes: { axis: attr.int(0) } })]);
  const scale = 1 / Math.sqrt(hidden);
  for (let l = 0; l < layers; l++) {
    const w1 = g.initializer(floatTensor(`block${l}.w1`, [hidden, inner], randomTable(next, hidden * inner, scale)));
    const w2 = g.initializer(floatTensor(`block${l}.w2`, [inner, hidden], randomTable(next, inner * hidden, 1 / Math.sqrt(inner))));
    h = g.op('Add', [h, g.op('MatMul', [g.op('Tanh', [g.op('MatMul', [h, w1])]), w2])]);
  }
  g.op('Identity', [h], { output: 'last_hidden_state' });
  g.output('last_hidden_state', 'float', ['batch', 'sequence', hidden]);

  const files: Record<string, unknown> = {
    'config.json': { model_type: 'bert', architectures: ['BertModel'], hidden_size: hidden, num_hidden_layers: layers, vocab_size: tokens.length, max_position_embeddings: 512, type_vocab_size: 2, pad_token_id: 0 },
    'tokenizer.json': wordPieceTokenizerJson(vocab),
    'tokenizer_config.json': {
      tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512,
      pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]',
    },
  };
  const modelFile = path.join(dir, options.modelFile ?? 'onnx/model.onnx');
  await mkdir(path.dirname(modelFile), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    if (options.omit !== name) await writeFile(path.join(dir, name), JSON.stringify(content, null, 1));
  }
  if (options.omit !== 'onnx/model.onnx') await writeModel(modelFile, g.build(), { opset: 18 });
  return { vocab, wordTable, typeTable, hidden };
}

/** A Hugging Face `tokenizers` JSON for an uncased BERT WordPiece vocabulary. */
function wordPieceTokenizerJson(vocab: ReadonlyMap<string, number>): Record<string, unknown> {
  const special = (token: string) => ({ id: vocab.get(token), content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const specialToken = (token: string) => ({ id: token, ids: [vocab.get(token)], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': specialToken('[CLS]'), '[SEP]': specialToken('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab) },
  };
}
