import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The bundled GloVe vectors' binary form (converting the 307 MB JSON takes seconds and ~1 GB), as
 * `scripts/run-tests.js` prepares it once before any test file starts, in a folder it names in this
 * variable. Test files only read it: no two of them convert or write it at once, and none depends
 * on another having run first.
 */
export const PREPARED_VECTORS_ENV = 'VAFLOW_TEST_VECTORS';

let privateDir: string | undefined;

/** A folder for derived vector files private to this test process, removed when it exits. */
export function privateVectorDir(): string {
  if (!privateDir) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-test-vectors-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    privateDir = dir;
  }
  return privateDir;
}

/** Where the bundled vectors' binary form is: the runner's prepared folder, or (a test file run alone) this process's own. */
export function bundledVectorDir(): string {
  return process.env[PREPARED_VECTORS_ENV] || privateVectorDir();
}

/** Points a run's cache folder at the bundled vectors' binary form (the engine keeps vector files in `<cache>/vectors`). */
export function shareVectorCache(cacheDir: string): void {
  mkdirSync(cacheDir, { recursive: true });
  symlinkSync(bundledVectorDir(), path.join(cacheDir, 'vectors'));
}
