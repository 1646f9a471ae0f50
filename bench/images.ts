/**
 * Images per second for decode + detect + preprocess + FaceChannel inference, at batch 1 and 32.
 * Model: a FaceChannel-shaped ONNX with random weights (same shapes and cost as the real one).
 * Images: the six demo photos of @vladmandic/face-api (1920 px wide), cycled. Baseline: decode only.
 *   npx tsx bench/images.ts [images=64]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { convertFaceChannel } from '../src/facechannel/convert.js';
import { loadFaceApi } from '../src/facechannel/face-api.js';
import { decodeImage, expandBox, faceChannelInput } from '../src/facechannel/preprocess.js';
import { openFaceChannel } from '../src/facechannel/session.js';
import { packageRoot } from '../src/util/paths.js';
import { writeFaceChannelH5 } from '../test/facechannel/fixtures.js';

const count = Number(process.argv[2] ?? 64);
const demo = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo');
const files = Array.from({ length: count }, (_, i) => path.join(demo, `sample${(i % 6) + 1}.jpg`));

const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-bench-images-'));
try {
  await writeFaceChannelH5({ file: path.join(dir, 'fc.h5'), seed: 1 });
  await convertFaceChannel({ input: path.join(dir, 'fc.h5'), output: path.join(dir, 'fc.onnx') });
  const session = await openFaceChannel(path.join(dir, 'fc.onnx'));
  const faceApi = await loadFaceApi();
  const bytes = await Promise.all(files.map((f) => readFile(f)));
  await faceApi.detectFaces(await decodeImage(bytes[0])); // warm-up

  const time = async (fn: () => Promise<void>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return (performance.now() - t0) / 1000;
  };
  const decodeOnly = await time(async () => {
    for (const b of bytes) await decodeImage(b);
  });
  const pipeline = (batch: number, detect: boolean) => time(async () => {
    for (let s = 0; s < bytes.length; s += batch) {
      const inputs: Float32Array[] = [];
      for (const b of bytes.slice(s, s + batch)) {
        const image = await decodeImage(b);
        const [face] = detect ? await faceApi.detectFaces(image) : [];
        inputs.push(await faceChannelInput(image, face ? expandBox(face.box, image, 0.15) : null));
      }
      await session.run(inputs);
    }
  });
  const rows: [string, number][] = [
    ['decode only (baseline)', decodeOnly],
    ['decode + detect + preprocess + inference, batch 1', await pipeline(1, true)],
    ['decode + detect + preprocess + inference, batch 32', await pipeline(32, true)],
    ['decode + preprocess + inference (no detection), batch 1', await pipeline(1, false)],
    ['decode + preprocess + inference (no detection), batch 32', await pipeline(32, false)],
  ];
  console.log(`${count} images (1920×1280–1537 JPEG), node ${process.version}, ${os.cpus().length} cores`);
  for (const [name, seconds] of rows) console.log(`${name.padEnd(58)} ${(count / seconds).toFixed(2).padStart(7)} images/s  ×${(decodeOnly / seconds).toFixed(3)} of baseline`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
