import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';
import { withTempDir } from '../helpers/temp-dir.js';

// Runs the built CLI (`npx tsc -p tsconfig.json` first) against caches the test fills itself.

const DAY = 86_400_000;

function vaflow(args: readonly string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const { VAFLOW_CACHE_DIR: _ignored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [path.join(packageRoot, 'bin', 'vaflow.js'), ...args], {
    cwd: packageRoot,
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Three item entries last used 60 days ago, two embeddings used just now. */
function fill(dir: string): void {
  const now = Date.now();
  let clock = now - 60 * DAY;
  const store = new SqliteCacheStore({ file: path.join(dir, 'cache.db'), now: () => clock });
  for (let i = 0; i < 3; i++) store.put(`old-${i}`, { label: 'sadness', i }, { namespace: 'item', origin: 'classify' });
  store.flush();
  clock = now;
  for (let i = 0; i < 2; i++) store.putBytes(`vec-${i}`, new Uint8Array(new Float32Array([i, 1, 2]).buffer), { namespace: 'embedding' });
  store.close();
}

test('cache stats prints counts per namespace, as text and as JSON, from --cache-dir or VAFLOW_CACHE_DIR', () =>
  withTempDir('cli-cache', async (dir) => {
    fill(dir);
    const json = vaflow(['cache', 'stats', '--cache-dir', dir, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const stats = JSON.parse(json.stdout) as { entries: number; bytes: number; byNamespace: Record<string, { entries: number }>; path: string; oldest: number; newest: number; fileBytes: number };
    assert.equal(stats.entries, 5);
    assert.equal(stats.byNamespace.item.entries, 3);
    assert.equal(stats.byNamespace.embedding.entries, 2);
    assert.equal(stats.path, path.join(dir, 'cache.db'));
    assert.ok(stats.newest - stats.oldest > 59 * DAY);
    assert.ok(stats.fileBytes > 0);

    const text = vaflow(['cache', 'stats'], { VAFLOW_CACHE_DIR: dir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /entries\s+5\n/);
    assert.match(text.stdout, /embedding\s+2\s+24 B/);
    assert.ok(text.stdout.includes(path.join(dir, 'cache.db')));
  }));

test('cache prune --older-than 30d removes only entries last used before the cutoff', () =>
  withTempDir('cli-cache', async (dir) => {
    fill(dir);
    const pruned = vaflow(['cache', 'prune', '--older-than', '30d', '--cache-dir', dir]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /removed 3 entries last used before/);
    const stats = JSON.parse(vaflow(['cache', 'stats', '--cache-dir', dir, '--json']).stdout) as { entries: number; byNamespace: Record<string, unknown> };
    assert.equal(stats.entries, 2);
    assert.deepEqual(Object.keys(stats.byNamespace), ['embedding']);
  }));

test('cache clear --yes removes every entry', () =>
  withTempDir('cli-cache', async (dir) => {
    fill(dir);
    const cleared = vaflow(['cache', 'clear', '--yes', '--cache-dir', dir]);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /removed 5 entries/);
    const stats = JSON.parse(vaflow(['cache', 'stats', '--cache-dir', dir, '--json']).stdout) as { entries: number };
    assert.equal(stats.entries, 0);
  }));

test('a bad or missing duration is a usage error with exit code 2 and a clear message', () =>
  withTempDir('cli-cache', async (dir) => {
    fill(dir);
    const bad = vaflow(['cache', 'prune', '--older-than', '30x', '--cache-dir', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--older-than: expected a duration such as 30d, 12h, 90m or 45s .*got "30x"/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    const missing = vaflow(['cache', 'prune', '--cache-dir', dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--older-than is required/);
    const stats = JSON.parse(vaflow(['cache', 'stats', '--cache-dir', dir, '--json']).stdout) as { entries: number };
    assert.equal(stats.entries, 5);
  }));

test('stats, clear and prune on a folder without a cache report it and create nothing', () =>
  withTempDir('cli-cache', async (dir) => {
    const absent = path.join(dir, 'none');
    const stats = vaflow(['cache', 'stats', '--cache-dir', absent]);
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /does not exist yet/);
    assert.match(stats.stdout, /entries\s+0/);
    assert.match(vaflow(['cache', 'clear', '--cache-dir', absent]).stdout, /nothing to clear/);
    assert.match(vaflow(['cache', 'prune', '--older-than', '1d', '--cache-dir', absent]).stdout, /nothing to prune/);
    assert.equal(existsSync(absent), false);
  }));
