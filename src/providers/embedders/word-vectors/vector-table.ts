/** Word vectors: row i of `matrix` (count × dimension, row-major) is the vector of word i. */
export interface VectorTable {
  readonly dimension: number;
  readonly count: number;
  readonly matrix: Float32Array;
  word(row: number): string;
  /** The row of `word`, or -1. A duplicated word resolves to its first row. */
  lookup(word: string): number;
}

/** A table held as plain arrays: what the file readers build (the binary cache has its own hashed form). */
export class ArrayVectorTable implements VectorTable {
  readonly #index = new Map<string, number>();

  constructor(readonly dimension: number, readonly words: readonly string[], readonly matrix: Float32Array) {
    for (let i = words.length - 1; i >= 0; i--) this.#index.set(words[i], i); // backwards: first occurrence wins
  }

  get count(): number {
    return this.words.length;
  }

  word(row: number): string {
    return this.words[row];
  }

  lookup(word: string): number {
    return this.#index.get(word) ?? -1;
  }
}

/** Collects rows of a fixed dimension into a growing Float32 buffer (doubling, then trimmed once). */
export class VectorTableBuilder {
  readonly #words: string[] = [];
  #matrix: Float32Array;

  constructor(readonly dimension: number, expectedCount = 1024) {
    this.#matrix = new Float32Array(Math.max(1, expectedCount) * dimension);
  }

  get count(): number {
    return this.#words.length;
  }

  /** Appends a row from the first `dimension` numbers of `values` (callers check the length and report where). */
  add(word: string, values: ArrayLike<number>): void {
    const offset = this.#words.length * this.dimension;
    if (offset + this.dimension > this.#matrix.length) {
      const grown = new Float32Array(Math.max(this.#matrix.length * 2, offset + this.dimension));
      grown.set(this.#matrix);
      this.#matrix = grown;
    }
    for (let i = 0; i < this.dimension; i++) this.#matrix[offset + i] = values[i];
    this.#words.push(word);
  }

  build(): ArrayVectorTable {
    const length = this.#words.length * this.dimension;
    const matrix = this.#matrix.length === length ? this.#matrix : this.#matrix.slice(0, length);
    return new ArrayVectorTable(this.dimension, this.#words, matrix);
  }
}
