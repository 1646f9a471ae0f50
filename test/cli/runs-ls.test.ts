import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/temp-dir.js';

const GOOD = {
  manifestVersion: 1, runId: '20260101-000000-ok-0001', vaflowVersion: '0.1.0', pipeline: { name: 'ok', file: '/x/ok.yaml', sha256: 'abc', gitCommit: null },
  kinds: {}, environment: { node: 'v20', os: 'Linux', arch: 'x64', cpus: 2 }, dependencies: {}, seed: 42, options: { cache: 'on', concurrency: 32 },
  status: 'completed', startedAt: '2026-01-01T00:00:00.000Z', attempts: ['2026-01-01T00:00:00.000Z'],
  tasks: { terms: { status: 'done', items: 3, records: 3, cacheHits: 0, cacheMisses: 0, pending: 0, errors: 0, retries: 0, inputTokens: 0, outputTokens: 0 } },
  totals: { items: 3, errors: 0, cacheHits: 0, cacheMisses: 0, retries: 0, inputTokens: 0, outputTokens: 0 },
};

test('runs ls lists folders whose manifest is empty, {}, not JSON or misshapen as unreadable and goes on; runs show says why', async () => {
  await withTempDir('runs-ls', async (dir) => {
    const runs = path.join(dir, 'runs');
    const folders: Record<string, string> = {
      '20260101-000000-ok-0001': JSON.stringify(GOOD),
      '20260101-000001-empty-0002': '',
      '20260101-000002-braces-0003': '{}',
      '20260101-000003-torn-0004': '{"runId": "x", "pipel',
      '20260101-000004-tasks-0005': JSON.stringify({ ...GOOD, tasks: { t: null } }),
      '20260101-000005-ok-0006': JSON.stringify({ ...GOOD, runId: '20260101-000005-ok-0006', status: 'failed' }),
    };
    for (const [id, text] of Object.entries(folders)) {
      mkdirSync(path.join(runs, id), { recursive: true });
      writeFileSync(path.join(runs, id, 'manifest.json'), text);
    }
    const ls = await runCli(['runs', 'ls', '--runs-dir', runs], { cwd: dir });
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(ls.stderr, '');
    const lines = ls.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 7, 'a header and one line per folder');
    assert.match(lines[0]!, /^RUN +STATUS +PIPELINE +MODELS +ITEMS/);
    assert.match(lines[1]!, /^20260101-000000-ok-0001 +completed +ok +/);
    assert.match(lines[2]!, /^20260101-000001-empty-0002 +unreadable +\? \(manifest\.json is empty\)/);
    assert.match(lines[3]!, /^20260101-000002-braces-0003 +unreadable +\? \(manifest\.json lacks or misshapes: runId, vaflowVersion, pipeline, environment, seed, status, startedAt, attempts, tasks, totals\)/);
    assert.match(lines[4]!, /^20260101-000003-torn-0004 +unreadable +\? \(manifest\.json is not valid JSON \(/);
    assert.match(lines[5]!, /^20260101-000004-tasks-0005 +unreadable +\? \(manifest\.json lacks or misshapes: tasks\)/);
    assert.match(lines[6]!, /^20260101-000005-ok-0006 +failed +/);
    const json = JSON.parse((await runCli(['runs', 'ls', '--json', '--runs-dir', runs], { cwd: dir })).stdout) as { status: string }[];
    assert.deepEqual(json.map((r) => r.status), ['completed', 'unreadable', 'unreadable', 'unreadable', 'unreadable', 'failed']);
    assert.deepEqual(readdirSync(runs).filter((f) => !f.startsWith('2026')), [], 'runs ls writes nothing into the runs folder');
    // `view` rebuilds the index and keeps each run's line (runs/index.cache.json); ls then reads the same from it.
    assert.equal((await runCli(['view', '--runs-dir', runs], { cwd: dir })).code, 0);
    assert.deepEqual(readdirSync(runs).filter((f) => !f.startsWith('2026')), ['index.cache.json', 'index.html']);
    assert.equal((await runCli(['runs', 'ls', '--runs-dir', runs], { cwd: dir })).stdout, ls.stdout);
    assert.deepEqual(JSON.parse((await runCli(['runs', 'ls', '--json', '--runs-dir', runs], { cwd: dir })).stdout), json);

    const show = await runCli(['runs', 'show', '20260101-000002-braces-0003', '--runs-dir', runs], { cwd: dir });
    assert.equal(show.code, 2);
    assert.match(show.stderr, /^run 20260101-000002-braces-0003: manifest\.json lacks or misshapes: runId, .* \(.*manifest\.json\)\n$/);
    const good = await runCli(['runs', 'show', '20260101-000000-ok-0001', '--runs-dir', runs], { cwd: dir });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^run 20260101-000000-ok-0001 {2}completed$/m);
  });
});
