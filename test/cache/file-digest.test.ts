import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { FileDigests } from '../../src/cache/file-digest.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { CacheEntryMeta } from '../../src/cache/store.js';
import { withTempDir } from '../helpers/temp-dir.js';

/** The in-memory store, recording the digests put into it (a put follows a hash, never a remembered one). */
class RecordingStore extends MemoryCacheStore {
  readonly puts: unknown[] = [];
  override put(key: string, value: unknown, meta: CacheEntryMeta): void {
    this.puts.push(value);
    super.put(key, value, meta);
  }
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Runs `body` with `model.gguf` holding `content` in a fresh temp folder. */
function withModelFile(label: string, content: string, body: (file: string) => Promise<void>): Promise<void> {
  return withTempDir(label, async (dir) => {
    const file = path.join(dir, 'model.gguf');
    writeFileSync(file, content);
    await body(file);
  });
}

test('a file is hashed once: later runs (a new FileDigests on the same store) read the remembered digest', async () => {
  await withModelFile('digest', 'weights v1', async (file) => {
    const store = new RecordingStore();
    assert.equal(await new FileDigests(store).digest(file), sha('weights v1'));
    assert.equal(await new FileDigests(store).digest(file), sha('weights v1'));
    assert.deepEqual(store.puts, [sha('weights v1')], 'the second run did not hash the file again');
    assert.equal(store.stats().byNamespace['file-digest']?.entries, 1);
  });
});

test('a replaced file is hashed again, even with the same size and modification time', async () => {
  await withModelFile('digest-replace', 'weights v1', async (file) => {
    const store = new RecordingStore();
    const digests = new FileDigests(store);
    assert.equal(await digests.digest(file), sha('weights v1'));
    // Same length, same mtime (as `cp -p` would leave it): only the inode and change time differ.
    const { mtime, atime } = (await import('node:fs')).statSync(file);
    writeFileSync(`${file}.new`, 'weights v2');
    (await import('node:fs')).utimesSync(`${file}.new`, atime, mtime);
    renameSync(`${file}.new`, file);
    assert.equal(await digests.digest(file), sha('weights v2'));
    assert.equal(await new FileDigests(null).digest(file), sha('weights v2'), 'without a store it still hashes');
  });
});

test('a missing file is the file system error, for the caller to name', async () => {
  await assert.rejects(new FileDigests(null).digest('/nonexistent/vaflow/model.gguf'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
});

test('a folder is refused as not a regular file, naming it', async () => {
  await withTempDir('digest-dir', async (dir) => {
    await assert.rejects(new FileDigests(null).digest(dir), (e: NodeJS.ErrnoException) => e.code === 'EISDIR' && e.message === `${dir} is not a regular file`);
  });
});

test('a failed digest is not remembered: once the file exists, the same FileDigests hashes it', async () => {
  await withTempDir('digest-retry', async (dir) => {
    const file = path.join(dir, 'late.gguf');
    const digests = new FileDigests(null);
    await assert.rejects(digests.digest(file), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    writeFileSync(file, 'arrived');
    assert.equal(await digests.digest(file), sha('arrived'));
  });
});

test('two digests of one file at once hash it once', async () => {
  await withModelFile('digest-once', 'weights', async (file) => {
    const store = new RecordingStore();
    const digests = new FileDigests(store);
    assert.deepEqual(await Promise.all([digests.digest(file), digests.digest(file)]), [sha('weights'), sha('weights')]);
    assert.equal(store.puts.length, 1);
  });
});

/** A store whose remembered digest for every file is `remembered` (a damaged or foreign entry). */
class RememberingStore extends RecordingStore {
  constructor(readonly remembered: unknown) {
    super();
  }
  override get(key: string): unknown {
    return this.remembered;
  }
}

test('a remembered value that is not a sha256 hex digest is ignored and the file hashed again', async () => {
  await withModelFile('digest-damaged', 'weights', async (file) => {
    const hex = sha('something else');
    for (const remembered of [`zz${hex}`, `${hex}zz`, [hex], 'not a digest', hex.toUpperCase()]) {
      const store = new RememberingStore(remembered);
      assert.equal(await new FileDigests(store).digest(file), sha('weights'), JSON.stringify(remembered));
      assert.equal(store.puts.length, 1);
    }
    assert.equal(await new FileDigests(new RememberingStore(hex)).digest(file), hex, 'a well-formed remembered digest is trusted');
  });
});

/** A store whose first lookup fails, as a cache file found damaged at that moment does (get throws). */
class FailingOnceStore extends RecordingStore {
  failures = 1;
  override get(key: string): unknown {
    if (this.failures-- > 0) throw new Error('cache read failed');
    return super.get(key);
  }
}

test('a digest that failed after the file was found (the store\'s lookup threw) is not remembered: the unchanged file is hashed on the next call', async () => {
  await withModelFile('digest-store-failure', 'weights', async (file) => {
    const store = new FailingOnceStore();
    const digests = new FileDigests(store);
    await assert.rejects(digests.digest(file), /cache read failed/);
    assert.equal(await digests.digest(file), sha('weights'));
    assert.deepEqual(store.puts, [sha('weights')]);
  });
});

test('digests of several files come back under the names the caller gave, in name order whatever order they were given in', async () => {
  await withTempDir('digest-several', async (dir) => {
    writeFileSync(path.join(dir, 'config.json'), '{}');
    writeFileSync(path.join(dir, 'weights.bin'), 'weights');
    const digests = await new FileDigests(null).digests({ 'weights.bin': path.join(dir, 'weights.bin'), 'config.json': path.join(dir, 'config.json') });
    assert.deepEqual(Object.entries(digests), [['config.json', sha('{}')], ['weights.bin', sha('weights')]]);
  });
});
