/**
 * Files come from the shared root: a worker whose root does not hold the pipeline's folder (the
 * share not mounted there) reports each item as an error naming the worker and the path it looked
 * for; the run records them as item errors, like any other, and a worker with the right root
 * computes them on a resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nearestLabelResponder } from '../../helpers/openai-server.js';
import { runCli } from '../../helpers/cli.js';
import { getLabelSet } from '../../../src/labels/label-sets.js';
import { classifyOutput, onlyRun, withRemoteProject } from './remote-project.js';

test('a worker that cannot find the shared folder reports item errors naming itself and the path', { timeout: 120_000 }, async () => {
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'vaflow-not-mounted-'));
  try {
    const options = { rows: 4, workers: 1, server: { responder: nearestLabelResponder(getLabelSet('basic7')!.points) }, project: { defaults: '  maxErrorRate: 1\n' }, worker: { args: ['--root', elsewhere] } };
    await withRemoteProject('remote-root', options, async ({ dir, server, runArgs }) => {
      // The coordinator's root holds the project folder; the worker's root is an empty folder.
      const result = await runCli(['run', 'classify.yaml', ...runArgs], { cwd: dir, env: { VAFLOW_SHARED_ROOT: path.dirname(dir) } });
      const { records, errors } = await classifyOutput(onlyRun(path.join(dir, 'runs')));
      assert.equal(records.length, 0, result.stderr);
      assert.equal(errors.length, 4);
      const expected = path.join(elsewhere, path.basename(dir));
      for (const error of errors as { error: { message: string } }[]) {
        assert.match(error.error.message, /^worker [^ ]+#\d+ cannot read (\S+): no such file or folder \(its shared root is (\S+): is the shared folder mounted there\?\)$/);
        assert.ok(error.error.message.includes(`cannot read ${expected}`) && error.error.message.includes(`shared root is ${elsewhere}`), error.error.message);
      }
      assert.equal(server.requests.total, 0, 'nothing was called');
    });
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
