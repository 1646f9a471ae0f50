import { writeModel } from '../onnx/builder.js';
import { vaflowVersion } from '../util/paths.js';
import type { FlattenOrder } from './architecture.js';
import { readKerasH5 } from './keras-h5.js';
import { buildFaceChannelGraph } from './onnx-graph.js';
import { checkFaceChannelWeights } from './weights-check.js';

export interface ConvertOptions {
  /** The authors' Keras file (DimensionalFaceChannel.h5). */
  readonly input: string;
  /** Where the ONNX model goes (written atomically). */
  readonly output: string;
  /** Overrides the flatten order read from the file's model_config. */
  readonly flattenOrder?: FlattenOrder;
}

export interface ConversionReport {
  readonly output: string;
  readonly kerasVersion: string | null;
  /** How each inferred choice (BN order, decay, flatten order) was made. */
  readonly notes: readonly string[];
  readonly parameters: number;
}

/** Keras HDF5 → checked weights → ONNX graph → file. Throws ConfigError naming every mismatch. */
export async function convertFaceChannel(options: ConvertOptions): Promise<ConversionReport> {
  const source = await readKerasH5(options.input);
  const weights = checkFaceChannelWeights(source, { flattenOrder: options.flattenOrder });
  const graph = buildFaceChannelGraph(weights);
  await writeModel(options.output, graph, {
    opset: 18,
    producerName: 'vaflow import facechannel',
    producerVersion: vaflowVersion,
    metadata: {
      source: options.input,
      outputs: 'arousal,valence',
      flattenOrder: weights.flattenOrder,
      decay: weights.decay.kind === 'constant' ? String(weights.decay.value) : 'per-channel',
      kerasVersion: source.kerasVersion ?? '',
    },
  });
  const parameters = graph.initializers.reduce((n, t) => n + t.data.length, 0);
  return { output: options.output, kerasVersion: source.kerasVersion, notes: weights.notes, parameters };
}
