import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

const TABLE = 'id,valence,arousal,label\na,0.1,0.2,happiness\nb,-0.5,0.3,anger\n';

/** A local kind whose top-level code leaves a marker file: proof that a pipeline naming it was loaded. */
function markerKind(marker: string): string {
  return `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'ran');
export default { name: 'marker', version: '1', mode: 'source', consumes: [], produces: 'va', paramsSchema: { type: 'object' },
  async *source() { yield { id: 'm', fields: { valence: 0, arousal: 0 } }; } };
`;
}

const PIPELINE = `version: 1
name: trust
models:
  base: { provider: circumplex }
nodes:
  terms: { kind: extract, with: { table: data/t.csv } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [base] } }
`;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function firstRun(dir: string): Promise<{ runDir: string; manifestFile: string }> {
  mkdirSync(path.join(dir, 'project', 'data'), { recursive: true });
  writeFileSync(path.join(dir, 'project', 'data', 't.csv'), TABLE);
  writeFileSync(path.join(dir, 'project', 'p.yaml'), PIPELINE);
  const first = await runCli(['run', 'project/p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  const id = listRunIds(path.join(dir, 'runs'))[0]!;
  const runDir = path.join(dir, 'runs', id);
  return { runDir, manifestFile: path.join(runDir, 'manifest.json') };
}

const resume = (dir: string, ...extra: string[]) => runCli(['run', '--resume', 'latest', ...extra, '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir });

test('run --resume runs the run folder\'s own copy of the pipeline: the original may be gone; relative paths resolve as before', async () => {
  await withTempDir('trust', async (dir) => {
    const { runDir } = await firstRun(dir);
    rmSync(path.join(dir, 'project', 'p.yaml'));
    const resumed = await resume(dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^completed: 3 done/m);
    assert.equal(readFileSync(path.join(runDir, 'pipeline.yaml'), 'utf8'), PIPELINE, 'the copy is byte for byte the file as given');
  });
});

test('run --resume never runs the file a manifest names; it refuses a copy that does not match the recorded digest', async () => {
  await withTempDir('trust', async (dir) => {
    const { runDir, manifestFile } = await firstRun(dir);
    const marker = path.join(dir, 'marker-ran');
    // A crafted manifest: it names another pipeline (with a kind that leaves a marker) and that file's digest.
    const evil = `version: 1\nname: evil\nnodes:\n  x: { kind: ./marker.mjs }\n`;
    writeFileSync(path.join(dir, 'marker.mjs'), markerKind(marker));
    writeFileSync(path.join(dir, 'evil.yaml'), evil);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { pipeline: { file: string; sha256: string } };
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, pipeline: { ...manifest.pipeline, file: path.join(dir, 'evil.yaml'), sha256: sha256(evil) } }));
    const refused = await resume(dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^cannot resume \S+: \S+pipeline\.yaml does not match the digest its manifest recorded \(edited or damaged\); start a new run\n$/);
    assert.equal(existsSync(marker), false, 'the pipeline the manifest names was never loaded');

    // Restore the manifest; now damage the copy instead.
    writeFileSync(manifestFile, JSON.stringify(manifest));
    writeFileSync(path.join(runDir, 'pipeline.yaml'), PIPELINE.replace('name: trust', 'name: trust2'));
    const damaged = await resume(dir);
    assert.equal(damaged.code, 2);
    assert.match(damaged.stderr, /does not match the digest its manifest recorded/);
  });
});

test('run --resume accepts an original whose comments or formatting changed, and names the keys of one whose values changed', async () => {
  await withTempDir('trust', async (dir) => {
    const { runDir } = await firstRun(dir);
    writeFileSync(path.join(dir, 'other.yaml'), PIPELINE.replace('name: trust', 'name: other'));
    const other = await resume(dir, 'other.yaml');
    assert.equal(other.code, 2);
    assert.match(other.stderr, /other\.yaml changed since the run started: name; start a new run to run the changes \(completed items still come from the cache\)\n$/);

    const edited = PIPELINE.replace('models: [base] }', 'models: [base, base2] }').replace('  base: { provider: circumplex }', '  base: { provider: circumplex }\n  base2: { provider: circumplex }')
      + 'defaults: { seed: 7 }\n';
    writeFileSync(path.join(dir, 'project', 'p.yaml'), edited);
    const changed = await resume(dir);
    assert.equal(changed.code, 2);
    assert.match(changed.stderr, /^cannot resume \S+: \S+project\/p\.yaml changed since the run started: models\.base2, nodes\.classify\.with\.models, defaults; start a new run/);

    writeFileSync(path.join(dir, 'project', 'p.yaml'), PIPELINE.replace('nodes:', 'nodes: {'));
    const broken = await resume(dir);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /project\/p\.yaml no longer parses \(line \d+: .+\); start a new run/);

    // Comments, blank lines, quoting and block instead of flow style: the same pipeline.
    const reformatted = `# the trust pipeline, reformatted\nversion: 1\nname: "trust"\n\nmodels:\n  base:\n    provider: circumplex   # the baseline\nnodes:\n  terms:\n    kind: extract\n    with:\n      table: 'data/t.csv'\n  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { n: { format: numeric } } } }\n  classify:\n    kind: classify\n    needs:\n      - prompts\n    with: { models: [base] }\n`;
    writeFileSync(path.join(dir, 'project', 'p.yaml'), reformatted);
    const resumed = await resume(dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^completed: 3 done/m);
    assert.equal(readFileSync(path.join(runDir, 'pipeline.yaml'), 'utf8'), PIPELINE, 'the run folder\'s copy is what ran, and it is untouched');
  });
});

test('a local kind runs its top-level code at validate (pipelines are code); an absolute kind path is a warning', async () => {
  await withTempDir('trust', async (dir) => {
    const marker = path.join(dir, 'marker-ran');
    writeFileSync(path.join(dir, 'marker.mjs'), markerKind(marker));
    writeFileSync(path.join(dir, 'p.yaml'), 'version: 1\nname: rel\nnodes:\n  x: { kind: ./marker.mjs }\n');
    const relative = await runCli(['validate', 'p.yaml'], { cwd: dir });
    assert.equal(relative.code, 0, relative.stderr);
    assert.equal(relative.stderr, '');
    assert.equal(existsSync(marker), true, 'validate imported the kind');
    writeFileSync(path.join(dir, 'p.yaml'), `version: 1\nname: abs\nnodes:\n  x: { kind: ${path.join(dir, 'marker.mjs')} }\n`);
    const absolute = await runCli(['validate', 'p.yaml'], { cwd: dir });
    assert.equal(absolute.code, 0, absolute.stderr);
    assert.equal(absolute.stderr, 'p.yaml:4:14  warning: nodes.x.kind: an absolute kind path ties the pipeline to this machine; write it relative to the pipeline file (./… or ../…) to silence this\n');
  });
});
