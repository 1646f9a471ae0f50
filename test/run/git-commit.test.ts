import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { manifestOf } from '../helpers/run-manifest.js';
import { makeEngineProject } from '../helpers/engine-project.js';

const EXTRACT_ONLY = 'version: 1\nname: git-commit\nnodes:\n  items: { kind: extract, with: { table: items.csv } }\n';

/** git with a fixed identity and no user configuration, in `cwd`. */
function git(cwd: string, ...args: string[]): string {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
}

test('the manifest records HEAD of the git repository holding the pipeline (git started before loading), and null outside one', async () => {
  const outside = makeEngineProject(3);
  const inside = makeEngineProject(3);
  try {
    outside.writePipeline(EXTRACT_ONLY);
    const plain = await runPipeline({ file: outside.pipeline, runsDir: outside.runsDir, cacheDir: outside.cacheDir, env: {} });
    assert.equal(plain.status, 'completed');
    assert.equal(manifestOf(plain.runDir).pipeline.gitCommit, null);

    inside.writePipeline(EXTRACT_ONLY);
    git(inside.dir, 'init', '-q');
    git(inside.dir, 'add', 'pipeline.yaml', 'items.csv');
    git(inside.dir, 'commit', '-q', '-m', 'pipeline');
    const head = git(inside.dir, 'rev-parse', 'HEAD');
    const tracked = await runPipeline({ file: inside.pipeline, runsDir: inside.runsDir, cacheDir: inside.cacheDir, env: {} });
    assert.equal(tracked.status, 'completed');
    assert.match(head, /^[0-9a-f]{40}$/);
    assert.equal(manifestOf(tracked.runDir).pipeline.gitCommit, head);
  } finally {
    outside.cleanup();
    inside.cleanup();
  }
});
