import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

test('the documented local kind (docs/examples) runs between built-in kinds through the CLI', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-example-kind-'));
  try {
    const result = await runCli(
      ['run', path.join(packageRoot, 'docs/examples/quadrant-baseline.yaml'), '--runs-dir', path.join(dir, 'runs'), '--cache-dir', path.join(dir, 'cache')],
      { cwd: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    const run = listRunIds(path.join(dir, 'runs'))[0];
    const metrics = JSON.parse(readFileSync(path.join(dir, 'runs', run, 'metrics.json'), 'utf8')) as { groups: { n: number; headline: { accuracy: { value: number } } }[] };
    assert.equal(metrics.groups.length, 1);
    assert.equal(metrics.groups[0].n, 63);
    assert.ok(metrics.groups[0].headline.accuracy.value > 1 / 7, 'the quadrant baseline beats chance on the basic-7 terms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
