import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { shareVectorCache } from '../helpers/vector-cache.js';

// `npm pack` as a user's install gets it: the tarball unpacked outside the repository, its
// dependencies where npm would put them (a node_modules beside it; here the repository's, as the
// test runs offline), and the CLI run from another folder. Needs dist/ (npm test builds it first).

function npm(args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function node(bin: string, args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, VAFLOW_CACHE_DIR: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('npm prints no warning here, and hands ONNXRUNTIME_NODE_INSTALL=skip to the scripts it runs (an offline npm ci needs it)', () => {
  const result = npm(['pkg', 'get', 'name'], packageRoot);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), '"vaflow"');
  assert.equal(result.stderr, '', 'no warning');

  // The variable reaches a script npm starts even when the caller's environment lacks it, and the
  // caller's own NODE_OPTIONS survive beside it. Called as from a shell: under `npm test` the
  // environment already holds npm's expanded node-options, which would take precedence.
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', NODE_OPTIONS: '--max-old-space-size=1536' };
  delete env.ONNXRUNTIME_NODE_INSTALL;
  delete env.npm_config_node_options;
  const script = 'console.log(JSON.stringify([process.env.ONNXRUNTIME_NODE_INSTALL, Math.round(require("v8").getHeapStatistics().heap_size_limit / 2 ** 20)]))';
  const exec = spawnSync('npm', ['exec', '--', 'node', '-e', script], { cwd: packageRoot, encoding: 'utf8', env });
  assert.equal(exec.status, 0, exec.stderr);
  const [flag, heapMiB] = JSON.parse(exec.stdout.trim().split('\n').pop()!) as [string, number];
  assert.equal(flag, 'skip');
  assert.ok(heapMiB >= 1500 && heapMiB < 1700, `the caller's --max-old-space-size kept (${heapMiB} MiB)`);
  assert.equal(exec.stderr, '', 'no warning');
});

test('the packed tarball holds everything the CLI loads: from another folder, validate agrees with the repository and the quickstart runs', { timeout: 240_000 }, () =>
  withTempDir('package', async (dir) => {
    // Scripts are skipped: dist/ is built, and `prepare` (the build) would rewrite it under the running suite.
    const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], packageRoot);
    assert.equal(packed.status, 0, packed.stderr);
    assert.doesNotMatch(packed.stderr, /npm warn/i);
    const [{ filename, files }] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const listed = files.map((f) => f.path);
    assert.ok(listed.includes('bin/vaflow.js') && listed.includes('dist/src/cli/main.js'), 'the bin and what it imports');
    for (const validator of readdirSync(path.join(packageRoot, 'dist', 'validators'))) assert.ok(listed.includes(`dist/validators/${validator}`), validator);
    assert.ok(!listed.some((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('src/') || f.endsWith('.map')), 'no tests, sources or source maps');

    const unpacked = path.join(dir, 'unpacked');
    mkdirSync(unpacked);
    const tar = spawnSync('tar', ['-xzf', path.join(dir, filename), '-C', unpacked], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
    const installed = path.join(unpacked, 'package');
    symlinkSync(path.join(packageRoot, 'node_modules'), path.join(installed, 'node_modules'));
    const bin = path.join(installed, 'bin', 'vaflow.js');
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(elsewhere);

    const version = node(bin, ['--version'], elsewhere);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(node(bin, ['schema'], elsewhere).stdout, node(path.join(packageRoot, 'bin', 'vaflow.js'), ['schema'], elsewhere).stdout);

    // Every shipped pipeline validates the same from the package as from the repository (most
    // need files the user supplies: the same issues, at the same places, either way).
    const pipelines = readdirSync(path.join(installed, 'pipelines')).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(pipelines, readdirSync(path.join(packageRoot, 'pipelines')).filter((f) => f.endsWith('.yaml')).sort());
    for (const name of pipelines) {
      const fromPackage = node(bin, ['validate', path.join(installed, 'pipelines', name)], elsewhere);
      const fromRepository = node(path.join(packageRoot, 'bin', 'vaflow.js'), ['validate', path.join(packageRoot, 'pipelines', name)], elsewhere);
      const same = (text: string, root: string) => text.replaceAll(root, '<root>');
      assert.equal(fromPackage.status, fromRepository.status, name);
      assert.equal(same(fromPackage.stdout, installed), same(fromRepository.stdout, packageRoot), name);
      assert.equal(same(fromPackage.stderr, installed), same(fromRepository.stderr, packageRoot), name);
      assert.doesNotMatch(fromPackage.stderr, /internal error|\n\s+at /, name);
    }

    shareVectorCache(path.join(elsewhere, '.vaflow'));
    const quickstart = spawnSync(process.execPath, [bin, 'run', path.join(installed, 'pipelines', 'quickstart.yaml')], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, VAFLOW_CACHE_DIR: '', OPENAI_API_KEY: '', VAFLOW_OPENAI_BASE_URL: '' } });
    assert.equal(quickstart.status, 0, quickstart.stderr + quickstart.stdout);
    assert.match(quickstart.stdout, /^completed: 13 done, 0 failed/m);
    const runId = readdirSync(path.join(elsewhere, 'runs')).find((d) => d !== 'latest')!;
    assert.ok(existsSync(path.join(elsewhere, 'runs', runId, 'report.html')));
  
    // Installed into a project instead (npm hoists the dependencies beside vaflow, not inside it):
    // the manifest still finds every dependency's version.
    const project = path.join(dir, 'project');
    const modules = path.join(project, 'node_modules');
    mkdirSync(modules, { recursive: true });
    spawnSync('cp', ['-r', installed, path.join(modules, 'vaflow')]);
    rmSync(path.join(modules, 'vaflow', 'node_modules'));
    for (const entry of readdirSync(path.join(packageRoot, 'node_modules'))) {
      if (entry !== '.bin' && entry !== '.cache') symlinkSync(path.join(packageRoot, 'node_modules', entry), path.join(modules, entry));
    }
    writeFileSync(path.join(project, 't.csv'), 'id,valence,arousal,label\na,0.8,0.3,happiness\nb,-0.7,-0.4,sadness\n');
    writeFileSync(path.join(project, 'p.yaml'), 'version: 1\nname: hoisted\nmodels: { base: { provider: circumplex } }\nnodes:\n  t: { kind: extract, with: { table: t.csv } }\n  p: { kind: prompt-variant, needs: [t], with: { labels: basic7, variants: { n: { format: numeric } } } }\n  c: { kind: classify, needs: [p], with: { models: [base] } }\n');
    const hoisted = node(path.join(modules, 'vaflow', 'bin', 'vaflow.js'), ['run', 'p.yaml'], project);
    assert.equal(hoisted.status, 0, hoisted.stderr);
    const manifest = JSON.parse(readFileSync(path.join(project, 'runs', 'latest', 'manifest.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.deepEqual(Object.entries(manifest.dependencies).filter(([, version]) => version === 'not installed').map(([name]) => name).filter((name) => name !== 'node-llama-cpp'), []);
    assert.match(manifest.dependencies.commander, /^\d+\.\d+\.\d+$/);
  }));
