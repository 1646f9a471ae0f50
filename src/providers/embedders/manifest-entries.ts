import path from 'node:path';
import type { Embedder } from '../../types/generated/pipeline.js';
import { chooseModelFile } from './onnx/model-folder.js';

/** What the run manifest says about an embedder: its type, its path as written, and for onnx the model file used. */
export interface EmbedderManifestEntry {
  readonly type: string;
  readonly path?: string;
  /** onnx: the file inside the folder that runs (e.g. onnx/model_qint8_avx512.onnx). */
  readonly modelFile?: string;
}

/** The manifest's `embedders` section (no secrets: key variables and URLs are left out). */
export function embedderManifestEntries(embedders: Readonly<Record<string, Embedder>> | undefined, specDir: string): Record<string, EmbedderManifestEntry> {
  const out: Record<string, EmbedderManifestEntry> = {};
  for (const [id, entry] of Object.entries(embedders ?? {})) {
    const choice = entry.type === 'onnx' && entry.path !== undefined ? chooseModelFile(path.resolve(specDir, entry.path), entry.file) : undefined;
    out[id] = {
      type: entry.type,
      ...(entry.path !== undefined ? { path: entry.path } : {}),
      ...(choice && 'relative' in choice ? { modelFile: choice.relative } : {}),
    };
  }
  return out;
}
