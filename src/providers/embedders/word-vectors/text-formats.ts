import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ConfigError } from '../../../errors.js';
import { VectorTableBuilder, type VectorTable } from './vector-table.js';

/**
 * Reads word2vec text (a "count dimension" header line, then "word v1 … vd" lines) or GloVe text
 * (the same lines without a header; the dimension comes from the first line). Lines are streamed,
 * so a file of any size needs only its matrix in memory. Every malformed line is a ConfigError
 * naming file and line: a vector file is configuration, and a silently skipped row would shift results.
 */
export async function readTextVectors(file: string, options: { readonly header: boolean }): Promise<VectorTable> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let builder: VectorTableBuilder | null = null;
  let declaredCount: number | null = null;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (line.length === 0) continue;
    const fields = line.split(/\s+/);
    if (options.header && declaredCount === null) {
      const [count, dimension] = fields.map(Number);
      if (fields.length !== 2 || !Number.isInteger(count) || !Number.isInteger(dimension) || dimension < 1) {
        throw new ConfigError(`${file}:${lineNo}: expected a word2vec header "<count> <dimension>", got "${line.slice(0, 60)}"`);
      }
      declaredCount = count;
      builder = new VectorTableBuilder(dimension, Math.min(count, 1 << 20));
      continue;
    }
    if (!builder) {
      if (fields.length < 2) throw new ConfigError(`${file}:${lineNo}: expected "word v1 v2 …", got "${line.slice(0, 60)}"`);
      builder = new VectorTableBuilder(fields.length - 1);
    }
    if (fields.length !== builder.dimension + 1) {
      throw new ConfigError(`${file}:${lineNo}: expected ${builder.dimension} values after the word "${fields[0]}", got ${fields.length - 1}`);
    }
    const values = new Float32Array(builder.dimension);
    for (let i = 0; i < builder.dimension; i++) {
      const value = Number(fields[i + 1]);
      if (!Number.isFinite(value)) throw new ConfigError(`${file}:${lineNo}: value ${i + 1} of "${fields[0]}" is not a number ("${fields[i + 1]}")`);
      values[i] = value;
    }
    builder.add(fields[0], values);
  }
  if (!builder || builder.count === 0) throw new ConfigError(`${file}: no word vectors found`);
  if (declaredCount !== null && builder.count !== declaredCount) {
    throw new ConfigError(`${file}: the header declares ${declaredCount} vectors but the file holds ${builder.count} (truncated or wrong header)`);
  }
  return builder.build();
}
