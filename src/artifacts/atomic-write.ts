import { writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import { writeFile, rename, mkdir, rm } from 'node:fs/promises';
import { RunIOError } from '../errors.js';
import path from 'node:path';

let counter = 0;
function tempName(file: string): string {
  return `${file}.${process.pid}.${++counter}.tmp`;
}

/** Writes a whole file so that readers see the old content or the new, never a torn mix (temp file + rename). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempName(file);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new RunIOError(file, 'write', error);
  }
}

/** Synchronous twin for exit paths (signal handlers), where awaiting is not possible. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = tempName(file);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new RunIOError(file, 'write', error);
  }
}

export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
