import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../../errors.js';

/** The files of a Hugging Face model folder that the onnx embedder needs, read and checked. */
export interface ModelFolder {
  readonly dir: string;
  readonly config: Record<string, unknown>;
  readonly tokenizer: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  readonly modelFile: string;
}

export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const;

/** Checks the folder layout and parses its JSON files; a missing or malformed file is a ConfigError naming it. */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ConfigError(`${dir}: model folder not found (expected a Hugging Face folder with ${REQUIRED_FILES.join(', ')})`);
  }
  const missing: string[] = [];
  for (const file of REQUIRED_FILES) {
    const found = await stat(path.join(dir, file)).catch(() => null);
    if (!found?.isFile()) missing.push(file);
  }
  if (missing.length > 0) {
    throw new ConfigError(`${dir}: the model folder lacks ${missing.join(', ')} (an onnx embedder needs ${REQUIRED_FILES.join(', ')})`);
  }
  const [config, tokenizer, tokenizerConfig] = await Promise.all(
    (['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const).map((file) => readJsonObject(path.join(dir, file))),
  );
  if (typeof tokenizer.model !== 'object' || tokenizer.model === null) {
    throw new ConfigError(`${path.join(dir, 'tokenizer.json')}: expected a Hugging Face tokenizers file with a "model" object`);
  }
  return { dir, config, tokenizer, tokenizerConfig, modelFile: path.join(dir, 'onnx', 'model.onnx') };
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
