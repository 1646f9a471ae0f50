import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Runs `body` with a fresh folder under the OS temp dir (named `vaflow-<label>-…`), removed afterwards whatever happens. */
export async function withTempDir(label: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vaflow-${label}-`));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
