import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';
import { runCli } from '../helpers/cli.js';

test('plan shows tasks, item counts and cache hits without calling the model; runs ls/show and --json events', async () => {
  const server = await startFlakyServer();
  const project = makeEngineProject(12);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    const dirs = ['--runs-dir', project.runsDir, '--cache-dir', project.cacheDir];
    const before = await runCli(['plan', project.pipeline, '--cache-dir', project.cacheDir], { cwd: project.dir });
    assert.equal(before.code, 0, before.stderr);
    assert.equal(server.total(), 0, 'plan calls no model');
    assert.match(before.stdout, /^engine-test: 2 tasks$/m);
    assert.match(before.stdout, /^items\s+source\s+12\s+0\s+-\s+-\s+-$/m);
    assert.match(before.stdout, /^call\s+item\s+12\s+0\s+0\s+12\s+items$/m);
    assert.match(before.stdout, /model calls needed \(at least\): 12/);
    assert.equal(readdirSync(project.dir).includes('runs'), false, 'plan writes no run folder');

    const run = await runCli(['run', project.pipeline, ...dirs, '--json'], { cwd: project.dir });
    assert.equal(run.code, 0, run.stderr);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; task?: string; status?: string });
    assert.equal(events[0].event, 'run_start');
    assert.deepEqual(events.filter((e) => e.event === 'task_end').map((e) => [e.task, e.status]), [['items', 'done'], ['call', 'done']]);
    assert.equal(events.at(-1)?.event, 'run_end');

    const after = await runCli(['plan', project.pipeline, '--cache-dir', project.cacheDir], { cwd: project.dir });
    assert.match(after.stdout, /^call\s+item\s+12\s+0\s+12\s+0\s+items$/m, 'every item is now cached');
    assert.equal(server.total(), 12);

    const ls = await runCli(['runs', 'ls', '--runs-dir', project.runsDir], { cwd: project.dir });
    assert.match(ls.stdout, /^\d{8}-\d{6}-engine-test-[0-9a-f]{4}  completed  engine-test  —\s+12\s+—\s+—$/m);
    const show = await runCli(['runs', 'show', 'latest', '--runs-dir', project.runsDir], { cwd: project.dir });
    assert.match(show.stdout, /^run \S+  completed$/m);
    assert.match(show.stdout, /done\s+call  items 12  cached 0  misses 12  errors 0  retries 0  tokens 120\+24/);
    const missing = await runCli(['runs', 'show', 'nope', '--runs-dir', project.runsDir], { cwd: project.dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^run "nope" not found in .* \(recent: /);
  } finally {
    await server.close();
    project.cleanup();
  }
});
