/** Pooling of a transformer's token states [batch, sequence, hidden] into one vector per text. */
export type Pooling = 'cls' | 'mean';

export interface PoolOptions {
  /** Token states, row-major [batch × sequence × hidden]. */
  readonly states: Float32Array;
  readonly batch: number;
  readonly sequence: number;
  readonly hidden: number;
  /** Attention mask [batch × sequence]: 1 for real tokens, 0 for padding. */
  readonly mask: ArrayLike<number | bigint>;
  readonly pooling: Pooling;
  readonly normalize: boolean;
}

/**
 * `cls`: the first token's state. `mean`: the average over tokens whose mask is 1, so padding
 * added to batch texts of different lengths never changes a text's vector. Normalisation divides
 * by the L2 norm; a zero vector stays zero (the caller reports it, no NaN).
 */
export function poolStates(options: PoolOptions): Float32Array[] {
  const { states, batch, sequence, hidden, mask } = options;
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const vector = new Float32Array(hidden);
    const base = b * sequence * hidden;
    if (options.pooling === 'cls') {
      vector.set(states.subarray(base, base + hidden));
    } else {
      const sum = new Float64Array(hidden);
      let tokens = 0;
      for (let s = 0; s < sequence; s++) {
        if (Number(mask[b * sequence + s]) === 0) continue;
        tokens++;
        const offset = base + s * hidden;
        for (let h = 0; h < hidden; h++) sum[h] += states[offset + h];
      }
      for (let h = 0; h < hidden; h++) vector[h] = tokens > 0 ? sum[h] / tokens : 0;
    }
    if (options.normalize) {
      let squares = 0;
      for (let h = 0; h < hidden; h++) squares += vector[h] * vector[h];
      const length = Math.sqrt(squares);
      if (length > 0) for (let h = 0; h < hidden; h++) vector[h] /= length;
    }
    out.push(vector);
  }
  return out;
}
