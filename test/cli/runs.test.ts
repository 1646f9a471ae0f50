/**
 * Browsing and comparing runs through the CLI as a user types it: `runs ls` / `runs show` with the
 * status of a run killed with kill -9, runs/index.html rebuilt after every run, `view` (and
 * `view --serve`), run references (unique prefixes, latest, latest~N), `compare` with three runs,
 * and VAFLOW_RUNS_DIR / VAFLOW_CACHE_DIR in place of flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { listRunIds } from '../../src/artifacts/run-folder.js';
import { LOCK_FILE } from '../../src/artifacts/run-lock.js';
import { manifestOf } from '../helpers/run-manifest.js';
import type { RunSummary } from '../../src/report/run-list.js';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { httpPipeline, makeEngineProject } from '../helpers/engine-project.js';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { nearestLabelResponder, startOpenAIServer } from '../helpers/openai-server.js';
import { modelsBlock } from '../report/report-run.js';

test('a run killed with kill -9 shows as interrupted (stale) in runs ls and runs show, not running', async () => {
  const server = await startFlakyServer({ latencyMs: 40 });
  const project = makeEngineProject(400);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    const dirs = ['--runs-dir', project.runsDir, '--cache-dir', project.cacheDir];
    const running = startCli(['run', project.pipeline, ...dirs], { cwd: project.dir });
    await waitFor(() => server.total() >= 20);
    const [id] = listRunIds(project.runsDir);
    assert.ok(existsSync(path.join(project.runsDir, id, LOCK_FILE)), 'a live run holds run.lock');

    const live = JSON.parse((await runCli(['runs', 'ls', '--json', ...dirs.slice(0, 2)], { cwd: project.dir })).stdout) as RunSummary[];
    assert.deepEqual([live[0].status, live[0].stale], ['running', undefined]);

    running.child.kill('SIGKILL');
    assert.equal((await running.done).signal, 'SIGKILL');
    const manifest = manifestOf(path.join(project.runsDir, id));
    assert.equal(manifest.status, 'running', 'the killed process never recorded how the run ended');

    const ls = await runCli(['runs', 'ls', ...dirs.slice(0, 2)], { cwd: project.dir });
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, new RegExp(`^${id}  interrupted \\(stale\\)  engine-test  `, 'm'));
    const json = JSON.parse((await runCli(['runs', 'ls', '--json', ...dirs.slice(0, 2)], { cwd: project.dir })).stdout) as RunSummary[];
    assert.equal(json[0].status, 'interrupted');
    assert.match(json[0].stale ?? '', new RegExp(`^process ${running.child.pid} on \\S+ is gone`));
    const show = await runCli(['runs', 'show', 'latest', ...dirs.slice(0, 2)], { cwd: project.dir });
    assert.match(show.stdout, /^run \S+ {2}interrupted \(stale: the manifest says running, but process \d+ on \S+ is gone/m);

    const resumed = await runCli(['run', '--resume', 'latest', ...dirs], { cwd: project.dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const after = JSON.parse((await runCli(['runs', 'ls', '--json', ...dirs.slice(0, 2)], { cwd: project.dir })).stdout) as RunSummary[];
    assert.deepEqual([after[0].status, after[0].stale], ['completed', undefined]);
    assert.equal(existsSync(path.join(project.runsDir, id, LOCK_FILE)), false, 'the lock goes when the run ends');
  } finally {
    await server.close();
    project.cleanup();
  }
});

function classifyPipeline(url: string): string {
  return `version: 1
name: browse-test
${modelsBlock(url)}
nodes:
  items: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [items], with: { task: classify, labels: basic7, variants: { numeric: { format: numeric, precision: 2 } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [circumplex, local], labels: basic7 } }
  scores: { kind: aggregate, needs: [classify] }
`;
}

/** The shortest prefix of `id` that no other id starts with. */
function uniquePrefix(id: string, others: readonly string[]): string {
  for (let n = 1; n <= id.length; n++) if (!others.some((o) => o.startsWith(id.slice(0, n)))) return id.slice(0, n);
  return id;
}

test('runs ls, runs/index.html, view, run references, compare with three runs: all from VAFLOW_RUNS_DIR and VAFLOW_CACHE_DIR', { timeout: 300_000 }, async () => {
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points) });
  const project = makeEngineProject(30);
  let serving: ReturnType<typeof startCli> | undefined;
  try {
    project.writePipeline(classifyPipeline(server.url));
    // Not the default folders (runs/, .vaflow/ under the working directory): only the environment names these.
    const runsDir = path.join(project.dir, 'elsewhere', 'my-runs');
    const cacheDir = path.join(project.dir, 'elsewhere', 'my-cache');
    const env = { VAFLOW_RUNS_DIR: runsDir, VAFLOW_CACHE_DIR: cacheDir };
    const cli = (args: string[]) => runCli(args, { cwd: project.dir, env });

    const first = await cli(['run', project.pipeline]);
    assert.equal(first.code, 0, first.stderr);
    // Items whose prompts are identical share one call (the call-level cache), so "cached" may be above 0 on a cold run.
    const local = /^ +local +30 +(\d+) +(\d+) +[1-9]\d* +[1-9]\d* +0\.\d{4}$/m.exec(first.stdout);
    assert.match(first.stdout, /^tokens and cost per model:\n +model +items +cached +calls +input tokens +output tokens +cost\n +circumplex +30 +0 +30 +0 +0 +—\n +local /m);
    assert.ok(local && Number(local[1]) + Number(local[2]) === 30, first.stdout);
    assert.ok(existsSync(path.join(cacheDir, 'cache.db')), 'VAFLOW_CACHE_DIR holds the cache');
    assert.equal(existsSync(path.join(project.dir, 'runs')) || existsSync(path.join(project.dir, '.vaflow')), false, 'nothing in the default folders');
    const second = await cli(['run', project.pipeline]);
    assert.equal(second.code, 0, second.stderr);
    const ids = listRunIds(runsDir);
    assert.equal(ids.length, 2);
    const [idA, idB] = ids;

    // runs ls: status, pipeline, models, items, headline metric and cost per run.
    const ls = await cli(['runs', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^RUN +STATUS +PIPELINE +MODELS +ITEMS +HEADLINE \(best group\) +COST$/m);
    assert.match(ls.stdout, new RegExp(`^${idA}  completed  browse-test  circumplex,local  30 +accuracy \\d\\.\\d{3} +0\\.\\d{4}$`, 'm'));
    // The rerun is served from the cache: nothing was spent, and the manifest records no cost.
    assert.match(ls.stdout, new RegExp(`^${idB}  completed  browse-test  circumplex,local  30 +accuracy \\d\\.\\d{3} +—$`, 'm'));
    const summaries = JSON.parse((await cli(['runs', 'ls', '--json'])).stdout) as RunSummary[];
    const manifestA = manifestOf(path.join(runsDir, idA));
    assert.equal(summaries[0].cost, manifestA.totals.cost);
    assert.ok(summaries[0].cost! > 0);
    assert.deepEqual([summaries[0].models, summaries[0].items, summaries[0].headline.map((h) => [h.kind, h.metric, h.groups])], [['circumplex', 'local'], 30, [['classification', 'accuracy', 2]]]);
    const metrics = JSON.parse(readFileSync(path.join(runsDir, idA, 'metrics.json'), 'utf8')) as { groups: { headline: { accuracy: { value: number } } }[] };
    assert.equal(summaries[0].headline[0].value, Math.max(...metrics.groups.map((g) => g.headline.accuracy.value)), 'the headline is the best group');

    // runs/index.html, rebuilt by each run: newest first, linking to each report.
    const index = readFileSync(path.join(runsDir, 'index.html'), 'utf8');
    assert.ok(index.indexOf(idB) < index.indexOf(idA), 'newest first');
    for (const id of ids) {
      assert.match(index, new RegExp(`<a href="${id}/report\\.html">report\\.html</a>`));
      assert.ok(existsSync(path.join(runsDir, id, 'report.html')));
    }
    assert.match(index, /accuracy \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    assert.match(index, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);

    // Run references: a unique prefix, latest, latest~N; an ambiguous prefix and a step too far are usage errors.
    const prefix = uniquePrefix(idA, [idB]);
    assert.ok(prefix.length < idA.length);
    assert.match((await cli(['runs', 'show', prefix])).stdout, new RegExp(`^run ${idA}  completed$`, 'm'));
    assert.match((await cli(['runs', 'show', 'latest~1'])).stdout, new RegExp(`^run ${idA}  completed$`, 'm'));
    assert.match((await cli(['runs', 'show', 'latest~0'])).stdout, new RegExp(`^run ${idB}  completed$`, 'm'));
    const shared = idA.slice(0, [...idA].findIndex((c, i) => c !== idB[i]));
    const ambiguous = await cli(['report', shared, '--format', 'md']);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, new RegExp(`^run "${shared}" is ambiguous in .*: 2 runs start with it \\(${idA}, ${idB}\\); give more of the id$`, 'm'));
    const tooFar = await cli(['runs', 'show', 'latest~2']);
    assert.equal(tooFar.code, 2);
    assert.match(tooFar.stderr, new RegExp(`"latest~2": there are only 1 run\\(s\\) before latest \\(${idB}\\)`));
    const md = await cli(['report', prefix, '--format', 'md']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^\| model \| prompt variant \| n \| accuracy \|/m);
    const tex = await cli(['report', 'latest', '--format', 'latex']);
    assert.match(tex.stdout, /^model & prompt variant & n & accuracy & macro\\_f1/m);

    // compare: two or more runs, each against the first.
    const three = await cli(['compare', prefix, 'latest', path.join(runsDir, idB), '--json']);
    assert.equal(three.code, 0, three.stderr);
    const parsed = JSON.parse(three.stdout) as { baseline: string; comparisons: { a: string; b: string; deltas: unknown[] }[] };
    assert.deepEqual([parsed.baseline, parsed.comparisons.map((c) => [c.a, c.b])], [idA, [[idA, idB], [idA, idB]]]);
    assert.equal(parsed.comparisons[0].deltas.length, 2);
    const text = await cli(['compare', 'latest~1', 'latest', 'latest']);
    assert.match(text.stdout, new RegExp(`^=== 1 of 2: ${idB} vs baseline ${idA}$`, 'm'));
    assert.match(text.stdout, new RegExp(`^=== 2 of 2: ${idB} vs baseline ${idA}$`, 'm'));
    const one = await cli(['compare', 'latest']);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /give at least two runs/);

    // view: rebuilds the index; --serve serves the runs folder on 127.0.0.1, and nothing outside it.
    const view = await cli(['view']);
    assert.equal(view.code, 0, view.stderr);
    assert.equal(view.stdout.trim(), path.join(runsDir, 'index.html'));
    serving = startCli(['view', '--serve', '--port', '0'], { cwd: project.dir, env });
    let out = '';
    serving.child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(() => /at http:\/\/127\.0\.0\.1:\d+\//.test(out));
    const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1];
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const body = await page.text();
    assert.ok(body.includes(idA) && body.includes(idB));
    const report = await fetch(`${url}${idA}/report.html`);
    assert.equal(report.status, 200);
    assert.match(await report.text(), /vaflow report — browse-test/);
    assert.equal((await fetch(`${url}latest/report.html`)).status, 200, 'runs/latest is inside the folder');
    // Nothing outside the runs folder: not by dot segments, not through a symlink that points out of it.
    symlinkSync(project.dir, path.join(runsDir, 'outside'));
    assert.equal((await fetch(`${url}outside/items.csv`)).status, 404);
    for (const escape of ['%2e%2e/%2e%2e/items.csv', '..%2f..%2fitems.csv', `${idA}/..%2f..%2f..%2fitems.csv`]) {
      assert.equal((await fetch(`${url}${escape}`)).status, 404, `${escape} stays inside the runs folder`);
    }
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
    serving.child.kill('SIGINT');
    assert.equal((await serving.done).code, 0);
  } finally {
    if (serving && serving.child.exitCode === null && serving.child.signalCode === null) serving.child.kill('SIGKILL');
    await server.close();
    project.cleanup();
  }
});
