import { ConfigError } from '../errors.js';
import { BATCH_NORM_WEIGHTS, FACECHANNEL, batchNormConvs, convLayers, type DenseLayer, type FlattenOrder, type ShuntingDecay } from './architecture.js';
import { configLayers, type KerasWeight, type KerasWeightFile } from './keras-h5.js';

export interface DenseWeights {
  /** Keras layout (in, out). */
  readonly kernel: KerasWeight;
  readonly bias: KerasWeight;
}

export interface BatchNormWeights {
  /** The Keras layer name (batch_normalization_N). */
  readonly layer: string;
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly movingMean: Float32Array;
  readonly movingVariance: Float32Array;
}

/** A file's weights, checked against the architecture and keyed by its layer names. */
export interface FaceChannelWeights {
  readonly file: string;
  /** Conv layer name → kernel (kh, kw, in, out) and bias. */
  readonly convs: ReadonlyMap<string, DenseWeights>;
  /** Conv layer name → the BatchNormalization that follows it. */
  readonly batchNorms: ReadonlyMap<string, BatchNormWeights>;
  readonly dense: DenseWeights;
  /** Head layer name → weights. */
  readonly heads: ReadonlyMap<string, DenseWeights>;
  readonly decay: ShuntingDecay;
  readonly flattenOrder: FlattenOrder;
  /** How each inferred choice was made (for the import report). */
  readonly notes: readonly string[];
}

export interface CheckOptions {
  /** Overrides the flatten order read from model_config (needed for a weights-only file that used Keras ≥ 2.1.6 channels_first Flatten). */
  readonly flattenOrder?: FlattenOrder;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Numeric suffix of a Keras auto-name: batch_normalization → 0, batch_normalization_7 → 7. */
function autoNameIndex(name: string, base: string): number | null {
  if (name === base) return 0;
  const match = new RegExp(`^${base}_(\\d+)$`).exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Checks every expected layer's presence and every weight's shape, and collects all differences
 * into one ConfigError (a categorical model, missing layers, wrong shapes), so one run tells the
 * user everything that is wrong with the file.
 */
export function checkFaceChannelWeights(source: KerasWeightFile, options: CheckOptions = {}): FaceChannelWeights {
  const issues: string[] = [];
  const notes: string[] = [];
  const { layers } = source;

  const categorical = layers.get(FACECHANNEL.categoricalHead);
  if (categorical) {
    const kernel = categorical.get('kernel');
    issues.push(`this is the categorical FaceChannel (layer "${FACECHANNEL.categoricalHead}"${kernel ? `, kernel ${shapeText(kernel.shape)}` : ''}): vaflow needs the dimensional model (DimensionalFaceChannel.h5, heads arousal_output and valence_output)`);
  }

  const weight = (layer: string, name: string, expected: readonly number[]): KerasWeight | undefined => {
    const group = layers.get(layer);
    if (!group) return undefined;
    const found = group.get(name);
    if (!found) {
      issues.push(`layer "${layer}": weight "${name}" missing (has ${[...group.keys()].join(', ') || 'no weights'}), expected shape ${shapeText(expected)}`);
      return undefined;
    }
    if (!sameShape(found.shape, expected)) {
      issues.push(`layer "${layer}": ${name} has shape ${shapeText(found.shape)}, expected ${shapeText(expected)}`);
      return undefined;
    }
    return found;
  };
  const requireLayer = (layer: string, what: string): boolean => {
    if (layers.has(layer)) return true;
    issues.push(`missing layer "${layer}" (${what})`);
    return false;
  };
  const denseWeights = (layer: DenseLayer): DenseWeights | undefined => {
    if (!requireLayer(layer.name, `Dense ${layer.inputs} → ${layer.units}`)) return undefined;
    const kernel = weight(layer.name, 'kernel', [layer.inputs, layer.units]);
    const bias = weight(layer.name, 'bias', [layer.units]);
    return kernel && bias ? { kernel, bias } : undefined;
  };

  const k = FACECHANNEL.kernelSize;
  const convs = new Map<string, DenseWeights>();
  for (const conv of convLayers()) {
    if (!requireLayer(conv.name, `Conv2D ${k}×${k}, ${conv.inChannels} → ${conv.filters}`)) continue;
    const kernel = weight(conv.name, 'kernel', [k, k, conv.inChannels, conv.filters]);
    const bias = weight(conv.name, 'bias', [conv.filters]);
    if (kernel && bias) convs.set(conv.name, { kernel, bias });
  }

  const bnNames = [...layers.keys()]
    .map((name) => ({ name, index: autoNameIndex(name, 'batch_normalization') }))
    .filter((e): e is { name: string; index: number } => e.index !== null)
    .sort((a, b) => a.index - b.index)
    .map((e) => e.name);
  const bnConvs = batchNormConvs();
  const batchNorms = new Map<string, BatchNormWeights>();
  if (bnNames.length !== bnConvs.length) {
    issues.push(`expected ${bnConvs.length} BatchNormalization layers (batch_normalization_N, one after each of ${bnConvs.map((c) => c.name).join(', ')}), found ${bnNames.length}${bnNames.length ? `: ${bnNames.join(', ')}` : ''}`);
  } else {
    bnConvs.forEach((conv, i) => {
      const layer = bnNames[i];
      const [gamma, beta, movingMean, movingVariance] = BATCH_NORM_WEIGHTS.map((w) => weight(layer, w, [conv.filters]));
      if (gamma && beta && movingMean && movingVariance) {
        batchNorms.set(conv.name, { layer, gamma: gamma.data, beta: beta.data, movingMean: movingMean.data, movingVariance: movingVariance.data });
      }
    });
    notes.push(`BatchNormalization layers matched by build order: ${bnConvs.map((c, i) => `${c.name}→${bnNames[i]}`).join(', ')}`);
  }

  const dense = denseWeights(FACECHANNEL.dense);
  const heads = new Map<string, DenseWeights>();
  for (const head of FACECHANNEL.heads) {
    const w = denseWeights(head);
    if (w) heads.set(head.name, w);
  }

  const decay = findDecay(source, issues, notes);
  const flattenOrder = findFlattenOrder(source, options, issues, notes);

  if (issues.length > 0 || !dense) {
    throw new ConfigError(`${source.file}: does not match the dimensional FaceChannel:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
  return { file: source.file, convs, batchNorms, dense, heads, decay, flattenOrder, notes };
}

const EXPECTED_LAYERS = new Set<string>([...convLayers().map((c) => c.name), FACECHANNEL.dense.name, ...FACECHANNEL.heads.map((h) => h.name), FACECHANNEL.categoricalHead]);

/** A learned decay lives in a layer of its own (ShuntingInhibition: one (C,1,1) weight); the Lambda of the library code has none. */
function findDecay(source: KerasWeightFile, issues: string[], notes: string[]): ShuntingDecay {
  const channels = FACECHANNEL.shunting.excitatory.filters;
  for (const [layer, weights] of source.layers) {
    if (EXPECTED_LAYERS.has(layer) || autoNameIndex(layer, 'batch_normalization') !== null || weights.size === 0) continue;
    if (!/inhib|shunt|decay/i.test(layer)) continue;
    const [[name, w]] = [...weights];
    if (weights.size === 1 && w.data.length === channels && (w.shape.length === 1 || w.shape.slice(1).every((d) => d === 1))) {
      notes.push(`shunting decay: learned per channel, from layer "${layer}" weight "${name}" ${shapeText(w.shape)}`);
      return { kind: 'per-channel', values: w.data };
    }
    if (weights.size === 1 && w.data.length === 1) {
      notes.push(`shunting decay: learned scalar ${w.data[0]}, from layer "${layer}"`);
      return { kind: 'constant', value: w.data[0] };
    }
    issues.push(`layer "${layer}" looks like a shunting-inhibition decay but holds ${[...weights].map(([n, t]) => `${n} ${shapeText(t.shape)}`).join(', ')}; expected one weight of ${channels} values ((${channels}, 1, 1)) or a scalar`);
  }
  notes.push(`shunting decay: constant ${FACECHANNEL.shunting.defaultDecay} (no decay weight in the file; the library's Lambda layer)`);
  return { kind: 'constant', value: FACECHANNEL.shunting.defaultDecay };
}

function findFlattenOrder(source: KerasWeightFile, options: CheckOptions, issues: string[], notes: string[]): FlattenOrder {
  const config = configLayers(source.modelConfig);
  for (const pool of config.filter((l) => l.className === 'MaxPooling2D')) {
    if (pool.config.data_format === 'channels_last') issues.push(`layer "${pool.name}" (MaxPooling2D) has data_format channels_last in a channels-first model; this layout is not supported`);
  }
  if (options.flattenOrder) {
    notes.push(`flatten order: ${options.flattenOrder} (given explicitly)`);
    return options.flattenOrder;
  }
  const flatten = config.find((l) => l.className === 'Flatten');
  if (flatten && flatten.config.data_format === 'channels_first') {
    notes.push(`flatten order: spatial-major (model_config: layer "${flatten.name}" has data_format channels_first, which Keras flattens as H·W·C)`);
    return 'spatial-major';
  }
  notes.push(flatten
    ? `flatten order: channel-major (model_config: layer "${flatten.name}" has data_format ${JSON.stringify(flatten.config.data_format ?? null)})`
    : 'flatten order: channel-major (no model_config Flatten layer in the file; use --flatten spatial-major if the weights came from a Keras ≥ 2.1.6 channels_first Flatten)');
  return 'channel-major';
}
