import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { writeFile, rename, mkdir } from 'node:fs/promises';
import path from 'node:path';

let counter = 0;
function tempName(file: string): string {
  return `${file}.${process.pid}.${++counter}.tmp`;
}

/** Writes a whole file so that readers see the old content or the new, never a torn mix (temp file + rename). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  await writeFile(temp, data);
  await rename(temp, file);
}

/** Synchronous twin for exit paths (signal handlers), where awaiting is not possible. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  writeFileSync(temp, data);
  renameSync(temp, file);
}

export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
