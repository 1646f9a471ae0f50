/**
 * A preload (`node --import`) for CLI tests that must kill a run in the middle of one file operation,
 * without timing: the first time (or the `nth` time) the process calls `fs/promises` `op` on a path
 * matching `match`, it does part of the operation, writes the path to `signalFile`, and never
 * returns, so the test can SIGKILL it at exactly that point. Configured by VAFLOW_TEST_PAUSE_FS
 * (JSON, see PausePoint); without it the preload does nothing.
 *
 * - `writeFile`: half of the data is written, then the call hangs (a torn file on disk).
 * - `rename`: the call hangs before renaming (the source is whole, the target still the old one).
 */
import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

export interface PausePoint {
  readonly op: 'writeFile' | 'rename';
  /** A regular expression (source) tested on the path written, or the rename's target. */
  readonly match: string;
  /** Which matching call pauses (1 = the first). */
  readonly nth?: number;
  /** Written with the paused path once the operation is paused. */
  readonly signalFile: string;
}

export const PAUSE_ENV = 'VAFLOW_TEST_PAUSE_FS';

const config = process.env[PAUSE_ENV];
if (config) install(JSON.parse(config) as PausePoint);

function install(point: PausePoint): void {
  const pattern = new RegExp(point.match);
  let seen = 0;
  const hang = (file: string) => {
    fs.writeFileSync(point.signalFile, file);
    // A real operation still in progress holds the event loop open; a bare pending promise does not,
    // and a run idle behind it would exit on its own before the test's kill (seen in CI).
    setInterval(() => undefined, 60_000);
    return new Promise<never>(() => undefined);
  };
  const pausesAt = (file: unknown) => typeof file === 'string' && pattern.test(file) && ++seen === (point.nth ?? 1);

  if (point.op === 'writeFile') {
    const original = fsPromises.writeFile;
    fsPromises.writeFile = (async (file: Parameters<typeof original>[0], data: Parameters<typeof original>[1], options?: Parameters<typeof original>[2]) => {
      if (!pausesAt(file) || (typeof data !== 'string' && !(data instanceof Uint8Array))) return original(file, data, options);
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      fs.writeFileSync(file as string, bytes.subarray(0, Math.floor(bytes.length / 2)));
      return hang(file as string);
    }) as typeof original;
  } else {
    const original = fsPromises.rename;
    fsPromises.rename = (async (from: Parameters<typeof original>[0], to: Parameters<typeof original>[1]) => {
      if (!pausesAt(to)) return original(from, to);
      return hang(to as string);
    }) as typeof original;
  }
  // ESM modules import these as named bindings: bring the bindings in line with the patched object.
  syncBuiltinESMExports();
}
