import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { NodeKind } from './types/node-kind.js';
import { ConfigError } from './errors.js';

/**
 * Built-in kinds, loaded only when a pipeline names them. They register exactly like a user's
 * local kind: a module whose default export is a NodeKind.
 */
export const BUILTIN_KINDS = {
  extract: () => import('../nodes/extract/index.js'),
  'prompt-variant': () => import('../nodes/prompt-variant/index.js'),
  classify: () => import('../nodes/classify/index.js'),
  describe: () => import('../nodes/describe/index.js'),
  'embed-score': () => import('../nodes/embed-score/index.js'),
  aggregate: () => import('../nodes/aggregate/index.js'),
} as const satisfies Record<string, () => Promise<{ default: NodeKind }>>;

export type BuiltinKindName = keyof typeof BUILTIN_KINDS;

export function isBuiltinKind(name: string): name is BuiltinKindName {
  return Object.hasOwn(BUILTIN_KINDS, name);
}

/** `kind:` values that are paths: `./x.ts`, `../x.js`, `/abs/x.mjs`. */
export function isLocalKindRef(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || path.isAbsolute(name);
}

const loaded = new Map<string, Promise<NodeKind>>();

/** Resolves a `kind:` value to its module. Local paths resolve against the pipeline's folder (see importLocalKind). */
export function loadKind(name: string, specDir: string): Promise<NodeKind> {
  const key = isLocalKindRef(name) ? path.resolve(specDir, name) : name;
  let pending = loaded.get(key);
  if (!pending) {
    pending = importKind(name, key);
    loaded.set(key, pending);
  }
  return pending;
}

async function importKind(name: string, resolved: string): Promise<NodeKind> {
  if (isBuiltinKind(name)) return (await BUILTIN_KINDS[name]()).default;
  if (!isLocalKindRef(name)) {
    throw new ConfigError(`unknown kind "${name}" (built in: ${Object.keys(BUILTIN_KINDS).join(', ')}; or a path such as ./my-nodes/foo.ts)`);
  }
  const kind = kindOf(await importLocalKind(resolved));
  if (!kind) throw new ConfigError(`${resolved}: expected a default export that is a node kind ({ name, version, paramsSchema, mode, ... })`);
  return kind;
}

/** Extensions a local kind may have. */
export const LOCAL_KIND_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

/**
 * Imports a local kind module wherever it lives. `.mjs` and `.cjs` say how Node loads them, and a
 * `.js` inside a `"type": "module"` package is ESM: those load natively (fast). Everything else
 * (`.ts`, `.mts`, `.cts`, and a `.js` whose package is CommonJS or that has no package.json, which
 * users often write with `export default`) goes through tsx, which accepts either syntax.
 */
async function importLocalKind(file: string): Promise<Record<string, unknown>> {
  const extension = path.extname(file);
  if (!(LOCAL_KIND_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new ConfigError(`${file}: a local kind is a module file ending in ${LOCAL_KIND_EXTENSIONS.join(', ')}`);
  }
  const url = pathToFileURL(file).href;
  const native = extension === '.mjs' || extension === '.cjs' || (extension === '.js' && packageTypeOf(file) === 'module');
  if (native) return (await import(url)) as Record<string, unknown>;
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

/** The `type` of the package.json nearest above `file` ("commonjs" when none says otherwise). */
function packageTypeOf(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
        return type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

function isNodeKind(value: unknown): value is NodeKind {
  return !!value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string' && 'mode' in value;
}

/**
 * The kind a module exports. A TypeScript file compiled as CommonJS (outside an ESM package) has its
 * `export default` at `module.exports.default`, which an ESM import sees as `mod.default.default`;
 * a named `export const kind` lands at `mod.kind` or `mod.default.kind` the same way.
 */
export function kindOf(mod: Record<string, unknown>): NodeKind | undefined {
  const outer = mod.default as Record<string, unknown> | undefined;
  const candidates = [outer, outer?.default, mod.kind, outer?.kind];
  return candidates.find(isNodeKind);
}
