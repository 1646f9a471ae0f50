import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FACE_API_EXPRESSIONS, loadFaceApi, type DetectedFace, type FaceApiExpression } from '../../src/facechannel/face-api.js';
import { decodeImage, type DecodedImage } from '../../src/facechannel/preprocess.js';
import { packageRoot } from '../../src/util/paths.js';

/** A real photo with three faces: shipped in @vladmandic/face-api 1.7.15 (MIT), demo/sample3.jpg. */
const PHOTO = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo', 'sample3.jpg');

interface Observed {
  readonly backend: string;
  readonly faces: readonly DetectedFace[];
  readonly expressions: Readonly<Record<FaceApiExpression, number>> | null;
}

async function observe(image: DecodedImage): Promise<Observed> {
  const api = await loadFaceApi();
  const faces = await api.detectFaces(image);
  return { backend: api.backend, faces, expressions: faces[0] ? await api.expressions(image, faces[0].box) : null };
}

/** The same observation from the pure-JS CPU path, in a child process (TF.js keeps one backend per process). */
async function observeOnCpu(): Promise<Observed> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-face-api-'));
  try {
    const script = path.join(dir, 'cpu.mjs');
    await writeFile(script, [
      'const [faceApiUrl, preprocessUrl, photo] = process.argv.slice(2);',
      'const { loadFaceApi } = await import(faceApiUrl);',
      'const { decodeImage } = await import(preprocessUrl);',
      "const { readFile } = await import('node:fs/promises');",
      "const api = await loadFaceApi({ backend: 'cpu' });",
      'const image = await decodeImage(await readFile(photo));',
      'const faces = await api.detectFaces(image);',
      'const expressions = faces[0] ? await api.expressions(image, faces[0].box) : null;',
      'process.stdout.write(JSON.stringify({ backend: api.backend, faces, expressions }));',
    ].join('\n'));
    // Resolved beside this test: src/ under tsx, dist/src/ when compiled; execArgv carries tsx's loader.
    const urls = ['../../src/facechannel/face-api.js', '../../src/facechannel/preprocess.js'].map((p) => new URL(p, import.meta.url).href);
    const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, script, ...urls, PHOTO], { maxBuffer: 1 << 20 });
    const observed: Observed = JSON.parse(stdout);
    return observed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('faces on the WASM backend match the pure-JS CPU path on a real photo; one backend per process', async () => {
  const image = await decodeImage(await readFile(PHOTO));
  const [wasm, cpu] = await Promise.all([observe(image), observeOnCpu()]);
  assert.match(wasm.backend, /^wasm/, 'the installed @tensorflow/tfjs-backend-wasm should serve detection');
  assert.equal(cpu.backend, 'cpu');

  assert.ok(wasm.faces.length >= 1, 'the photo has faces');
  assert.equal(wasm.faces.length, cpu.faces.length);
  const areas = wasm.faces.map((f) => f.box.width * f.box.height);
  assert.deepEqual(areas, [...areas].sort((a, b) => b - a), 'largest first');
  wasm.faces.forEach((face, i) => {
    const other = cpu.faces[i];
    assert.ok(Math.abs(face.score - other.score) < 0.01, `face ${i} score ${face.score} vs ${other.score}`);
    for (const k of ['x', 'y', 'width', 'height'] as const) {
      assert.ok(Math.abs(face.box[k] - other.box[k]) < 2, `face ${i} box.${k} ${face.box[k]} vs ${other.box[k]}`);
    }
    assert.ok(face.box.x >= -1 && face.box.y >= -1 && face.box.x + face.box.width <= image.width + 1 && face.box.y + face.box.height <= image.height + 1);
  });

  assert.ok(wasm.expressions && cpu.expressions);
  const total = FACE_API_EXPRESSIONS.reduce((sum, e) => sum + (wasm.expressions?.[e] ?? 0), 0);
  assert.ok(Math.abs(total - 1) < 1e-3, `expression probabilities sum to ${total}`);
  for (const e of FACE_API_EXPRESSIONS) assert.ok(Math.abs(wasm.expressions[e] - cpu.expressions[e]) < 0.01, `${e}: ${wasm.expressions[e]} vs ${cpu.expressions[e]}`);

  await assert.rejects(loadFaceApi({ backend: 'cpu' }), /already loaded on the wasm(-simd)? backend/);
  assert.equal(await loadFaceApi({ backend: 'wasm' }), await loadFaceApi());
});
