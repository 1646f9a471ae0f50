import { Embeddings } from '@langchain/core/embeddings';
import { compoundParts, wordTokens } from '../../text/tokenize.js';
import type { TextEmbedding, VaflowEmbeddings } from '../../types/embeddings.js';
import type { VectorTable } from './word-vectors/vector-table.js';

export interface WordVectorsEmbedderOptions {
  readonly table: VectorTable;
  readonly identity: Readonly<Record<string, unknown>>;
  /** Words dropped before pooling; null keeps every word. */
  readonly stopWords: ReadonlySet<string> | null;
}

/**
 * Static word vectors, mean-pooled: tokenize and lowercase, drop stop-words, average the vectors of
 * the known words. A compound unknown as a whole ("well-being") counts as known when all its parts
 * are, and contributes their mean. The OOV rate is unknown tokens / tokens considered.
 *
 * This class extends LangChain's `Embeddings`, so it is loaded lazily (the base class must exist at
 * definition time): only the registry imports this module, with `await import()`.
 */
export class WordVectorsEmbedder extends Embeddings implements VaflowEmbeddings {
  readonly identity: Readonly<Record<string, unknown>>;
  readonly dimension: number;
  readonly #table: VectorTable;
  readonly #stopWords: ReadonlySet<string> | null;

  constructor(options: WordVectorsEmbedderOptions) {
    super({});
    this.#table = options.table;
    this.#stopWords = options.stopWords;
    this.identity = options.identity;
    this.dimension = options.table.dimension;
  }

  async embedWithStats(texts: readonly string[]): Promise<TextEmbedding[]> {
    return texts.map((text) => this.embedOne(text));
  }

  /** LangChain's contract has no "no vector": a text without known words embeds as the zero vector here. */
  async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((text) => Array.from(this.embedOne(text).vector ?? new Float32Array(this.dimension)));
  }

  async embedQuery(document: string): Promise<number[]> {
    return (await this.embedDocuments([document]))[0];
  }

  embedOne(text: string): TextEmbedding {
    const tokens = wordTokens(text);
    if (tokens.length === 0) return { vector: null, oovRate: null, reason: 'empty text' };
    const content = this.#stopWords ? tokens.filter((token) => !this.#stopWords?.has(token)) : tokens;
    // A text of only stop-words ("I am") is pooled over all its words rather than dropped.
    const considered = content.length > 0 ? content : tokens;
    const sum = new Float64Array(this.dimension);
    let known = 0;
    for (const token of considered) {
      const rows = this.rowsOf(token);
      if (rows.length === 0) continue;
      known++;
      for (const row of rows) this.addRow(sum, row, 1 / rows.length);
    }
    const oovRate = (considered.length - known) / considered.length;
    if (known === 0) return { vector: null, oovRate, reason: 'no known words' };
    const vector = new Float32Array(this.dimension);
    for (let i = 0; i < this.dimension; i++) vector[i] = sum[i] / known;
    return { vector, oovRate };
  }

  private rowsOf(token: string): number[] {
    const row = this.#table.lookup(token);
    if (row !== -1) return [row];
    const parts = compoundParts(token);
    if (parts.length < 2) return [];
    const rows = parts.map((part) => this.#table.lookup(part));
    return rows.every((r) => r !== -1) ? rows : [];
  }

  private addRow(sum: Float64Array, row: number, weight: number): void {
    const { matrix, dimension } = this.#table;
    const offset = row * dimension;
    for (let i = 0; i < dimension; i++) sum[i] += matrix[offset + i] * weight;
  }
}
