import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import kind from '../../nodes/aggregate/index.js';
import type { AggregateParams } from '../../nodes/aggregate/params.generated.js';
import type { FlowRecord } from '../../src/types/records.js';
import { packageRoot } from '../../src/util/paths.js';
import { taskContext } from '../helpers/kind-context.js';
import { allRecords, classificationRecords, stream } from '../nodes/aggregate/fixtures.js';

/** A run folder as the engine leaves it: manifest.json, plus what the aggregate node wrote. */
async function makeRun(runsDir: string, id: string, records: FlowRecord[]): Promise<string> {
  const dir = path.join(runsDir, id);
  await mkdir(path.join(dir, 'tasks'), { recursive: true });
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ manifestVersion: 1, runId: id, pipeline: { name: 'paper-classify' }, seed: 42 }));
  const ctx = taskContext<AggregateParams>({ params: {}, runDir: dir, nodeId: 'scores', spec: { version: 1, name: 'paper-classify', nodes: { scores: { kind: 'aggregate' } } } });
  const lines: string[] = [];
  for await (const r of kind.batch(() => stream(records), ctx)) lines.push(JSON.stringify(r));
  await writeFile(path.join(dir, 'tasks', 'scores.jsonl'), lines.join('\n') + '\n');
  return dir;
}

function vaflow(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(packageRoot, 'bin/vaflow.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('report and compare from run folders', async () => {
  const runsDir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-runs-'));
  try {
    const runA = await makeRun(runsDir, '20250101-000000-paper-aaaa', allRecords({ seed: 1 }));
    // Run B: a better second model on the same items; one item dropped to exercise the mismatch warning.
    await makeRun(runsDir, '20250102-000000-paper-bbbb', classificationRecords({ seed: 1, skill: [0.8, 0.9] }).filter((r) => r.id !== 'face000'));
    await symlink('20250102-000000-paper-bbbb', path.join(runsDir, 'latest'));

    const md = vaflow(['report', '20250101-000000-paper-aaaa', '--format', 'md', '--runs-dir', runsDir]);
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, /### Classification \(single label\)/);
    assert.match(md.stdout, /\| gpt4o-mini \| numeric \| 42 \| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]/);
    assert.match(md.stdout, /### Paired comparisons/);
    assert.doesNotMatch(md.stdout, /NaN/);

    // Regenerating does not recompute: the page is rebuilt from metrics.json, whose numbers stay as they were.
    const before = await readFile(path.join(runA, 'metrics.json'), 'utf8');
    await rm(path.join(runA, 'report.html'));
    const html = vaflow(['report', runA, '--runs-dir', runsDir]);
    assert.equal(html.status, 0, html.stderr);
    assert.equal(html.stdout.trim(), path.join(runA, 'report.html'));
    assert.ok((await stat(path.join(runA, 'report.html'))).size > 10_000);
    assert.equal(await readFile(path.join(runA, 'metrics.json'), 'utf8'), before);
    assert.match(await readFile(path.join(runA, 'report.html'), 'utf8'), /run 20250101-000000-paper-aaaa/);

    const cmp = vaflow(['compare', '20250101-000000-paper-aaaa', 'latest', '--runs-dir', runsDir]);
    assert.equal(cmp.status, 0, cmp.stderr);
    assert.match(cmp.stdout, /scores: model=llama32 · variant=numeric {2}\(n A 42, n B 41, paired 41\)/);
    assert.match(cmp.stdout, /accuracy\s+0\.\d{3} → 0\.\d{3}\s+Δ [+-]?0\.\d{3} \[/);
    assert.match(cmp.stdout, /mcnemar-exact: p (=|<) /);
    assert.match(cmp.stdout, /items differ \(1 only in A, 0 only in B\)/);
    assert.match(cmp.stdout, /group embedder=glove · model=gpt4o-mini · variant=lexical is in run A only/);
    assert.doesNotMatch(cmp.stdout, /NaN/);

    const json = vaflow(['compare', runA, 'latest', '--runs-dir', runsDir, '--json']);
    const parsed = JSON.parse(json.stdout) as { baseline: string; comparisons: { a: string; b: string; deltas: { paired: number }[] }[] };
    assert.equal(parsed.baseline, '20250101-000000-paper-aaaa');
    assert.deepEqual(parsed.comparisons.map((c) => [c.a, c.b]), [['20250101-000000-paper-aaaa', '20250102-000000-paper-bbbb']]);
    assert.equal(parsed.comparisons[0].deltas.length, 4);

    const missing = vaflow(['report', 'nope', '--runs-dir', runsDir]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /run "nope" not found/);
    const badFormat = vaflow(['report', 'latest', '--format', 'pdf', '--runs-dir', runsDir]);
    assert.equal(badFormat.status, 2);
    assert.match(badFormat.stderr, /expected one of html, md, latex, got "pdf"/);
  } finally {
    await rm(runsDir, { recursive: true, force: true });
  }
});
