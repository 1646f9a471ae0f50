import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CacheStore } from './store.js';
import { hashFile, hashJson } from '../util/hash.js';

/**
 * Content digests of model and embedder files, for cache keys: a model is named by what its files
 * hold, never by where they are. Hashing a multi-GB GGUF or vector file takes seconds, so each digest
 * is remembered under the file's stat fingerprint (path, device, inode, size, modification and
 * change times): in this process, and in the cache store when there is one, so a big file is hashed
 * once and a rerun only stats it. Replacing the file, even with one of the same size and mtime
 * (`cp -p`), changes its inode or change time, and the next run hashes it again.
 */
export class FileDigests {
  readonly #store: CacheStore | null;
  readonly #memo = new Map<string, Promise<string>>();

  constructor(store: CacheStore | null) {
    this.#store = store;
  }

  /** sha256 hex of the file's bytes. Throws the file system's error (ENOENT...) for a missing file. */
  async digest(file: string): Promise<string> {
    const absolute = path.resolve(file);
    const info = await stat(absolute);
    if (!info.isFile()) throw Object.assign(new Error(`${absolute} is not a regular file`), { code: 'EISDIR' });
    const fingerprint = hashJson({ ns: 'file-digest', path: absolute, dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs });
    let pending = this.#memo.get(fingerprint);
    if (!pending) {
      pending = this.#lookupOrHash(fingerprint, absolute);
      pending.catch(() => this.#memo.delete(fingerprint));
      this.#memo.set(fingerprint, pending);
    }
    return pending;
  }

  /** Digests of several files, by the name the caller gives each (e.g. its path inside a model folder). */
  async digests(files: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const names = Object.keys(files).sort();
    const values = await Promise.all(names.map((name) => this.digest(files[name])));
    return Object.fromEntries(names.map((name, i) => [name, values[i]]));
  }

  async #lookupOrHash(fingerprint: string, file: string): Promise<string> {
    const known = this.#store?.get(fingerprint);
    if (typeof known === 'string' && /^[0-9a-f]{64}$/.test(known)) return known;
    const digest = await hashFile(file);
    this.#store?.put(fingerprint, digest, { namespace: 'file-digest', origin: file });
    return digest;
  }
}
