import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPipeline } from '../../../src/spec/index.js';
import { SpecError } from '../../../src/errors.js';
import { runPipeline } from '../../../src/run/run-pipeline.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { writeTinyBert } from './helpers/tiny-bert.js';

const WORDS = ['happy', 'sad'];

/** Three folders as tools write them: sentence-transformers (onnx/ + quantized), optimum-cli (top), and one with both. */
async function writeFolders(dir: string): Promise<void> {
  await writeTinyBert({ dir: path.join(dir, 'st'), words: WORDS, hidden: 4 });
  await writeTinyBert({ dir: path.join(dir, 'st'), words: WORDS, hidden: 4, seed: 2, modelFile: 'onnx/model_qint8_avx512.onnx' });
  await writeTinyBert({ dir: path.join(dir, 'optimum'), words: WORDS, hidden: 4, modelFile: 'model.onnx' });
  await writeTinyBert({ dir: path.join(dir, 'both'), words: WORDS, hidden: 4 });
  await writeTinyBert({ dir: path.join(dir, 'both'), words: WORDS, hidden: 4, modelFile: 'model.onnx' });
  await writeFile(path.join(dir, 'terms.csv'), 'id,valence,arousal\njoy,0.8,0.5\n');
}

const pipeline = (embedders: string) => `version: 1
name: onnx-folders
embedders:
${embedders}
nodes:
  terms: { kind: extract, with: { table: terms.csv } }
`;

test('validate accepts each layout and points at the entry (or its `file`) whose model file is missing or ambiguous', async () => {
  await withTempDir('onnx-folders', async (dir) => {
    await writeFolders(dir);
    const good = path.join(dir, 'good.yaml');
    await writeFile(good, pipeline('  st: { type: onnx, path: st }\n  quant: { type: onnx, path: st, file: model_qint8_avx512.onnx }\n  optimum: { type: onnx, path: optimum }\n  chosen: { type: onnx, path: both, file: onnx/model.onnx }'));
    await loadPipeline(good);

    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, pipeline('  both: { type: onnx, path: both }\n  typo: { type: onnx, path: st, file: model_qint8_avx2.onnx }'));
    const error = await loadPipeline(bad).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof SpecError, String(error));
    assert.deepEqual(error.issues.map((i) => [i.path, i.line, i.message]), [
      ['embedders.both.path', 4, 'both: the model folder holds both onnx/model.onnx and model.onnx: say which with `file:`'],
      ['embedders.typo.file', 5, 'st: the model folder lacks model_qint8_avx2.onnx (and onnx/model_qint8_avx2.onnx); the folder holds onnx/model.onnx, onnx/model_qint8_avx512.onnx'],
    ]);
  });
});

test('the run manifest says which model file each onnx embedder runs', async () => {
  await withTempDir('onnx-folders', async (dir) => {
    await writeFolders(dir);
    const file = path.join(dir, 'pipeline.yaml');
    await writeFile(file, pipeline('  st: { type: onnx, path: st }\n  quant: { type: onnx, path: st, file: model_qint8_avx512.onnx }\n  optimum: { type: onnx, path: optimum }\n  glove: { type: word-vectors }'));
    const result = await runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {} });
    const manifest = JSON.parse(await readFile(path.join(result.runDir, 'manifest.json'), 'utf8')) as { embedders: unknown };
    assert.deepEqual(manifest.embedders, {
      st: { type: 'onnx', path: 'st', modelFile: 'onnx/model.onnx' },
      quant: { type: 'onnx', path: 'st', modelFile: 'onnx/model_qint8_avx512.onnx' },
      optimum: { type: 'onnx', path: 'optimum', modelFile: 'model.onnx' },
      glove: { type: 'word-vectors' },
    });
  });
});
