import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/**
 * The README's folder list, top to bottom: a folder imports only itself and the folders below it, so
 * arrows point down (src/types and src/util import nothing of vaflow's; kinds never reach the
 * scheduler, the cache, a run's wiring or the CLI). `index` is the public entry, above everything.
 */
const LAYERS = [
  'index', 'cli', 'run', 'spec', 'kinds', 'scheduler', 'lifecycle', 'nodes', 'report', 'graph', 'providers', 'facechannel',
  'artifacts', 'baselines', 'labels', 'va', 'stats', 'cache', 'text', 'onnx', 'types', 'errors', 'util',
];

/** Kinds reach the engine only through their context: never the cache itself (which providers, below them, use). */
const NOT_FOR_KINDS = ['cache'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** The layer a repository file belongs to: its folder under src/, `nodes`, or a root module's name. */
function layerOf(file: string): string {
  const [top, second, ...rest] = path.relative(packageRoot, file).split(path.sep);
  if (top === 'nodes') return 'nodes';
  return rest.length === 0 && second.endsWith('.ts') ? second.replace(/\.ts$/, '') : second;
}

/** Relative imports, static and dynamic, of a TypeScript file. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1].replace(/\.js$/, '.ts')));
}

/** Every import that points up the list, as `importer → imported`. */
export function upwardImports(files: readonly string[]): string[] {
  const wrong: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      const [a, b] = [LAYERS.indexOf(from), LAYERS.indexOf(to)];
      if (a < 0 || b < 0) wrong.push(`${path.relative(packageRoot, file)}: layer ${a < 0 ? from : to} is not in the list`);
      else if (from === 'nodes' && NOT_FOR_KINDS.includes(to)) wrong.push(`${path.relative(packageRoot, file)} (a kind) imports ${path.relative(packageRoot, target)} (${to})`);
      else if (b < a) wrong.push(`${path.relative(packageRoot, file)} (${from}) imports ${path.relative(packageRoot, target)} (${to})`);
    }
  }
  return wrong;
}

test('imports point down: every src/ folder and kind imports only its own layer and those below it', () => {
  const files = [...sourceFiles(path.join(packageRoot, 'src')), ...sourceFiles(path.join(packageRoot, 'nodes'))];
  assert.ok(files.length > 100, 'the sources were found');
  assert.deepEqual(upwardImports(files), []);
});

test('the layer list names every folder under src/', () => {
  const folders = readdirSync(path.join(packageRoot, 'src'), { withFileTypes: true }).map((e) => (e.isDirectory() ? e.name : e.name.replace(/\.ts$/, '')));
  assert.deepEqual(folders.filter((f) => !LAYERS.includes(f)), []);
});
