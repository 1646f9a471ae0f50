import { BATCH_NORM_WEIGHTS, FACECHANNEL, batchNormConvs, convLayers } from '../../src/facechannel/architecture.js';
import { loadH5wasm } from '../../src/facechannel/keras-h5.js';
import { createRng } from '../../src/stats/prng.js';

/** Deterministic uniform numbers in [-1, 1). */
export function random(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next() * 2 - 1;
}

export interface FixtureOptions {
  readonly file: string;
  readonly seed?: number;
  /** Leave this layer out. */
  readonly omitLayer?: string;
  /** Store this weight with a wrong shape. */
  readonly wrongShape?: { readonly layer: string; readonly weight: string; readonly shape: readonly number[] };
  /** Write the categorical sibling instead (head categoricalOutput, 8 classes). */
  readonly categorical?: boolean;
  /** Add a learned per-channel decay layer (ShuntingInhibition, (256, 1, 1)). */
  readonly learnedDecay?: boolean;
  /** Write a model_config whose Flatten has this data_format. */
  readonly flattenDataFormat?: 'channels_first' | 'channels_last';
}

/** Writes a FaceChannel-shaped Keras HDF5 file with random weights, laid out as Keras saves a model. */
export async function writeFaceChannelH5(options: FixtureOptions): Promise<void> {
  const h5 = await loadH5wasm();
  const rnd = random(options.seed ?? 1);
  const f = new h5.File(options.file, 'w');
  const root = f.create_group('model_weights');
  const layerNames: string[] = [];
  const addLayer = (name: string, weights: Record<string, { shape: number[]; values: () => number }>): void => {
    if (name === options.omitLayer) return;
    layerNames.push(name);
    const inner = root.create_group(name).create_group(name);
    for (const [weight, spec] of Object.entries(weights)) {
      const shape = options.wrongShape?.layer === name && options.wrongShape.weight === weight ? [...options.wrongShape.shape] : spec.shape;
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = spec.values();
      inner.create_dataset({ name: `${weight}:0`, data, shape, dtype: '<f' });
    }
  };
  const k = FACECHANNEL.kernelSize;
  const bnConvs = new Set(batchNormConvs().map((c) => c.name));
  let bn = 0;
  for (const conv of convLayers()) {
    // He-like scale keeps activations O(1) through 11 convs.
    const scale = Math.sqrt(6 / (k * k * conv.inChannels));
    addLayer(conv.name, { kernel: { shape: [k, k, conv.inChannels, conv.filters], values: () => rnd() * scale }, bias: { shape: [conv.filters], values: () => rnd() * 0.1 } });
    if (bnConvs.has(conv.name)) {
      bn += 1;
      const gen = { gamma: () => 1 + rnd() * 0.2, beta: () => rnd() * 0.1, moving_mean: () => rnd() * 0.1, moving_variance: () => 1 + rnd() * 0.5 };
      addLayer(`batch_normalization_${bn}`, Object.fromEntries(BATCH_NORM_WEIGHTS.map((w) => [w, { shape: [conv.filters], values: gen[w] }])));
    }
  }
  if (options.learnedDecay) addLayer('inhibitoryLayer', { Variable: { shape: [256, 1, 1], values: () => 0.5 + rnd() * 0.3 } });
  const { dense } = FACECHANNEL;
  addLayer(dense.name, { kernel: { shape: [dense.inputs, dense.units], values: () => rnd() * Math.sqrt(3 / dense.inputs) }, bias: { shape: [dense.units], values: () => rnd() * 0.1 } });
  const heads = options.categorical ? [{ name: 'categoricalOutput', inputs: 200, units: 8 }] : FACECHANNEL.heads;
  // Small head weights keep the tanh outputs off ±1 whatever the seed, so the fidelity check compares informative values.
  for (const head of heads) {
    addLayer(head.name, { kernel: { shape: [head.inputs, head.units], values: () => rnd() * 0.25 * Math.sqrt(3 / head.inputs) }, bias: { shape: [head.units], values: () => rnd() * 0.1 } });
  }
  root.create_attribute('layer_names', layerNames);
  f.create_attribute('keras_version', '2.2.0');
  if (options.flattenDataFormat) {
    const config = { class_name: 'Model', config: { name: 'model_1', layers: [
      { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d_4', data_format: 'channels_first' } },
      { class_name: 'Flatten', config: { name: 'flatten_1', data_format: options.flattenDataFormat } },
    ] } };
    f.create_attribute('model_config', JSON.stringify(config));
  }
  f.close();
}
