/**
 * Images per second for decode + detect + preprocess + FaceChannel inference, at batch 1 and 32, with
 * face-api on the TF.js WASM backend; and detection, expressions and the batch-1 pipeline on the same
 * `cpuImages` photos with the old pure-JS CPU path (measured in a child process: TF.js keeps one backend
 * per process), as ratios WASM ÷ CPU. Baseline of the throughput table: decode only.
 * Model: a FaceChannel-shaped ONNX with random weights (same shapes and cost as the real one).
 * Images: the six demo photos of @vladmandic/face-api (1920 px wide), cycled.
 *   npx tsx bench/images.ts [images=64] [cpuImages=12]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { convertFaceChannel } from '../src/facechannel/convert.js';
import { loadFaceApi, type FaceApi } from '../src/facechannel/face-api.js';
import { decodeImage, faceChannelInput, type DecodedImage, type FaceBox } from '../src/facechannel/preprocess.js';
import { authorsRegion } from '../src/facechannel/crops.js';
import { openFaceChannel, type FaceChannelSession } from '../src/facechannel/session.js';
import { packageRoot } from '../src/util/paths.js';
import { writeFaceChannelH5 } from '../test/facechannel/fixtures.js';

const CHILD_FLAG = '--cpu-child';
const childMode = process.argv[2] === CHILD_FLAG;
const count = childMode ? 0 : Number(process.argv[2] ?? 64);
const cpuCount = Number(process.argv[3] ?? 12);
const demo = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo');
const photos = (n: number): string[] => Array.from({ length: n }, (_, i) => path.join(demo, `sample${(i % 6) + 1}.jpg`));

const time = async (fn: () => Promise<void>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};

/** Seconds for detection, expressions (largest face) and the batch-1 pipeline over `bytes`. */
interface BackendTimes {
  readonly backend: string;
  readonly detect: number;
  readonly expressions: number;
  readonly pipeline: number;
}

function pipeline(options: { faceApi: FaceApi; session: FaceChannelSession; bytes: readonly Buffer[]; batch: number; detect: boolean }): Promise<number> {
  const { faceApi, session, bytes, batch, detect } = options;
  return time(async () => {
    for (let s = 0; s < bytes.length; s += batch) {
      const inputs: Float32Array[] = [];
      for (const b of bytes.slice(s, s + batch)) {
        const image = await decodeImage(b);
        const [face] = detect ? await faceApi.detectFaces(image) : [];
        inputs.push(faceChannelInput(image, face ? authorsRegion(face.box, image) : null));
      }
      await session.run(inputs);
    }
  });
}

async function backendTimes(faceApi: FaceApi, session: FaceChannelSession, bytes: readonly Buffer[]): Promise<BackendTimes> {
  const images: DecodedImage[] = await Promise.all(bytes.map((b) => decodeImage(b)));
  await faceApi.detectFaces(images[0]); // warm-up
  const boxes: (FaceBox | null)[] = [];
  const detect = await time(async () => {
    for (const image of images) boxes.push((await faceApi.detectFaces(image))[0]?.box ?? null);
  });
  const expressions = await time(async () => {
    for (const [i, image] of images.entries()) {
      const box = boxes[i];
      await faceApi.expressions(image, box);
    }
  });
  return { backend: faceApi.backend, detect, expressions, pipeline: await pipeline({ faceApi, session, bytes, batch: 1, detect: true }) };
}

async function withSession<T>(fn: (session: FaceChannelSession) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-bench-images-'));
  try {
    await writeFaceChannelH5({ file: path.join(dir, 'fc.h5'), seed: 1 });
    await convertFaceChannel({ input: path.join(dir, 'fc.h5'), output: path.join(dir, 'fc.onnx') });
    return await fn(await openFaceChannel(path.join(dir, 'fc.onnx')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function cpuTimesInChild(): Promise<BackendTimes> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG, String(cpuCount)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  const times: BackendTimes = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  return times;
}

if (childMode) {
  const times = await withSession(async (session) => {
    const bytes = await Promise.all(photos(cpuCount).map((f) => readFile(f)));
    return backendTimes(await loadFaceApi({ backend: 'cpu' }), session, bytes);
  });
  process.stdout.write(`${JSON.stringify(times)}\n`);
} else {
  const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadBefore = load();
  const cpu = await cpuTimesInChild();
  await withSession(async (session) => {
    const faceApi = await loadFaceApi({ backend: 'wasm' });
    const bytes = await Promise.all(photos(count).map((f) => readFile(f)));
    const wasm = await backendTimes(faceApi, session, bytes.slice(0, cpuCount));
    const decodeOnly = await time(async () => {
      for (const b of bytes) await decodeImage(b);
    });
    const rows: [string, number][] = [
      ['decode only (baseline)', decodeOnly],
      ['decode + detect + preprocess + inference, batch 1', await pipeline({ faceApi, session, bytes, batch: 1, detect: true })],
      ['decode + detect + preprocess + inference, batch 32', await pipeline({ faceApi, session, bytes, batch: 32, detect: true })],
      ['decode + preprocess + inference (no detection), batch 1', await pipeline({ faceApi, session, bytes, batch: 1, detect: false })],
      ['decode + preprocess + inference (no detection), batch 32', await pipeline({ faceApi, session, bytes, batch: 32, detect: false })],
    ];
    console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${loadBefore} before, ${load()} after`);
    console.log(`\n${cpuCount} images, old path (${cpu.backend}, child process) vs ${wasm.backend}:`);
    for (const k of ['detect', 'expressions', 'pipeline'] as const) {
      const name = { detect: 'detect only', expressions: 'expressions of the largest face', pipeline: 'decode + detect + preprocess + inference, batch 1' }[k];
      console.log(`${name.padEnd(52)} cpu ${(cpuCount / cpu[k]).toFixed(2).padStart(6)} images/s  wasm ${(cpuCount / wasm[k]).toFixed(2).padStart(6)} images/s  ×${(cpu[k] / wasm[k]).toFixed(1)}`);
    }
    console.log(`\n${count} images (1920×1280–1537 JPEG), face-api on ${wasm.backend}:`);
    for (const [name, seconds] of rows) console.log(`${name.padEnd(58)} ${(count / seconds).toFixed(2).padStart(7)} images/s  ×${(decodeOnly / seconds).toFixed(3)} of baseline`);
  });
}
