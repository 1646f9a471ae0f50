import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { convertFaceChannel } from '../../src/facechannel/convert.js';
import { readKerasH5 } from '../../src/facechannel/keras-h5.js';
import { decodeImage, faceChannelInput, loadSharp } from '../../src/facechannel/preprocess.js';
import { referenceForward } from '../../src/facechannel/reference-forward.js';
import { checkFaceChannelWeights } from '../../src/facechannel/weights-check.js';
import { FACECHANNEL_INPUT, FACECHANNEL_OUTPUTS } from '../../src/facechannel/onnx-graph.js';
import { ConfigError } from '../../src/errors.js';
import { writeFaceChannelH5 } from './fixtures.js';
import { withTempDir } from '../helpers/temp-dir.js';

/** Three test images rendered with sharp: a drawn face, a gradient, noise-like stripes. */
async function renderFaces(): Promise<Float32Array[]> {
  const sharp = await loadSharp();
  const svgs = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="140"><rect width="120" height="140" fill="#7a9"/><ellipse cx="60" cy="70" rx="45" ry="58" fill="#e8b894"/><circle cx="42" cy="58" r="7" fill="#222"/><circle cx="78" cy="58" r="7" fill="#222"/><path d="M35 98 Q60 120 85 98" stroke="#912" stroke-width="5" fill="none"/></svg>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="90" height="70"><defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs><rect width="90" height="70" fill="url(#g)"/></svg>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">${Array.from({ length: 16 }, (_, i) => `<rect x="${i * 4}" width="4" height="64" fill="${i % 3 ? '#fff' : '#333'}"/>`).join('')}</svg>`,
  ];
  const faces: Float32Array[] = [];
  for (const svg of svgs) faces.push(await faceChannelInput(await decodeImage(await sharp(Buffer.from(svg)).png().toBuffer()), null));
  return faces;
}

async function assertFidelity(h5: string, onnx: string, expectNotes: RegExp): Promise<void> {
  const report = await convertFaceChannel({ input: h5, output: onnx });
  assert.match(report.notes.join('\n'), expectNotes);
  const weights = checkFaceChannelWeights(await readKerasH5(h5));
  const faces = await renderFaces();
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(onnx);
  const batch = new Float32Array(faces.length * 64 * 64);
  faces.forEach((f, i) => batch.set(f, i * 64 * 64));
  const out = await session.run({ [FACECHANNEL_INPUT]: new ort.Tensor('float32', batch, [faces.length, 1, 64, 64]) });
  const arousal = out[FACECHANNEL_OUTPUTS.arousal].data as Float32Array;
  const valence = out[FACECHANNEL_OUTPUTS.valence].data as Float32Array;
  let maxDiff = 0;
  const seen: number[] = [];
  faces.forEach((face, i) => {
    const ref = referenceForward(weights, face);
    maxDiff = Math.max(maxDiff, Math.abs(ref.arousal - arousal[i]), Math.abs(ref.valence - valence[i]));
    seen.push(ref.arousal, ref.valence);
  });
  assert.ok(maxDiff <= 1e-4, `max abs difference ${maxDiff} > 1e-4`);
  // The comparison means something only if the heads are not saturated and differ per image.
  assert.ok(seen.some((v) => Math.abs(v) < 0.99), `all outputs saturated: ${seen.join(', ')}`);
  assert.ok(new Set(seen.map((v) => v.toFixed(4))).size > 2, `outputs do not vary: ${seen.join(', ')}`);
}

test('converted ONNX matches an independent forward pass (constant decay, channel-major flatten)', async () => {
  await withTempDir('facechannel', async (dir) => {
    const h5 = path.join(dir, 'DimensionalFaceChannel.h5');
    await writeFaceChannelH5({ file: h5, seed: 7 });
    await assertFidelity(h5, path.join(dir, 'fc.onnx'), /decay: constant 0\.5[\s\S]*flatten order: channel-major/);
  });
});

test('converted ONNX matches with a learned per-channel decay and a channels_first Flatten (H·W·C order)', async () => {
  await withTempDir('facechannel', async (dir) => {
    const h5 = path.join(dir, 'fc-affwild.h5');
    await writeFaceChannelH5({ file: h5, seed: 11, learnedDecay: true, flattenDataFormat: 'channels_first' });
    await assertFidelity(h5, path.join(dir, 'fc.onnx'), /learned per channel, from layer "inhibitoryLayer"[\s\S]*flatten order: spatial-major/);
  });
});

test('malformed files are refused with a ConfigError naming the layer and shapes', async () => {
  await withTempDir('facechannel', async (dir) => {
    const cases: { name: string; options: Parameters<typeof writeFaceChannelH5>[0]; message: RegExp }[] = [
      { name: 'missing', options: { file: path.join(dir, 'missing.h5'), omitLayer: 'conv9' }, message: /missing layer "conv9" \(Conv2D 3×3, 256 → 256\)/ },
      { name: 'shape', options: { file: path.join(dir, 'shape.h5'), wrongShape: { layer: 'Vision_conv3', weight: 'kernel', shape: [3, 3, 64, 100] } }, message: /layer "Vision_conv3": kernel has shape \[3, 3, 64, 100\], expected \[3, 3, 64, 128\]/ },
      { name: 'categorical', options: { file: path.join(dir, 'cat.h5'), categorical: true }, message: /categorical FaceChannel \(layer "categoricalOutput", kernel \[200, 8\]\)[\s\S]*missing layer "arousal_output"/ },
      { name: 'bn', options: { file: path.join(dir, 'bn.h5'), omitLayer: 'batch_normalization_4' }, message: /expected 9 BatchNormalization layers .* found 8/ },
    ];
    for (const c of cases) {
      await writeFaceChannelH5(c.options);
      await assert.rejects(convertFaceChannel({ input: c.options.file, output: path.join(dir, `${c.name}.onnx`) }), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `${c.name}: expected ConfigError, got ${String(error)}`);
        assert.match(error.message, c.message);
        assert.ok(error.message.includes(c.options.file));
        return true;
      });
    }
    const notHdf5 = path.join(dir, 'weights.h5');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(notHdf5, 'this is not HDF5');
    await assert.rejects(convertFaceChannel({ input: notHdf5, output: path.join(dir, 'x.onnx') }), /not an HDF5 file/);
  });
});
