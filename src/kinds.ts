import path from 'node:path';
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

/** Resolves a `kind:` value to its module. Local paths resolve against the pipeline's folder; .ts files load through tsx. */
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
  let mod: Record<string, unknown>;
  if (/\.[cm]?ts$/.test(resolved)) {
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(pathToFileURL(resolved).href, import.meta.url)) as Record<string, unknown>;
  } else {
    mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
  const kind = (mod.default ?? mod.kind) as NodeKind | undefined;
  if (!kind || typeof kind !== 'object' || typeof kind.name !== 'string' || !('mode' in kind)) {
    throw new ConfigError(`${resolved}: expected a default export that is a node kind ({ name, version, paramsSchema, mode, ... })`);
  }
  return kind;
}
