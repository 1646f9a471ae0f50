import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { cachedItems } from '../helpers/cache-counts.js';
import { readJsonl } from '../../src/artifacts/jsonl.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

const ITEMS = 200;


async function recordIds(runDir: string, prefix: string): Promise<string[]> {
  const file = readdirSync(path.join(runDir, 'tasks')).find((f) => f.startsWith(prefix) && f.endsWith('.jsonl') && !f.endsWith('.errors.jsonl'));
  assert.ok(file, `no published records for ${prefix}`);
  const ids: string[] = [];
  for await (const r of readJsonl<{ id: string }>(path.join(runDir, 'tasks', file))) ids.push(r.id);
  return ids;
}

/** Starts `vaflow run` on ITEMS items against a slow-ish server and sends `signal` once `afterCalls` requests arrived. */
async function interruptedRun(signal: NodeJS.Signals, afterCalls: number) {
  const server = await startFlakyServer({ latencyMs: 15 });
  const project = makeEngineProject(ITEMS);
  project.writePipeline(httpPipeline({ url: server.url }));
  const args = ['--runs-dir', project.runsDir, '--cache-dir', project.cacheDir];
  const first = startCli(['run', project.pipeline, ...args], { cwd: project.dir });
  await waitFor(() => server.total() >= afterCalls);
  first.child.kill(signal);
  return { server, project, args, first: await first.done };
}

test('a run killed with SIGKILL resumes in its own folder and pays for no completed item twice', async () => {
  const { server, project, args, first: killed } = await interruptedRun('SIGKILL', 60);
  try {
    assert.equal(killed.signal, 'SIGKILL');
    const answeredBefore = [...server.answered.values()].reduce((a, b) => a + b, 0);
    const completed = cachedItems(project.cacheDir);
    assert.ok(completed > 0 && completed < ITEMS, `some but not all items completed (${completed})`);
    // Lost: only answers still in flight at the kill (≤ the run's cap, 4): every answer received was
    // committed to the cache before the next step. The resume below must pay for exactly these.
    assert.ok(answeredBefore - completed <= 4, `${answeredBefore - completed} answered items were lost`);
    const callsBefore = server.total();

    const resumed = await runCli(['run', '--resume', 'latest', ...args], { cwd: project.dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(server.total() - callsBefore, ITEMS - completed, 'only the items missing from the cache were requested');

    const runs = listRunIds(project.runsDir);
    assert.equal(runs.length, 1, 'the resume continued in the same folder');
    const runDir = path.join(project.runsDir, runs[0]);
    const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { status: string; attempts: string[]; tasks: Record<string, { status: string }> };
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.attempts.length, 2);
    const ids = await recordIds(runDir, 'call');
    assert.equal(ids.length, ITEMS);
    assert.equal(new Set(ids).size, ITEMS);
    for (const line of readFileSync(path.join(runDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, -1)) JSON.parse(line);
    JSON.parse(readFileSync(path.join(runDir, 'plan.json'), 'utf8'));
  } finally {
    await server.close();
    project.cleanup();
  }
});

test('SIGINT lets in-flight calls finish, marks the run interrupted, exits 130; the resume completes it', async () => {
  const { server, project, args, first: interrupted } = await interruptedRun('SIGINT', 40);
  try {
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.doesNotMatch(interrupted.stderr, /\n\s+at /, 'no stack trace');
    const runs = listRunIds(project.runsDir);
    const manifestFile = path.join(project.runsDir, runs[0], 'manifest.json');
    assert.equal((JSON.parse(readFileSync(manifestFile, 'utf8')) as { status: string }).status, 'interrupted');
    const answered = [...server.answered.values()].reduce((a, b) => a + b, 0);
    assert.equal(cachedItems(project.cacheDir), answered, 'every answered call was kept');

    const resumed = await runCli(['run', '--resume', runs[0], ...args], { cwd: project.dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(server.total(), ITEMS, 'every item was requested exactly once over both attempts');
    assert.equal((JSON.parse(readFileSync(manifestFile, 'utf8')) as { status: string }).status, 'completed');
  } finally {
    await server.close();
    project.cleanup();
  }
});

test('two runs sharing one cache at once both finish correctly', async () => {
  const server = await startFlakyServer({ latencyMs: 2 });
  const project = makeEngineProject(150);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    const args = (runs: string) => ['run', project.pipeline, '--runs-dir', path.join(project.dir, runs), '--cache-dir', project.cacheDir];
    const [a, b] = await Promise.all([runCli(args('runs-a'), { cwd: project.dir }), runCli(args('runs-b'), { cwd: project.dir })]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    for (const runs of ['runs-a', 'runs-b']) {
      const dir = path.join(project.dir, runs, listRunIds(path.join(project.dir, runs))[0]);
      const ids = await recordIds(dir, 'call');
      assert.equal(new Set(ids).size, 150);
    }
    assert.equal(cachedItems(project.cacheDir), 150);
    assert.ok(server.total() >= 150 && server.total() <= 300);
    const before = server.total();
    const third = await runCli(args('runs-c'), { cwd: project.dir });
    assert.equal(third.code, 0);
    assert.equal(server.total(), before, 'a third run is served entirely from the shared cache');
  } finally {
    await server.close();
    project.cleanup();
  }
});
