import { writeFile } from 'node:fs/promises';

/** A small vocabulary with hand-picked vectors, so cosines are known exactly. */
export const TOY_VECTORS: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['happy', [1, 0, 0]],
  ['joyful', [0.8, 0.6, 0]],
  ['table', [0, 0, 1]],
  ['the', [5, 5, 5]],
  ['well', [0, 1, 0]],
  ['being', [0, 0, 1]],
  ['café', [0.5, 0.5, 0]],
];

function textLines(vectors: typeof TOY_VECTORS): string[] {
  return vectors.map(([word, values]) => `${word} ${values.join(' ')}`);
}

export async function writeGloveText(file: string, vectors = TOY_VECTORS): Promise<void> {
  await writeFile(file, textLines(vectors).join('\n') + '\n');
}

export async function writeWord2vecText(file: string, vectors = TOY_VECTORS): Promise<void> {
  await writeFile(file, [`${vectors.length} ${vectors[0][1].length}`, ...textLines(vectors)].join('\n') + '\n');
}

/** The original word2vec binary layout: header line, then per word "word " + float32 LE values + "\n". */
export function word2vecBinaryBytes(vectors = TOY_VECTORS, options: { declaredCount?: number } = {}): Buffer {
  const dimension = vectors[0][1].length;
  const parts: Buffer[] = [Buffer.from(`${options.declaredCount ?? vectors.length} ${dimension}\n`)];
  for (const [word, values] of vectors) {
    const row = Buffer.alloc(dimension * 4);
    values.forEach((v, i) => row.writeFloatLE(v, i * 4));
    parts.push(Buffer.from(`${word} `, 'utf8'), row, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

export async function writeWord2vecBinary(file: string, vectors = TOY_VECTORS): Promise<void> {
  await writeFile(file, word2vecBinaryBytes(vectors));
}

/** wink-embeddings' JSON shape: each vector carries its L2 norm and index after the values. */
export async function writeWinkJson(file: string, vectors = TOY_VECTORS): Promise<void> {
  const dimension = vectors[0][1].length;
  const entries = vectors.map(([word, values], i) => [word, [...values, Math.hypot(...values), i]]);
  const body = { precision: 8, l2NormIndex: dimension, wordIndex: dimension + 1, size: vectors.length, dimensions: dimension, words: vectors.map(([w]) => w), vectors: Object.fromEntries(entries), unkVector: new Array(dimension).fill(0) };
  await writeFile(file, JSON.stringify(body));
}
