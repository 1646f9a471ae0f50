import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from './hash.js';

/** Relative imports of a compiled module (static and dynamic); type-only imports are gone after tsc. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

const digests = new Map<string, string>();

/**
 * sha256 of the source of a module and of every module it imports by a relative path, transitively:
 * the code a cached computation ran, by content. A cache entry keyed by it is not served after any of
 * that code changed, with no version number to remember to bump. Read once per process (≈ 20 files).
 */
export function codeDigest(moduleUrl: string): string {
  let digest = digests.get(moduleUrl);
  if (digest === undefined) {
    const root = fileURLToPath(moduleUrl);
    const sources = new Map<string, string>();
    const pending = [root];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (sources.has(file)) continue;
      const text = readFileSync(sourceOf(file), 'utf8');
      sources.set(file, text);
      for (const match of text.matchAll(RELATIVE_IMPORT)) pending.push(path.resolve(path.dirname(file), match[1]!));
    }
    // Named relative to the root's folder, in a fixed order: the digest does not depend on where the package lies.
    const base = path.dirname(root);
    const parts = [...sources].map(([file, text]) => [path.relative(base, file).split(path.sep).join('/'), sha256(text)] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    digest = sha256(JSON.stringify(parts));
    digests.set(moduleUrl, digest);
  }
  return digest;
}

/**
 * The file a `.js` specifier names: itself when compiled, its `.ts` source when the code runs from
 * TypeScript (tsx: `npm run mutate`, a user's own runner). The digest then covers the sources, a
 * different one from the build's, so the two never share a cache entry, which is as it should be.
 */
function sourceOf(file: string): string {
  if (existsSync(file) || !file.endsWith('.js')) return file;
  const source = `${file.slice(0, -'.js'.length)}.ts`;
  return existsSync(source) ? source : file;
}
