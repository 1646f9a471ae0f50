import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFlakyServer, type Fault } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';
import { runCli } from '../helpers/cli.js';

test('plan and run show each task\'s item errors: counts and the first causes with file, row, column and value', async () => {
  const project = makeEngineProject(0);
  try {
    const rows = Array.from({ length: 20 }, (_, i) => `item-${i},0.1,0.2,happiness`);
    rows[3] = 'item-3,high,0.2,happiness';
    rows[8] = 'item-8,0.1,"0.2,happiness';
    writeFileSync(path.join(project.dir, 'items.csv'), ['id,valence,arousal,label', ...rows].join('\n') + '\n');
    project.writePipeline(`version: 1
name: summary
models:
  base: { provider: circumplex }
nodes:
  items: { kind: extract, with: { table: items.csv, maxErrorRate: 0.2 } }
  prompts: { kind: prompt-variant, needs: [items], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [base] } }
`);
    const dirs = ['--runs-dir', project.runsDir, '--cache-dir', project.cacheDir];
    const causes = [
      '    items.csv:5: row 4, column "valence": "high" is not a number',
      '    items.csv:10: row 9: unterminated quote in column "arousal": line 11 reads as a row of its own; the row is skipped and reading resumes on line 11',
    ];
    const plan = await runCli(['plan', project.pipeline, '--cache-dir', project.cacheDir], { cwd: project.dir });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^items\s+source\s+20\s+2\s+-\s+-\s+-$/m);
    assert.match(plan.stdout, /^prompts\[variant=n\]\s+item\s+18\s+0\s/m, 'the two bad rows are not passed on');
    assert.ok(plan.stdout.includes(['item errors:', '  items: 2 of 20 items', ...causes, 'warnings:'].join('\n')), plan.stdout);

    const run = await runCli(['run', project.pipeline, ...dirs], { cwd: project.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^items 56, cache hits 0, cache misses 18, errors 2, retries 0$/m);
    assert.match(run.stdout, new RegExp(`item errors:\\n  items: 2 of 20 items\\n${causes.map(escape).join('\\n')}\\n    all in .*tasks/items\\.errors\\.jsonl\\n`));
    assert.match(run.stdout, /warnings:\n {2}\S*pipeline\.yaml:6:42 {2}warning: nodes\.items\.with\.table: items\.csv: 2 of 20 rows will be item errors/);
  } finally {
    project.cleanup();
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('a task that fails on item errors shows its first error messages, not only the path of its errors file', async () => {
  const faults: Record<string, Fault[]> = {};
  for (let i = 0; i < 6; i++) faults[`item-${i}`] = ['bad-request'];
  const server = await startFlakyServer({ faults });
  const project = makeEngineProject(10);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    const run = await runCli(['run', project.pipeline, '--runs-dir', project.runsDir, '--cache-dir', project.cacheDir], { cwd: project.dir });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^ {2}failed call: error rate 60\.0% is above maxErrorRate 10\.0%/m);
    assert.match(run.stdout, /item errors:\n {2}call: 6 of 10 items\n {4}server answered 400\n {4}server answered 400\n {4}server answered 400\n {4}… 3 more; all in .*call\.errors\.jsonl\n/);
    assert.doesNotMatch(run.stdout + run.stderr, /^\s+at /m);
  } finally {
    await server.close();
    project.cleanup();
  }
});
