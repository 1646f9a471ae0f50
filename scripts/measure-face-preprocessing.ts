/**
 * How much FaceChannel's input and output move between preprocessing variants, on every face
 * face-api finds in its six demo photos (the figures in docs/faces.md):
 *   - previous: vaflow before issue 14 as it ran (15% margin, grey by rounded float weights, sharp's
 *     linear kernel, and the three-channel buffer sharp returned read as one channel)
 *   - resize:   the authors' crop, but sharp's resize (which low-pass filters when shrinking, read
 *               correctly) instead of cv2.resize INTER_LINEAR
 *   - margin:   the authors' grey and resize, but the 15% margin
 *   - box ±10%: the authors' pipeline on the detector box scaled by 0.9 / 1.1 about its centre (a
 *               stand-in for a different detector's box; OpenCV's res10 SSD is not available here)
 * each against vaflow's path now (the authors' crop, cv2's grey and resize: equal to OpenCV's output,
 * see test/facechannel/opencv-compat.test.ts). Input: mean absolute difference of the 64×64 input in
 * grey levels (independent of weights). Output: |Δ valence|, |Δ arousal| of FaceChannel-shaped networks
 * with random weights (seeds 1–3), beside the spread (SD) of their outputs across the faces. Random
 * weights say how a network of this shape reacts, not how the trained FaceChannel would.
 *   npx tsx scripts/measure-face-preprocessing.ts
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { convertFaceChannel } from '../src/facechannel/convert.js';
import { authorsRegion, type FaceBox } from '../src/facechannel/crops.js';
import { loadFaceApi } from '../src/facechannel/face-api.js';
import { decodeImage, faceChannelInput, loadSharp, type DecodedImage } from '../src/facechannel/preprocess.js';
import { openFaceChannel, type FaceChannelSession } from '../src/facechannel/session.js';
import { packageRoot } from '../src/util/paths.js';
import { writeFaceChannelH5 } from '../test/facechannel/fixtures.js';

const DEMO = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo');
const SEEDS = [1, 2, 3];

/** The previous implementation's margin box (expandBox, margin 0.15). */
function marginBox(box: FaceBox, image: DecodedImage, margin = 0.15) {
  const x0 = Math.max(0, Math.floor(box.x - box.width * margin));
  const y0 = Math.max(0, Math.floor(box.y - box.height * margin));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width * (1 + margin)));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height * (1 + margin)));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/**
 * The previous implementation's grey + resize: rounded float weights, then sharp's linear kernel.
 * sharp hands a one-channel raw image back as three channels; `asShipped` reads the buffer as the
 * previous code did (its first 4096 bytes: the top third of the face, each pixel three times),
 * otherwise one channel is taken, to measure the resize filter alone.
 */
async function sharpInput(image: DecodedImage, region: { x: number; y: number; width: number; height: number }, asShipped = false): Promise<Float32Array> {
  const gray = Buffer.alloc(region.width * region.height);
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const p = ((region.y + y) * image.width + region.x + x) * 3;
      gray[y * region.width + x] = Math.round(0.299 * image.rgb[p] + 0.587 * image.rgb[p + 1] + 0.114 * image.rgb[p + 2]);
    }
  }
  const sharp = await loadSharp();
  const { data, info } = await sharp(gray, { raw: { width: region.width, height: region.height, channels: 1 } }).resize(64, 64, { fit: 'fill', kernel: 'linear' }).raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < out.length; i++) out[i] = data[asShipped ? i : i * info.channels] / 255;
  return out;
}

function scaled(box: FaceBox, factor: number): FaceBox {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return { x: cx - (box.width * factor) / 2, y: cy - (box.height * factor) / 2, width: box.width * factor, height: box.height * factor };
}

const meanAbs = (a: Float32Array, b: Float32Array): number => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values: number[]): number => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));

async function main(): Promise<void> {
  const faceApi = await loadFaceApi();
  const variants: Record<string, Float32Array[]> = { now: [], previous: [], resize: [], margin: [], 'box ×0.9': [], 'box ×1.1': [] };
  for (let n = 1; n <= 6; n++) {
    const image = await decodeImage(await readFile(path.join(DEMO, `sample${n}.jpg`)));
    for (const face of await faceApi.detectFaces(image)) {
      const tight = authorsRegion(face.box, image)!;
      variants.now.push(faceChannelInput(image, tight));
      variants.previous.push(await sharpInput(image, marginBox(face.box, image), true));
      variants.resize.push(await sharpInput(image, tight));
      variants.margin.push(faceChannelInput(image, marginBox(face.box, image)));
      variants['box ×0.9'].push(faceChannelInput(image, authorsRegion(scaled(face.box, 0.9), image)!));
      variants['box ×1.1'].push(faceChannelInput(image, authorsRegion(scaled(face.box, 1.1), image)!));
    }
  }
  const faces = variants.now.length;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-measure-'));
  const sessions: FaceChannelSession[] = [];
  try {
    for (const seed of SEEDS) {
      await writeFaceChannelH5({ file: path.join(dir, `fc${seed}.h5`), seed });
      await convertFaceChannel({ input: path.join(dir, `fc${seed}.h5`), output: path.join(dir, `fc${seed}.onnx`) });
      sessions.push(await openFaceChannel(path.join(dir, `fc${seed}.onnx`)));
    }
    const outputs = new Map<string, { valence: number; arousal: number }[][]>();
    for (const [name, inputs] of Object.entries(variants)) outputs.set(name, await Promise.all(sessions.map((s) => s.run(inputs))));
    const now = outputs.get('now')!;
    console.log(`${faces} faces in the six demo photos; FaceChannel-shaped networks with random weights, seeds ${SEEDS.join(', ')}\n`);
    console.log('| variant vs now | input: mean abs. difference (grey levels) | valence: mean abs. Δ | arousal: mean abs. Δ | largest abs. Δ (V or A) |');
    console.log('|---|---|---|---|---|');
    for (const [name, inputs] of Object.entries(variants)) {
      if (name === 'now') continue;
      const grey = mean(inputs.map((input, i) => meanAbs(input, variants.now[i]))) * 255;
      const other = outputs.get(name)!;
      const dv = other.flatMap((run, s) => run.map((o, i) => Math.abs(o.valence - now[s][i].valence)));
      const da = other.flatMap((run, s) => run.map((o, i) => Math.abs(o.arousal - now[s][i].arousal)));
      console.log(`| ${name} | ${grey.toFixed(2)} | ${mean(dv).toFixed(4)} | ${mean(da).toFixed(4)} | ${Math.max(...dv, ...da).toFixed(4)} |`);
    }
    const spreadV = mean(now.map((run) => sd(run.map((o) => o.valence))));
    const spreadA = mean(now.map((run) => sd(run.map((o) => o.arousal))));
    console.log(`\nspread across faces (SD, mean over seeds): valence ${spreadV.toFixed(4)}, arousal ${spreadA.toFixed(4)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
