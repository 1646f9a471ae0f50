/**
 * The dimensional FaceChannel (pablovin/FaceChannel, FaceChannelV1.buildFaceChannel +
 * getDimensionalModel) as data: the single source for the converter, the shape checker, the test
 * .h5 writer and the reference forward pass.
 *
 * Assumptions, each checked against the authors' code (src/FaceChannel/FaceChannelV1/FaceChannelV1.py):
 * - nch = 256; filters: conv1–2 nch/4 = 64, conv3–7 nch/2 = 128, conv8–9 and conv10(+_inhibition) nch = 256.
 * - Every conv is 3×3, stride 1, padding "same" (symmetric 1 for an odd kernel at stride 1).
 * - Vision_conv1 … Vision_conv8 and conv9 are each followed by BatchNormalization(axis=1) and ReLU;
 *   conv10 and conv10_inhibition have activation="relu" built in and no BatchNormalization.
 * - MaxPooling2D(2×2, stride 2, "valid") after conv2, conv4, conv7 and after the shunting layer:
 *   64 → 32 → 16 → 8 → 4, so the flatten is 256 × 4 × 4 = 4096.
 * - Shunting inhibition: conv10 / (decay + conv10_inhibition), decay 0.5 (a Lambda, no weights) unless
 *   the file holds a learned decay (the ShuntingInhibition layer of the AffWild2 variant: (C,1,1)).
 * - Dropout layers are identity at inference and hold no weights.
 * - The nine BatchNormalization layers are unnamed in the code; Keras numbers them in build order
 *   (batch_normalization_1 … _9 in Keras 2.2; tf.keras starts at plain `batch_normalization`; the
 *   numbers run on if other models were built first), so they are matched by their order, not by name.
 * - Keras stores Conv2D kernels (kh, kw, in, out) and Dense kernels (in, out) whatever the data format.
 * - Heads: arousal_output and valence_output, Dense(1, tanh); the Keras model's outputs are
 *   [arousal, valence] (DIM_CLASS_ORDER = ["Arousal", "Valence"]).
 */

export interface ConvLayer {
  readonly name: string;
  readonly inChannels: number;
  readonly filters: number;
  /** Followed by BatchNormalization + ReLU (else ReLU is the conv's own activation). */
  readonly batchNorm: boolean;
}

export type BackboneStep = { readonly op: 'conv'; readonly layer: ConvLayer } | { readonly op: 'maxpool' };

export interface DenseLayer {
  readonly name: string;
  readonly inputs: number;
  readonly units: number;
}

const conv = (name: string, inChannels: number, filters: number): BackboneStep => ({ op: 'conv', layer: { name, inChannels, filters, batchNorm: true } });
const maxpool: BackboneStep = { op: 'maxpool' };

export const FACECHANNEL = {
  input: { name: 'Vision_Network_Input', channels: 1, height: 64, width: 64 },
  kernelSize: 3,
  poolSize: 2,
  /** Keras BatchNormalization default epsilon. */
  batchNormEpsilon: 1e-3,
  /** Conv + BN + ReLU blocks and pools before the shunting layer, in build order. */
  backbone: [
    conv('Vision_conv1', 1, 64), conv('Vision_conv2', 64, 64), maxpool,
    conv('Vision_conv3', 64, 128), conv('Vision_conv4', 128, 128), maxpool,
    conv('Vision_conv5', 128, 128), conv('Vision_conv6', 128, 128), conv('Vision_conv7', 128, 128), maxpool,
    conv('Vision_conv8', 128, 256), conv('conv9', 256, 256),
  ] as readonly BackboneStep[],
  shunting: {
    excitatory: { name: 'conv10', inChannels: 256, filters: 256, batchNorm: false } as ConvLayer,
    inhibitory: { name: 'conv10_inhibition', inChannels: 256, filters: 256, batchNorm: false } as ConvLayer,
    defaultDecay: 0.5,
  },
  /** After the shunting layer: one more max-pool, then flatten (C × H × W). */
  flatten: { channels: 256, height: 4, width: 4, size: 4096 },
  dense: { name: 'denseLayer', inputs: 4096, units: 200 } as DenseLayer,
  /** In the Keras model's output order: [arousal, valence]. */
  heads: [
    { name: 'arousal_output', inputs: 200, units: 1, output: 'arousal' },
    { name: 'valence_output', inputs: 200, units: 1, output: 'valence' },
  ] as readonly (DenseLayer & { readonly output: 'arousal' | 'valence' })[],
  /** Head of the categorical sibling model (8 classes); its presence means the wrong file was given. */
  categoricalHead: 'categoricalOutput',
  batchNormLayerCount: 9,
} as const;

/** Keras BatchNormalization weight names, in the order they are stored. */
export const BATCH_NORM_WEIGHTS = ['gamma', 'beta', 'moving_mean', 'moving_variance'] as const;

/** Every conv layer, in build order (backbone convs, then conv10 and conv10_inhibition). */
export function convLayers(): readonly ConvLayer[] {
  const backbone = FACECHANNEL.backbone.flatMap((s) => (s.op === 'conv' ? [s.layer] : []));
  return [...backbone, FACECHANNEL.shunting.excitatory, FACECHANNEL.shunting.inhibitory];
}

/** Conv layers followed by BatchNormalization, in build order: the i-th gets the i-th BN layer. */
export function batchNormConvs(): readonly ConvLayer[] {
  return convLayers().filter((l) => l.batchNorm);
}

/**
 * How Keras flattened the (C, 4, 4) map. `channel-major` = C·H·W order (ONNX Flatten on NCHW).
 * `spatial-major` = H·W·C order: tf.keras / Keras ≥ 2.1.6 `Flatten(data_format="channels_first")`
 * transposes to channels-last before flattening, to keep Dense weights portable between formats.
 */
export type FlattenOrder = 'channel-major' | 'spatial-major';

/** The decay of the shunting layer: a constant, or one learned value per channel. */
export type ShuntingDecay = { readonly kind: 'constant'; readonly value: number } | { readonly kind: 'per-channel'; readonly values: Float32Array };
