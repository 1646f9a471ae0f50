import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The folder of an installed dependency, wherever npm put it: under vaflow's own node_modules (a
 * global install), or hoisted into the project's (vaflow installed as a dependency). Searched in
 * Node's own lookup order, by folder, so a package whose `exports` hide package.json (or offer only
 * `import`) is found too. Undefined when it is not installed.
 */
export function installedPackageDir(name: string): string | undefined {
  for (const modules of require.resolve.paths(name) ?? []) {
    const dir = path.join(modules, name);
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return undefined;
}
