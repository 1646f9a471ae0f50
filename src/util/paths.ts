import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding package.json), whether running from src via tsx or from dist. */
export const packageRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      readFileSync(path.join(dir, 'package.json'));
      if (path.basename(dir) !== 'dist') return dir;
    } catch { /* keep climbing */ }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('vaflow: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
})();

/**
 * Path of a non-TypeScript file that sits beside a module in the source tree (a params.schema.json).
 * Compiled modules live under dist/, the JSON stays in the source tree, so the dist/ prefix is dropped.
 */
export function besideSource(importMetaUrl: string, relative: string): string {
  const here = path.dirname(fileURLToPath(importMetaUrl));
  const rel = path.relative(packageRoot, here);
  const sourceDir = rel.startsWith('dist' + path.sep) ? path.join(packageRoot, rel.slice(5)) : here;
  return path.join(sourceDir, relative);
}

export function readJsonBeside<T = Record<string, unknown>>(importMetaUrl: string, relative: string): T {
  return JSON.parse(readFileSync(besideSource(importMetaUrl, relative), 'utf8')) as T;
}

export const vaflowVersion: string = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
