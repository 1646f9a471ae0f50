import { FACECHANNEL, type ConvLayer } from './architecture.js';
import type { DenseWeights, FaceChannelWeights } from './weights-check.js';

/**
 * An independent forward pass of the dimensional FaceChannel in plain loops, reading the weights in
 * their Keras layout (kernels (kh, kw, in, out), Dense (in, out)): the yardstick the converted ONNX
 * model is tested against. Float64 accumulation; slow (~0.6 G multiply-adds per face), for tests only.
 */

interface FeatureMap {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  /** Channels-first: index (c·h + y)·w + x. */
  readonly data: Float64Array;
}

function conv3x3Same(input: FeatureMap, layer: ConvLayer, w: DenseWeights): FeatureMap {
  const { h, w: width } = input;
  const k = FACECHANNEL.kernelSize;
  const pad = (k - 1) / 2;
  const cout = layer.filters;
  const cin = layer.inChannels;
  const kernel = w.kernel.data;
  const out = new Float64Array(cout * h * width);
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < width; x++) {
        let sum = w.bias.data[o];
        for (let ky = 0; ky < k; ky++) {
          const iy = y + ky - pad;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = x + kx - pad;
            if (ix < 0 || ix >= width) continue;
            for (let i = 0; i < cin; i++) sum += input.data[(i * h + iy) * width + ix] * kernel[((ky * k + kx) * cin + i) * cout + o];
          }
        }
        out[(o * h + y) * width + x] = sum;
      }
    }
  }
  return { c: cout, h, w: width, data: out };
}

function batchNormInPlace(map: FeatureMap, weights: FaceChannelWeights, layer: string): void {
  const bn = weights.batchNorms.get(layer);
  if (!bn) throw new Error(`reference forward: no BatchNormalization after ${layer}`);
  const plane = map.h * map.w;
  for (let c = 0; c < map.c; c++) {
    const scale = bn.gamma[c] / Math.sqrt(bn.movingVariance[c] + FACECHANNEL.batchNormEpsilon);
    for (let i = 0; i < plane; i++) map.data[c * plane + i] = (map.data[c * plane + i] - bn.movingMean[c]) * scale + bn.beta[c];
  }
}

function reluInPlace(values: Float64Array): void {
  for (let i = 0; i < values.length; i++) if (values[i] < 0) values[i] = 0;
}

function maxPool2(map: FeatureMap): FeatureMap {
  const h = Math.floor(map.h / 2);
  const w = Math.floor(map.w / 2);
  const out = new Float64Array(map.c * h * w);
  for (let c = 0; c < map.c; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const at = (yy: number, xx: number): number => map.data[(c * map.h + yy) * map.w + xx];
        out[(c * h + y) * w + x] = Math.max(at(2 * y, 2 * x), at(2 * y, 2 * x + 1), at(2 * y + 1, 2 * x), at(2 * y + 1, 2 * x + 1));
      }
  return { c: map.c, h, w, data: out };
}

function dense(input: Float64Array, w: DenseWeights): Float64Array {
  const [inputs, units] = w.kernel.shape;
  const out = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let sum = w.bias.data[u];
    for (let i = 0; i < inputs; i++) sum += input[i] * w.kernel.data[i * units + u];
    out[u] = sum;
  }
  return out;
}

function convBlock(input: FeatureMap, layer: ConvLayer, weights: FaceChannelWeights): FeatureMap {
  const w = weights.convs.get(layer.name);
  if (!w) throw new Error(`reference forward: no weights for ${layer.name}`);
  const out = conv3x3Same(input, layer, w);
  if (layer.batchNorm) batchNormInPlace(out, weights, layer.name);
  reluInPlace(out.data);
  return out;
}

/** One face (64×64 grayscale in [0, 1], row-major) → (arousal, valence). */
export function referenceForward(weights: FaceChannelWeights, face: Float32Array): { arousal: number; valence: number } {
  const { input } = FACECHANNEL;
  let map: FeatureMap = { c: input.channels, h: input.height, w: input.width, data: Float64Array.from(face) };
  for (const step of FACECHANNEL.backbone) map = step.op === 'conv' ? convBlock(map, step.layer, weights) : maxPool2(map);

  const excitatory = convBlock(map, FACECHANNEL.shunting.excitatory, weights);
  const inhibitory = convBlock(map, FACECHANNEL.shunting.inhibitory, weights);
  const plane = excitatory.h * excitatory.w;
  const shunted = new Float64Array(excitatory.data.length);
  for (let i = 0; i < shunted.length; i++) {
    const decay = weights.decay.kind === 'constant' ? weights.decay.value : weights.decay.values[Math.floor(i / plane)];
    shunted[i] = excitatory.data[i] / (decay + inhibitory.data[i]);
  }
  const pooled = maxPool2({ ...excitatory, data: shunted });

  const flat = new Float64Array(pooled.data.length);
  let n = 0;
  if (weights.flattenOrder === 'channel-major') flat.set(pooled.data);
  else for (let y = 0; y < pooled.h; y++) for (let x = 0; x < pooled.w; x++) for (let c = 0; c < pooled.c; c++) flat[n++] = pooled.data[(c * pooled.h + y) * pooled.w + x];

  const hidden = dense(flat, weights.dense);
  reluInPlace(hidden);
  const head = (name: string): number => {
    const w = weights.heads.get(name);
    if (!w) throw new Error(`reference forward: no head ${name}`);
    return Math.tanh(dense(hidden, w)[0]);
  };
  return { arousal: head('arousal_output'), valence: head('valence_output') };
}
