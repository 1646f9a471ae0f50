import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';
import { VAFLOW_BIN, startCli, waitFor } from '../helpers/cli.js';
import { cachedItems } from '../helpers/cache-counts.js';
import { cliInvocation, shellQuote } from '../../src/cli/resume-command.js';
import { packageRoot } from '../../src/util/paths.js';

const ITEMS = 120;
const LIMIT = 90;


/** Runs a command line through sh, with `vaflow` on PATH (a shim for the built CLI), as a user would paste it. */
function shell(commandLine: string, cwd: string, binDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', commandLine], { cwd, env: { ...process.env, VAFLOW_CACHE_DIR: '', PATH: `${binDir}:${process.env.PATH}` } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('an interrupted run prints the exact command that resumes it; pasted into a shell, it finishes the run with its --set and --limit', async () => {
  const server = await startFlakyServer({ latencyMs: 15 });
  const project = makeEngineProject(ITEMS);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    const binDir = path.join(project.dir, 'bin');
    mkdirSync(binDir);
    writeFileSync(path.join(binDir, 'vaflow'), `#!/bin/sh\nexec '${process.execPath}' '${VAFLOW_BIN}' "$@"\n`);
    chmodSync(path.join(binDir, 'vaflow'), 0o755);
    // A runs folder whose name needs quoting, a cache folder, a cap on calls, an override that is in every cache key.
    const args = ['run', 'pipeline.yaml', '--runs-dir', "my runs (it's here)", '--cache-dir', 'cache', '--concurrency', '2', '--set', 'nodes.call.with.salt=second', '--limit', String(LIMIT)];
    const first = startCli(args, { cwd: project.dir });
    await waitFor(() => server.total() >= 20);
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const runId = readlinkSync(path.join(project.dir, "my runs (it's here)", 'latest'));
    const line = interrupted.stdout.split('\n').find((l) => l.startsWith('to resume: '));
    assert.equal(line, `to resume: vaflow run --resume ${runId} --runs-dir 'my runs (it'\\''s here)' --cache-dir cache --concurrency 2`);

    const completed = cachedItems(path.join(project.dir, 'cache'));
    const before = server.total();
    const resumed = await shell(line!.slice('to resume: '.length), project.dir, binDir);
    assert.equal(resumed.code, 0, resumed.stderr);
    // Had the resume forgotten --set (a different cache key) or --limit (more items), it would have asked for more.
    assert.equal(server.total() - before, LIMIT - completed, 'only the limited items not yet answered, under the same override');
    const manifest = JSON.parse(readFileSync(path.join(project.dir, "my runs (it's here)", runId, 'manifest.json'), 'utf8')) as { status: string; tasks: Record<string, { records: number }> };
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.tasks.call.records, LIMIT);
  } finally {
    await server.close();
    project.cleanup();
  }
});

test('shellQuote leaves plain arguments alone and quotes the rest so sh reads them back unchanged', async () => {
  assert.equal(shellQuote('runs/2026-x_1'), 'runs/2026-x_1');
  const odd = ["my runs", "it's", 'a"b', '$HOME', 'x;rm -rf y', ''];
  for (const argument of odd) {
    const echoed = await shell(`printf '%s' ${shellQuote(argument)}`, process.cwd(), '/nonexistent');
    assert.equal(echoed.stdout, argument);
  }
});

test('the command is `npx vaflow` in the vaflow project itself, `vaflow` elsewhere', () => {
  assert.equal(cliInvocation(packageRoot), 'npx vaflow');
  assert.equal(cliInvocation(path.dirname(packageRoot)), 'vaflow');
});
