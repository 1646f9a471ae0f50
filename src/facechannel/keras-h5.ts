import { open } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

/** One stored weight tensor, in Keras layout. */
export interface KerasWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface KerasWeightFile {
  readonly file: string;
  /** Layer name → weight name without ':0' (kernel, bias, gamma, …) → tensor. */
  readonly layers: ReadonlyMap<string, ReadonlyMap<string, KerasWeight>>;
  /** The root `model_config` attribute (a full model save), parsed; null for a weights-only file. */
  readonly modelConfig: unknown;
  readonly kerasVersion: string | null;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** h5wasm prints HDF5's error stack for a non-HDF5 file, so the signature is checked first. */
async function assertHdf5(file: string): Promise<void> {
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      head = Buffer.alloc(8);
      await handle.read(head, 0, 8, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the Keras weights file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!head.equals(HDF5_SIGNATURE)) throw new ConfigError(`${file}: not an HDF5 file (no HDF5 signature at offset 0); expected a Keras .h5 model`);
}

type H5 = typeof import('h5wasm/node').default;
type H5Group = InstanceType<H5['Group']>;

let h5Ready: Promise<H5> | undefined;
/** h5wasm (wasm HDF5), loaded once; the node build reads host paths directly. */
export function loadH5wasm(): Promise<H5> {
  h5Ready ??= (async () => {
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    return h5wasm;
  })();
  return h5Ready;
}

function attributeText(group: H5Group, name: string): string | null {
  const attr = group.attrs[name];
  if (!attr) return null;
  const value = attr.value;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return null;
}

function collectWeights(h5: H5, group: H5Group, into: Map<string, KerasWeight>): void {
  for (const name of group.keys()) {
    const entity = group.get(name);
    if (entity instanceof h5.Group) collectWeights(h5, entity, into);
    else if (entity instanceof h5.Dataset) {
      const value = entity.value;
      const data = value instanceof Float32Array ? value : value instanceof Float64Array ? Float32Array.from(value) : null;
      if (!data) throw new ConfigError(`${entity.path}: expected a float dataset, got dtype ${JSON.stringify(entity.dtype)}`);
      into.set(name.replace(/:\d+$/, ''), { shape: entity.shape ?? [], data });
    }
  }
}

/**
 * Reads every layer's weights from a Keras HDF5 file: a full model save (`model_weights/<layer>/…`)
 * or a weights-only save (`<layer>/…` at the root). Weight datasets are found at any depth below the
 * layer group (`<layer>/<layer>/kernel:0` in Keras 2 and tf.keras).
 */
export async function readKerasH5(file: string): Promise<KerasWeightFile> {
  await assertHdf5(file);
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'r');
  try {
    const weightsRoot = f.get('model_weights');
    const root = weightsRoot instanceof h5.Group ? weightsRoot : f;
    const layers = new Map<string, Map<string, KerasWeight>>();
    for (const name of root.keys()) {
      const entity = root.get(name);
      if (!(entity instanceof h5.Group)) continue;
      const weights = new Map<string, KerasWeight>();
      collectWeights(h5, entity, weights);
      layers.set(name, weights);
    }
    const configText = attributeText(f, 'model_config');
    let modelConfig: unknown = null;
    if (configText) {
      try {
        modelConfig = JSON.parse(configText);
      } catch {
        throw new ConfigError(`${file}: the model_config attribute is not valid JSON`);
      }
    }
    return { file, layers, modelConfig, kerasVersion: attributeText(f, 'keras_version') ?? attributeText(root, 'keras_version') };
  } finally {
    f.close();
  }
}

/** Keras layer entries (`{ class_name, config: { name, … } }`) from a parsed model_config. */
export function configLayers(modelConfig: unknown): readonly { className: string; name: string; config: Record<string, unknown> }[] {
  if (!isRecord(modelConfig) || !isRecord(modelConfig.config) || !Array.isArray(modelConfig.config.layers)) return [];
  return modelConfig.config.layers.flatMap((layer: unknown) => {
    if (!isRecord(layer) || typeof layer.class_name !== 'string' || !isRecord(layer.config)) return [];
    return [{ className: layer.class_name, name: typeof layer.config.name === 'string' ? layer.config.name : '', config: layer.config }];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
