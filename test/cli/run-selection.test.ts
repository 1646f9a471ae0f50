import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withTempDir } from '../helpers/temp-dir.js';
import { runCli } from '../helpers/cli.js';

// run --only, --limit and --set through the CLI on a small offline pipeline (circumplex baselines).

const TABLE = ['id,valence,arousal,label', 'a,0.8,0.3,happiness', 'b,-0.7,-0.4,sadness', 'c,-0.6,0.3,anger', 'd,0.1,-0.4,neutral', 'e,0.4,0.2,surprise'].join('\n') + '\n';

const PIPELINE = `version: 1
name: selection
models:
  base: { provider: circumplex }
  other: { provider: circumplex }
nodes:
  terms: { kind: extract, with: { table: t.csv } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [base] } }
  describe: { kind: describe, needs: [prompts], with: { models: [base] } }
  scores: { kind: aggregate, needs: [classify] }
`;

async function project(dir: string): Promise<void> {
  writeFileSync(path.join(dir, 't.csv'), TABLE);
  writeFileSync(path.join(dir, 'p.yaml'), PIPELINE);
}

const run = (dir: string, ...args: string[]) => runCli(['run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache', ...args], { cwd: dir });

function lastRun(dir: string): { dir: string; manifest: Record<string, any>; tasks: string[] } {
  // runs/latest names the newest run (ids have a one-second resolution: sorting them would not).
  const runDir = path.join(dir, 'runs', readlinkSync(path.join(dir, 'runs', 'latest')));
  const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as Record<string, any>;
  return { dir: runDir, manifest, tasks: Object.keys(manifest.tasks).sort() };
}

function records(runDir: string, task: string): Record<string, unknown>[] {
  const file = path.join(runDir, 'tasks', `${task}.jsonl`);
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('run --only runs the named nodes and what they need, nothing downstream or beside; the manifest records it', () =>
  withTempDir('selection', async (dir) => {
    await project(dir);
    const result = await run(dir, '--only', 'classify');
    assert.equal(result.code, 0, result.stderr);
    const { tasks, manifest } = lastRun(dir);
    assert.deepEqual(tasks, ['classify[model=base,variant=n]', 'prompts[variant=n]', 'terms']);
    assert.deepEqual(manifest.options.only, ['classify']);
    const both = await run(dir, '--only', 'classify,describe', '--only', 'scores');
    assert.equal(both.code, 0, both.stderr);
    assert.deepEqual(lastRun(dir).tasks, ['classify[model=base,variant=n]', 'describe[model=base,variant=n]', 'prompts[variant=n]', 'scores', 'terms']);
    const unknown = await run(dir, '--only', 'clasify');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, '--only clasify: no such node in selection (nodes: terms, prompts, classify, describe, scores)\n');
  }));

test('run --limit N reads the first N items of each source, in file order; the manifest records it', () =>
  withTempDir('selection', async (dir) => {
    await project(dir);
    const result = await run(dir, '--limit', '3');
    assert.equal(result.code, 0, result.stderr);
    const last = lastRun(dir);
    assert.deepEqual(records(last.dir, 'terms').map((r) => r.id), ['a', 'b', 'c']);
    assert.equal(records(last.dir, 'classify[model=base,variant=n]').length, 3);
    assert.equal(last.manifest.options.limit, 3);
    for (const bad of ['0', '2.5', 'x']) {
      const refused = await run(dir, '--limit', bad);
      assert.equal(refused.code, 2);
      assert.equal(refused.stderr, `--limit: expected an integer ≥ 1, got "${bad}"\n`);
    }
  }));

test('run --set overrides a value for one run: the run uses it, the manifest records it, the file is untouched', () =>
  withTempDir('selection', async (dir) => {
    await project(dir);
    const result = await run(dir, '--set', 'nodes.classify.with.models=[other]', '--set', 'defaults.seed=7', '--only', 'classify');
    assert.equal(result.code, 0, result.stderr);
    const last = lastRun(dir);
    assert.deepEqual(last.tasks, ['classify[model=other,variant=n]', 'prompts[variant=n]', 'terms']);
    assert.equal(last.manifest.seed, 7);
    assert.deepEqual(last.manifest.pipeline.overrides, ['nodes.classify.with.models=[other]', 'defaults.seed=7']);
    assert.equal(readFileSync(path.join(dir, 'p.yaml'), 'utf8'), PIPELINE);
    assert.equal(readFileSync(path.join(last.dir, 'pipeline.yaml'), 'utf8'), PIPELINE, 'the run folder keeps the file as given; the overrides are in the manifest');
  }));

test('a --set value is validated like the file, and its errors name the --set argument instead of a line', () =>
  withTempDir('selection', async (dir) => {
    await project(dir);
    const cases: [string[], string | RegExp][] = [
      [['--set', 'nodes.terms.with.limit=0'], '--set nodes.terms.with.limit=0  nodes.terms.with.limit: must be ≥ 1, got 0\n'],
      [['--set', 'nodes.classify.with.models=[gpt5]'], '--set nodes.classify.with.models=[gpt5]  nodes.classify.with.models[0]: unknown model "gpt5" (defined: base, other)\n'],
      [['--set', 'nodes.classify.with.modles=[base]'], /^--set nodes\.classify\.with\.modles=\[base\] {2}nodes\.classify\.with\.modles: unknown key "modles" \(allowed: models, .*\)\n$/],
      [['--set', 'defaults.seed'], '--set defaults.seed  expected path=value, e.g. nodes.classify.with.models=[gpt4o-mini] or defaults.seed=7\n'],
      [['--set', 'nodes..x=1'], '--set nodes..x=1  cannot read the path "nodes..x" at "..x": write keys with dots (nodes.classify.with.models), list items as [0], and keys with other characters as ["gpt-4.1"]\n'],
      [['--set', 'name.first=x'], '--set name.first=x  name is the value "selection", not a mapping: "first" cannot be set inside it\n'],
      [['--set', 'description=[unclosed'], '--set description=[unclosed  the value is not valid YAML: the [ opened here is never closed: add the missing ]\n'],
    ];
    for (const [args, expected] of cases) {
      for (const command of ['run', 'plan']) {
        const result = await runCli([command, 'p.yaml', ...(command === 'run' ? ['--runs-dir', 'runs'] : []), '--cache-dir', 'cache', ...args], { cwd: dir });
        assert.equal(result.code, 2, `${command} ${args.join(' ')}`);
        const stderr = result.stderr.replace(/^.*warning.*\n/gm, '');
        if (typeof expected === 'string') assert.equal(stderr, expected, `${command} ${args.join(' ')}`);
        else assert.match(stderr, expected, `${command} ${args.join(' ')}`);
      }
    }
    assert.equal(existsSync(path.join(dir, 'runs')), false, 'no run folder for a refused pipeline');
  }));

test('a key with dots or dashes is written in brackets; a list item by its index', () =>
  withTempDir('selection', async (dir) => {
    await project(dir);
    writeFileSync(path.join(dir, 'p.yaml'), PIPELINE.replace('  other: { provider: circumplex }', '  gpt-4.1: { provider: circumplex }').replace('models: [base] }\n  describe', 'models: [base, base] }\n  describe'));
    const result = await run(dir, '--set', 'nodes.classify.with.models[1]=gpt-4.1', '--set', 'models["gpt-4.1"].points={ happiness: [0.5, 0.5] }', '--only', 'classify');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(lastRun(dir).tasks.filter((t) => t.startsWith('classify')), ['classify[model=base,variant=n]', 'classify[model=gpt-4.1,variant=n]']);
  }));

test('--only, --limit and --set cannot be given with --resume (the resume applies the run\'s own), exit 2', () =>
  withTempDir('selection', async (dir) => {
    await project(dir);
    assert.equal((await run(dir, '--limit', '2')).code, 0);
    const refused = await runCli(['run', '--resume', 'latest', '--runs-dir', 'runs', '--cache-dir', 'cache', '--set', 'defaults.seed=1', '--limit', '2'], { cwd: dir });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^--limit, --set cannot be given with --resume: a resume runs what the run started with/);
  }));

test('every command offers only the options that mean something for it', async () => {
  const help = async (...command: string[]) => (await runCli([...command, '--help'], { cwd: process.cwd() })).stdout;
  const options = (text: string) => [...text.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]).filter((o) => o !== '--help').sort();
  assert.deepEqual(options(await help('plan')), ['--cache-dir', '--json', '--limit', '--no-cache', '--only', '--refresh', '--set']);
  assert.deepEqual(options(await help('run')), ['--cache-dir', '--concurrency', '--executor', '--grace-ms', '--json', '--limit', '--no-cache', '--only', '--refresh', '--resume', '--runs-dir', '--set']);
  assert.deepEqual(options(await help('worker')), ['--concurrency', '--lock-ms', '--redis', '--root']);
  assert.deepEqual(options(await help('workers')), ['--json', '--redis']);
  assert.deepEqual(options(await help('validate')), ['--json']);
  assert.deepEqual(options(await help('schema')), []);
  assert.deepEqual(options(await help('cache', 'stats')), ['--cache-dir', '--json']);
  assert.deepEqual(options(await help('cache', 'clear')), ['--cache-dir', '--dry-run', '--model', '--namespace', '--newer-than', '--node', '--older-than', '--yes']);
  assert.deepEqual(options(await help('cache', 'prune')), ['--cache-dir', '--older-than']);
  assert.deepEqual(options(await help('import', 'facechannel')), ['--flatten', '--output']);
  const refused = await runCli(['plan', 'p.yaml', '--concurrency', '4'], { cwd: process.cwd() });
  assert.equal(refused.code, 2, 'an option that means nothing for plan is refused');
  assert.match(refused.stderr, /unknown option '--concurrency'/);
});
