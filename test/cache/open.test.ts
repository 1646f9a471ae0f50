import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cacheFilePath, openCache, resolveCacheDir } from '../../src/cache/open.js';
import { ConfigError } from '../../src/errors.js';

test('resolveCacheDir prefers the flag, then VAFLOW_CACHE_DIR, then .vaflow, always absolute', () => {
  assert.equal(resolveCacheDir('/x/flag', { VAFLOW_CACHE_DIR: '/x/env' }), '/x/flag');
  assert.equal(resolveCacheDir(undefined, { VAFLOW_CACHE_DIR: '/x/env' }), '/x/env');
  assert.equal(resolveCacheDir('', { VAFLOW_CACHE_DIR: '/x/env' }), '/x/env', 'an empty --cache-dir is no flag');
  assert.equal(resolveCacheDir(undefined, { VAFLOW_CACHE_DIR: '' }), path.resolve('.vaflow'));
  assert.equal(resolveCacheDir(undefined, {}), path.resolve('.vaflow'));
  assert.equal(resolveCacheDir('rel/dir', {}), path.resolve('rel/dir'));
});

test('openCache creates the folder and <dir>/cache.db, and the store works', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vaflow-open-'));
  try {
    const dir = path.join(root, 'nested', 'cache');
    const store = await openCache({ dir });
    try {
      assert.equal(store.path, cacheFilePath(dir));
      assert.equal(store.path, path.join(dir, 'cache.db'));
      store.put('k', { v: 1 }, { namespace: 'item' });
      store.flush();
      assert.ok((await stat(store.path)).isFile());
    } finally {
      store.close();
    }
    const again = await openCache({ dir });
    try {
      assert.deepEqual(again.get('k'), { v: 1 });
    } finally {
      again.close();
    }
    const blocker = path.join(root, 'a-file');
    await writeFile(blocker, '');
    const blocked = path.join(blocker, 'sub');
    await assert.rejects(openCache({ dir: blocked }), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`cache folder ${blocked} cannot be created: ENOTDIR`));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
