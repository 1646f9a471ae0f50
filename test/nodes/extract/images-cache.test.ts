import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertFaceChannel } from '../../../src/facechannel/convert.js';
import { packageRoot } from '../../../src/util/paths.js';
import type { TaskStats } from '../../../src/types/task-stats.js';
import { runCli } from '../../helpers/cli.js';
import { writeFaceChannelH5 } from '../../facechannel/fixtures.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { listRunIds } from '../../../src/artifacts/run-folder.js';

/** The six demo photos shipped in @vladmandic/face-api 1.7.15 (MIT). */
const DEMO = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo');
const PHOTOS = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'];

/** The heavy runtimes of the image path; each is CommonJS, so a loaded one shows in require.cache. */
const RUNTIMES = ['onnxruntime-node', '@tensorflow/tfjs', '@vladmandic/face-api', 'sharp'] as const;

/** Preloaded into the CLI: writes which runtimes the process loaded to $VAFLOW_TEST_LOADED at exit. */
const PRELOAD = `
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const loaded = Object.keys(require.cache);
  const names = ${JSON.stringify(RUNTIMES)};
  writeFileSync(process.env.VAFLOW_TEST_LOADED, JSON.stringify(names.filter((name) => loaded.some((file) => file.includes('/node_modules/' + name + '/')))));
});
`;

const PIPELINE = `version: 1
name: faces-cache
nodes:
  faces:
    kind: extract
    with: { images: faces, labels: labels.csv, model: fc.onnx, vaSource: [model, annotation] }
`;

const TASKS = ['faces[vaSource=model]', 'faces[vaSource=annotation]'];

test('an image pipeline reruns and plans from the cache: no TF.js, face-api, ONNX session or decoder is loaded', async () => {
  await withTempDir('images-cache', async (dir) => {
    await mkdir(path.join(dir, 'faces'));
    for (const photo of PHOTOS) await copyFile(path.join(DEMO, photo), path.join(dir, 'faces', photo));
    await writeFile(path.join(dir, 'labels.csv'), ['file,label,annotated_valence,annotated_arousal', ...PHOTOS.map((p, i) => `${p},happiness,0.${i + 1},0.5`)].join('\n') + '\n');
    await writeFaceChannelH5({ file: path.join(dir, 'fc.h5'), seed: 5 });
    await convertFaceChannel({ input: path.join(dir, 'fc.h5'), output: path.join(dir, 'fc.onnx') });
    await writeFile(path.join(dir, 'pipeline.yaml'), PIPELINE);
    await writeFile(path.join(dir, 'preload.cjs'), PRELOAD);
    const loadedFile = path.join(dir, 'loaded.json');
    const runsDir = path.join(dir, 'runs');
    const env = { NODE_OPTIONS: `--require=${path.join(dir, 'preload.cjs')}`, VAFLOW_TEST_LOADED: loadedFile };
    const cli = async (command: 'run' | 'plan') => {
      // A plan writes no run folder: it has no --runs-dir.
      const result = await runCli([command, 'pipeline.yaml', ...(command === 'run' ? ['--runs-dir', runsDir] : []), '--cache-dir', path.join(dir, 'cache')], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      return { stdout: result.stdout, loaded: JSON.parse(await readFile(loadedFile, 'utf8')) as string[] };
    };
    const latest = async () => {
      const runDir = path.join(runsDir, listRunIds(runsDir).at(-1)!);
      const manifest = JSON.parse(await readFile(path.join(runDir, 'manifest.json'), 'utf8')) as { tasks: Record<string, TaskStats> };
      const records = await Promise.all(TASKS.map((task) => readFile(path.join(runDir, 'tasks', `${task}.jsonl`), 'utf8')));
      const sum = (field: 'cacheHits' | 'cacheMisses' | 'records') => TASKS.reduce((n, task) => n + manifest.tasks[task][field], 0);
      return { records, hits: sum('cacheHits'), misses: sum('cacheMisses'), written: sum('records') };
    };

    const coldPlan = await cli('plan');
    assert.deepEqual(coldPlan.loaded, [], 'a plan loads no image runtime');
    for (const task of TASKS) assert.match(coldPlan.stdout, new RegExp(`^${task.replace(/[[\]]/g, '\\$&')}\\s+source\\s+6\\s+0\\s+0\\s+6\\s+-$`, 'm'), coldPlan.stdout);

    const cold = await cli('run');
    assert.deepEqual([...cold.loaded].sort(), [...RUNTIMES].sort(), 'the first run does load them (so the check can see them)');
    const first = await latest();
    assert.deepEqual({ misses: first.misses, hits: first.hits, written: first.written }, { misses: 6, hits: 6, written: 12 }, 'the two VA-source tasks compute each image once');

    const warm = await cli('run');
    assert.deepEqual(warm.loaded, [], 'a rerun loads no image runtime');
    const second = await latest();
    assert.deepEqual({ misses: second.misses, hits: second.hits }, { misses: 0, hits: 12 });
    assert.deepEqual(second.records, first.records, 'the cached records are the computed ones, byte for byte');

    const warmPlan = await cli('plan');
    assert.deepEqual(warmPlan.loaded, []);
    for (const task of TASKS) assert.match(warmPlan.stdout, new RegExp(`^${task.replace(/[[\]]/g, '\\$&')}\\s+source\\s+6\\s+0\\s+6\\s+0\\s+-$`, 'm'), warmPlan.stdout);

    // A different model file is a different key, wherever it sits under the same name.
    await rm(path.join(dir, 'fc.onnx'));
    await writeFaceChannelH5({ file: path.join(dir, 'fc.h5'), seed: 6 });
    await convertFaceChannel({ input: path.join(dir, 'fc.h5'), output: path.join(dir, 'fc.onnx') });
    const newModel = await cli('plan');
    for (const task of TASKS) assert.match(newModel.stdout, new RegExp(`^${task.replace(/[[\]]/g, '\\$&')}\\s+source\\s+6\\s+0\\s+0\\s+6\\s+-$`, 'm'));
  });
});
