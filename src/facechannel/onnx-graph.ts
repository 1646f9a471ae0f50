import { GraphBuilder, attr, floatTensor, type GraphSpec } from '../onnx/builder.js';
import { FACECHANNEL, type ConvLayer } from './architecture.js';
import type { DenseWeights, FaceChannelWeights } from './weights-check.js';

/** Graph input: a batch of preprocessed faces, (N, 1, 64, 64), grayscale in [0, 1]. */
export const FACECHANNEL_INPUT = 'face';
/** Graph outputs, one per head, each (N, 1): named, so their order can never be mixed up. */
export const FACECHANNEL_OUTPUTS = { arousal: 'arousal', valence: 'valence' } as const;

/** Keras (kh, kw, in, out) → ONNX (out, in, kh, kw). */
export function kerasConvKernelToOnnx(shape: readonly number[], data: Float32Array): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = data[((y * kw + x) * cin + i) * cout + o];
  return out;
}

function addConv(g: GraphBuilder, input: string, layer: ConvLayer, weights: FaceChannelWeights): string {
  const w = weights.convs.get(layer.name);
  if (!w) throw new Error(`FaceChannel graph: conv "${layer.name}" has no checked weights`);
  const k = FACECHANNEL.kernelSize;
  const kernel = g.initializer(floatTensor(`${layer.name}/kernel`, [layer.filters, layer.inChannels, k, k], kerasConvKernelToOnnx(w.kernel.shape, w.kernel.data)));
  const bias = g.initializer(floatTensor(`${layer.name}/bias`, [layer.filters], w.bias.data));
  const pad = (k - 1) / 2;
  let out = g.op('Conv', [input, kernel, bias], {
    output: layer.name,
    attributes: { kernel_shape: attr.ints([k, k]), pads: attr.ints([pad, pad, pad, pad]), strides: attr.ints([1, 1]) },
  });
  const bn = weights.batchNorms.get(layer.name);
  if (layer.batchNorm) {
    if (!bn) throw new Error(`FaceChannel graph: conv "${layer.name}" has no BatchNormalization weights`);
    const c = [layer.filters];
    out = g.op('BatchNormalization', [
      out,
      g.initializer(floatTensor(`${bn.layer}/gamma`, c, bn.gamma)),
      g.initializer(floatTensor(`${bn.layer}/beta`, c, bn.beta)),
      g.initializer(floatTensor(`${bn.layer}/moving_mean`, c, bn.movingMean)),
      g.initializer(floatTensor(`${bn.layer}/moving_variance`, c, bn.movingVariance)),
    ], { output: bn.layer, attributes: { epsilon: attr.float(FACECHANNEL.batchNormEpsilon) } });
  }
  return g.op('Relu', [out], { output: `${layer.name}/relu` });
}

function addMaxPool(g: GraphBuilder, input: string): string {
  const p = FACECHANNEL.poolSize;
  return g.op('MaxPool', [input], { attributes: { kernel_shape: attr.ints([p, p]), strides: attr.ints([p, p]) } });
}

/** Dense with a Keras (in, out) kernel: Gemm without transB. */
function addDense(g: GraphBuilder, input: string, name: string, w: DenseWeights): string {
  const [inputs, units] = w.kernel.shape;
  const kernel = g.initializer(floatTensor(`${name}/kernel`, [inputs, units], w.kernel.data));
  const bias = g.initializer(floatTensor(`${name}/bias`, [units], w.bias.data));
  return g.op('Gemm', [input, kernel, bias], { output: name });
}

/** The dimensional FaceChannel as an ONNX graph (opset 18), built step by step from FACECHANNEL. */
export function buildFaceChannelGraph(weights: FaceChannelWeights): GraphSpec {
  const g = new GraphBuilder('DimensionalFaceChannel');
  const { input } = FACECHANNEL;
  let x = g.input(FACECHANNEL_INPUT, 'float', ['batch', input.channels, input.height, input.width]);
  for (const step of FACECHANNEL.backbone) x = step.op === 'conv' ? addConv(g, x, step.layer, weights) : addMaxPool(g, x);

  const excitatory = addConv(g, x, FACECHANNEL.shunting.excitatory, weights);
  const inhibitory = addConv(g, x, FACECHANNEL.shunting.inhibitory, weights);
  const channels = FACECHANNEL.shunting.excitatory.filters;
  const decay = weights.decay.kind === 'constant'
    ? floatTensor('shunting/decay', [], [weights.decay.value])
    : floatTensor('shunting/decay', [1, channels, 1, 1], weights.decay.values);
  const denominator = g.op('Add', [g.initializer(decay), inhibitory], { output: 'shunting/denominator' });
  x = g.op('Div', [excitatory, denominator], { output: 'shunting' });
  x = addMaxPool(g, x);

  // Keras' channels_first Flatten may transpose to (H, W, C) first: see FlattenOrder.
  if (weights.flattenOrder === 'spatial-major') x = g.op('Transpose', [x], { attributes: { perm: attr.ints([0, 2, 3, 1]) } });
  x = g.op('Flatten', [x], { output: 'flatten', attributes: { axis: attr.int(1) } });
  x = g.op('Relu', [addDense(g, x, FACECHANNEL.dense.name, weights.dense)], { output: `${FACECHANNEL.dense.name}/relu` });

  for (const head of FACECHANNEL.heads) {
    const w = weights.heads.get(head.name);
    if (!w) throw new Error(`FaceChannel graph: head "${head.name}" has no checked weights`);
    g.op('Tanh', [addDense(g, x, head.name, w)], { output: FACECHANNEL_OUTPUTS[head.output] });
    g.output(FACECHANNEL_OUTPUTS[head.output], 'float', ['batch', head.units]);
  }
  return g.build(`Dimensional FaceChannel converted from ${weights.file}; ${weights.notes.join('; ')}`);
}
