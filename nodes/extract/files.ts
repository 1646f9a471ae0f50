import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../src/errors.js';

/** A path from the pipeline, resolved against the pipeline's folder. */
export interface InputFile {
  /** As written in the pipeline (used in messages, so they match what the user typed). */
  readonly shown: string;
  readonly absolute: string;
}

export function resolveInput(specDir: string, relative: string): InputFile {
  return { shown: relative, absolute: path.resolve(specDir, relative) };
}

/** The message for a missing input, or undefined when `file` exists as the wanted kind of entry. */
export async function missingFileMessage(file: InputFile, want: 'file' | 'directory' = 'file'): Promise<string | undefined> {
  try {
    const info = await stat(file.absolute);
    if (want === 'file' ? info.isFile() : info.isDirectory()) return undefined;
    return `not a ${want}: ${file.shown} (resolved to ${file.absolute})`;
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
    if (code === 'ENOENT' || code === 'ENOTDIR') return `${want === 'file' ? 'file' : 'folder'} not found: ${file.shown} (resolved to ${file.absolute})`;
    return `cannot read ${file.shown} (resolved to ${file.absolute}): ${code}`;
  }
}

/** Throws a ConfigError when `file` is missing: the task cannot start without it. */
export async function requireFile(file: InputFile): Promise<void> {
  const message = await missingFileMessage(file);
  if (message) throw new ConfigError(message);
}
