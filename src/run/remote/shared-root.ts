import path from 'node:path';
import { UsageError } from '../../errors.js';

/**
 * Item jobs carry records, never file contents: workers read the pipeline's files (local kinds, data,
 * model files) from a folder every machine sees, such as an NFS mount. Paths travel relative to that
 * shared root, so it may be mounted at another place on each machine. The root is VAFLOW_SHARED_ROOT
 * (or `--root` for a worker), else the current folder.
 */
export type SharedPath = { readonly shared: string } | { readonly absolute: string };

export function sharedRootOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return path.resolve(flag ?? (env.VAFLOW_SHARED_ROOT || process.cwd()));
}

/** `file` relative to the root when it lies under it; else absolute (it must then exist at that path on every machine). */
export function toShared(root: string, file: string): SharedPath {
  const relative = path.relative(root, file);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) return { shared: relative.split(path.sep).join('/') };
  return { absolute: file };
}

/** The pipeline folder, which must be under the root: workers resolve every relative path of the pipeline against it. */
export function sharedSpecDir(root: string, specDir: string): SharedPath {
  const shared = toShared(root, specDir);
  if ('absolute' in shared) {
    throw new UsageError(
      `the pipeline folder ${specDir} is not under the shared root ${root}: workers could not find its files. ` +
        'Run from the shared folder, or set VAFLOW_SHARED_ROOT to a folder that holds the pipeline (see docs/distributed.md)',
    );
  }
  return shared;
}

/** Where a shared path lies on this machine. */
export function fromShared(root: string, file: SharedPath): string {
  return 'shared' in file ? path.resolve(root, file.shared) : file.absolute;
}
