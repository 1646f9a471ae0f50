import { open } from 'node:fs/promises';
import { ConfigError } from '../../../errors.js';

export type VectorFileFormat = 'word2vec-text' | 'word2vec-binary' | 'glove-text' | 'wink-json';

/**
 * Guesses a vector file's format from its first bytes: `{` → wink JSON; a "count dimension" first
 * line → word2vec, text when the next line is a word followed by numbers, else binary;
 * anything else → GloVe text. Set `format` explicitly for a file that fools this.
 */
export async function detectVectorFormat(file: string): Promise<VectorFileFormat> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`${file}: cannot open the word-vector file (${error.code ?? error.message})`);
  });
  try {
    const sample = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    const head = sample.subarray(0, bytesRead);
    if (bytesRead === 0) throw new ConfigError(`${file}: the word-vector file is empty`);
    const text = head.toString('latin1');
    if (text.trimStart().startsWith('{')) return 'wink-json';
    const firstNewline = text.indexOf('\n');
    const firstLine = (firstNewline === -1 ? text : text.slice(0, firstNewline)).trim();
    const header = /^(\d+)\s+(\d+)$/.exec(firstLine);
    if (!header) return 'glove-text';
    const rest = text.slice(firstNewline + 1);
    const secondNewline = rest.indexOf('\n');
    const secondLine = (secondNewline === -1 ? rest : rest.slice(0, secondNewline)).trim().split(/\s+/);
    // Any count of numbers means text: the text reader then names a row of the wrong dimension.
    const looksText = secondLine.length >= 2 && secondLine.slice(1).every((field) => Number.isFinite(Number(field)));
    return looksText ? 'word2vec-text' : 'word2vec-binary';
  } finally {
    await handle.close();
  }
}
