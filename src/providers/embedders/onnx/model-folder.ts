import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../../errors.js';

/** The files of a Hugging Face model folder that the onnx embedder needs, read and checked. */
export interface ModelFolder {
  readonly dir: string;
  readonly config: Record<string, unknown>;
  readonly tokenizer: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  /** The ONNX file the embedder runs, absolute. */
  readonly modelFile: string;
  /** The same, relative to the folder (what the manifest reports). */
  readonly modelFileInFolder: string;
}

/** The tokenizer and config files every layout has at the folder's top. */
export const FOLDER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/**
 * Where the model sits when `file` is not given: Hugging Face and sentence-transformers repositories
 * keep it under onnx/, `optimum-cli export onnx` writes it at the top of the output folder.
 */
export const DEFAULT_MODEL_FILES = ['onnx/model.onnx', 'model.onnx'] as const;

export type ModelFileChoice = { readonly relative: string; readonly absolute: string } | { readonly problem: string };

const isFile = (file: string): boolean => existsSync(file) && statSync(file).isFile();

/** The .onnx files at the folder's top and under onnx/, for messages. */
function onnxFilesIn(dir: string): string[] {
  const list = (sub: string) => (existsSync(path.join(dir, sub)) ? readdirSync(path.join(dir, sub)).filter((f) => f.endsWith('.onnx')).map((f) => path.posix.join(sub, f)) : []);
  return [...list('.'), ...list('onnx')].map((f) => f.replace(/^\.\//, ''));
}

/**
 * Which ONNX file of the folder `dir` the embedder runs. `file` (the entry's key) is a path inside
 * the folder; a bare name is also looked for under onnx/ (sentence-transformers' quantized exports,
 * e.g. model_qint8_avx512.onnx, live there). Without `file`: onnx/model.onnx or model.onnx, whichever
 * exists; a folder with both must say which. Synchronous: validate and the run manifest call it.
 */
export function chooseModelFile(dir: string, file?: string): ModelFileChoice {
  const found = (relative: string): ModelFileChoice => ({ relative, absolute: path.join(dir, relative) });
  const available = () => {
    const files = onnxFilesIn(dir);
    return files.length ? `; the folder holds ${files.join(', ')}` : '; the folder holds no .onnx file';
  };
  if (file !== undefined) {
    const normal = path.posix.normalize(file.replaceAll('\\', '/'));
    if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) return { problem: `file: expected a path inside the model folder, got "${file}"` };
    const candidates = normal.includes('/') ? [normal] : [normal, `onnx/${normal}`];
    const existing = candidates.filter((c) => isFile(path.join(dir, c)));
    if (existing.length === 1) return found(existing[0]);
    if (existing.length > 1) return { problem: `file "${file}" is ambiguous: the folder holds both ${existing.join(' and ')}; give the path inside the folder` };
    return { problem: `the model folder lacks ${candidates.join(' (and ')}${candidates.length > 1 ? ')' : ''}${available()}` };
  }
  const existing = DEFAULT_MODEL_FILES.filter((c) => isFile(path.join(dir, c)));
  if (existing.length === 1) return found(existing[0]);
  if (existing.length > 1) return { problem: `the model folder holds both ${existing.join(' and ')}: say which with \`file:\`` };
  return { problem: `the model folder lacks a model: ${DEFAULT_MODEL_FILES.join(' (Hugging Face layout) or ')} (optimum-cli export onnx), or name one with \`file:\`${available()}` };
}

/** Checks the folder layout and parses its JSON files; a missing or malformed file is a ConfigError naming it. */
export async function readModelFolder(dir: string, file?: string): Promise<ModelFolder> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ConfigError(`${dir}: model folder not found (expected a Hugging Face folder with ${FOLDER_FILES.join(', ')} and an ONNX model)`);
  }
  const missing = FOLDER_FILES.filter((name) => !isFile(path.join(dir, name)));
  if (missing.length > 0) {
    throw new ConfigError(`${dir}: the model folder lacks ${missing.join(', ')} (an onnx embedder needs ${FOLDER_FILES.join(', ')} and an ONNX model)`);
  }
  const model = chooseModelFile(dir, file);
  if ('problem' in model) throw new ConfigError(`${dir}: ${model.problem}`);
  const [config, tokenizer, tokenizerConfig] = await Promise.all(FOLDER_FILES.map((name) => readJsonObject(path.join(dir, name))));
  if (typeof tokenizer.model !== 'object' || tokenizer.model === null) {
    throw new ConfigError(`${path.join(dir, 'tokenizer.json')}: expected a Hugging Face tokenizers file with a "model" object`);
  }
  return { dir, config, tokenizer, tokenizerConfig, modelFile: model.absolute, modelFileInFolder: model.relative };
}

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${file}: expected a JSON object`);
  return value as Record<string, unknown>;
}
