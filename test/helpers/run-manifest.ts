import path from 'node:path';
import { readRunManifest } from '../../src/artifacts/run-folder.js';
import type { Manifest } from '../../src/artifacts/manifest.js';

/** A run folder's manifest.json through the one validated reader the commands use; throws its problem. */
export function manifestOf(runDir: string): Manifest {
  const { manifest, problem } = readRunManifest({ manifestFile: path.join(runDir, 'manifest.json') });
  if (!manifest) throw new Error(`${runDir}: ${problem}`);
  return manifest;
}
