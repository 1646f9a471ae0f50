import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TextDecoder, TextEncoder, types } from 'node:util';
import { packageRoot } from '../util/paths.js';
import { installedPackageDir } from '../util/package-dir.js';

/**
 * Loading @vladmandic/face-api 1.7.15 (MIT) with a TF.js backend. Two ways, fastest first:
 * - `wasm`: dist/face-api.node-wasm.js, which requires the installed @tensorflow/tfjs and
 *   @tensorflow/tfjs-backend-wasm 4.22. The .wasm binaries are read from that package's dist folder
 *   by file path (no network); TF.js picks the SIMD binary when the runtime supports SIMD. Threads
 *   are not used: the threaded binary needs Web Workers, which Node lacks.
 * - `cpu`: the same TF.js's pure-JS CPU backend (~10× slower) when the WASM backend does not start; or,
 *   when the Node build cannot load at all (packages missing), the ESM bundle with its own TF.js 4.22 on
 *   its CPU backend (the path used before the WASM packages were installed). Importing it in Node crashes while TF.js installs
 *   its Node platform (the bundled `util` is an empty shim), so `process.versions.node` is hidden during
 *   the import, a Node platform is installed afterwards, and face-api gets a canvas-less environment.
 * TF.js keeps one engine per process (a global), so whichever backend loads first serves the process.
 */

export type FaceApiModule = typeof import('@vladmandic/face-api');
export type FaceApiBackend = 'wasm-simd' | 'wasm' | 'cpu';

export interface FaceApiRuntime {
  readonly faceapi: FaceApiModule;
  readonly backend: FaceApiBackend;
}

export type BackendRequest = 'auto' | 'wasm' | 'cpu';

const WASM_DIR = path.join(installedPackageDir('@tensorflow/tfjs-backend-wasm') ?? path.join(packageRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'), 'dist');

/**
 * face-api on the requested backend. auto: WASM; when it does not start, `notice` is called and the
 * CPU backend serves instead: the same TF.js's, or the ESM bundle's when the Node build's packages
 * are not installed.
 */
export async function loadFaceApiRuntime(request: BackendRequest, notice: (message: string) => void): Promise<FaceApiRuntime> {
  if (request === 'cpu') return loadEsmCpuRuntime();
  const fallback = (reason: string): void => {
    if (request === 'wasm') throw new Error(reason);
    notice(`${reason}; face detection falls back to the pure-JS CPU backend, about 10× slower`);
  };
  // Checked before anything loads: after any TF.js has loaded, the ESM bundle's can no longer start.
  const missing = NODE_BUILD_PACKAGES.filter((id) => !resolves(id));
  if (missing.length > 0) {
    fallback(`the face-api Node build needs ${missing.join(' and ')}, not installed`);
    return loadEsmCpuRuntime();
  }
  const build = await importNodeBuild();
  let backend: FaceApiBackend;
  try {
    backend = await startWasm(build);
  } catch (error) {
    fallback(`the TF.js wasm backend did not start (${error instanceof Error ? error.message : String(error)})`);
    if (!(await build.tf.setBackend('cpu'))) throw new Error('neither the TF.js wasm nor its cpu backend started');
    await build.tf.ready();
    backend = 'cpu';
  }
  build.tf.env().set('PROD', true); // quiet for a TF.js copy loaded later (see importNodeBuild)
  return { faceapi: build.faceapi, backend };
}

const NODE_BUILD_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'] as const;

function resolves(id: string): boolean {
  try {
    createRequire(import.meta.url).resolve(id);
    return true;
  } catch {
    return false;
  }
}

interface NodeBuild {
  readonly faceapi: FaceApiModule;
  readonly tf: typeof import('@tensorflow/tfjs');
  readonly setWasmPaths: typeof import('@tensorflow/tfjs-backend-wasm').setWasmPaths;
}

async function importNodeBuild(): Promise<NodeBuild> {
  // Every TF.js copy in a process shares one engine and one flag set (a global), and the USE-lite
  // embedder bundles its own copy with the same kernels: whichever loads second re-registers ~150
  // kernels, and TF.js warns once per kernel unless PROD is set. PROD only silences warnings.
  const core = await import('@tensorflow/tfjs-core');
  const wasProd = core.env().getBool('PROD');
  core.env().set('PROD', true);
  try {
    const faceapi = await import('@vladmandic/face-api/dist/face-api.node-wasm.js');
    // The same module instances face-api required (one CommonJS cache), imported for their typings.
    const [tf, { setWasmPaths }] = await Promise.all([import('@tensorflow/tfjs'), import('@tensorflow/tfjs-backend-wasm')]);
    return { faceapi, tf, setWasmPaths };
  } finally {
    core.env().set('PROD', wasProd); // a failing backend should still explain itself
  }
}

/** The WASM backend from the local binaries (SIMD when supported); returns which one runs. */
async function startWasm({ tf, setWasmPaths }: NodeBuild): Promise<FaceApiBackend> {
  setWasmPaths(WASM_DIR + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error(`it did not initialise from ${WASM_DIR}; TF.js logged why above`);
  await tf.ready();
  return (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true ? 'wasm-simd' : 'wasm';
}

/** The part of the ESM bundle's TF.js used here; face-api's typings declare only a subset of tf. */
interface BundledTf {
  env(): { setPlatform(name: string, platform: object): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
}

function isBundledTf(tf: unknown): tf is BundledTf {
  if (typeof tf !== 'object' || tf === null) return false;
  return ['env', 'setBackend', 'ready'].every((k) => typeof Reflect.get(tf, k) === 'function');
}

async function importEsmBundle(): Promise<FaceApiModule> {
  const versions = Object.getOwnPropertyDescriptor(process, 'versions');
  if (!versions) throw new Error('process.versions is missing');
  Object.defineProperty(process, 'versions', { ...versions, value: { ...process.versions, node: undefined } });
  try {
    // The ESM bundle has no typings of its own: it exports the same API as the package entry.
    const mod: FaceApiModule = await import('@vladmandic/face-api/dist/face-api.esm.js' as string);
    return mod;
  } finally {
    Object.defineProperty(process, 'versions', versions);
  }
}

/** face-api on the pure-JS CPU backend of the TF.js bundled in its ESM build (the pre-WASM path). */
async function loadEsmCpuRuntime(): Promise<FaceApiRuntime> {
  const faceapi = await importEsmBundle();
  const tf: unknown = faceapi.tf;
  if (!isBundledTf(tf)) throw new Error('@vladmandic/face-api: its bundled TF.js lacks env/setBackend/ready');
  tf.env().setPlatform('node', {
    fetch: (url: string, init?: RequestInit) => fetch(url, init),
    now: () => performance.now(),
    encode: (text: string) => new TextEncoder().encode(text),
    decode: (bytes: Uint8Array, encoding: string) => new TextDecoder(encoding).decode(bytes),
    isTypedArray: (value: unknown): value is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray => types.isTypedArray(value),
    setTimeoutCustom: (fn: () => void, delay: number) => void setTimeout(fn, delay),
  });
  class NoCanvas {}
  const noCanvas = (): never => {
    throw new Error('vaflow passes tensors to face-api; no canvas is available');
  };
  faceapi.env.setEnv({
    Canvas: NoCanvas, CanvasRenderingContext2D: NoCanvas, Image: NoCanvas, ImageData: NoCanvas, Video: NoCanvas,
    createCanvasElement: noCanvas, createImageElement: noCanvas, fetch, readFile: (file: string) => readFile(file),
    // face-api types these as DOM classes; with tensor inputs it only tests `instanceof` against them.
  } as unknown as Parameters<typeof faceapi.env.setEnv>[0]);
  if (!(await tf.setBackend('cpu'))) throw new Error('@vladmandic/face-api: the TF.js cpu backend did not initialise');
  await tf.ready();
  return { faceapi, backend: 'cpu' };
}
