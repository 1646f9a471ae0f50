import { access } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { FACECHANNEL } from './architecture.js';
import { FACECHANNEL_INPUT, FACECHANNEL_OUTPUTS } from './onnx-graph.js';

export interface FaceChannelSession {
  /** Runs a batch of preprocessed faces (each 64·64 floats) → (arousal, valence) per face, in order. */
  run(faces: readonly Float32Array[]): Promise<{ arousal: number; valence: number }[]>;
}

/** Opens a FaceChannel ONNX written by `vaflow import facechannel` (input `face`, outputs `arousal`, `valence`). */
export async function openFaceChannel(modelPath: string): Promise<FaceChannelSession> {
  try {
    await access(modelPath);
  } catch {
    throw new ConfigError(`${modelPath}: FaceChannel model not found; convert the authors' weights with \`vaflow import facechannel DimensionalFaceChannel.h5 -o ${modelPath}\`, or use backend: expression-mixture`);
  }
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(modelPath);
  } catch (error) {
    throw new ConfigError(`${modelPath}: onnxruntime cannot load this model (${error instanceof Error ? error.message : String(error)})`);
  }
  const outputs = [FACECHANNEL_OUTPUTS.arousal, FACECHANNEL_OUTPUTS.valence];
  if (!session.inputNames.includes(FACECHANNEL_INPUT) || outputs.some((o) => !session.outputNames.includes(o))) {
    throw new ConfigError(`${modelPath}: not a vaflow FaceChannel model: expected input "${FACECHANNEL_INPUT}" and outputs ${outputs.join(', ')}, found input(s) ${session.inputNames.join(', ')} and output(s) ${session.outputNames.join(', ')}`);
  }
  const { channels, height, width } = FACECHANNEL.input;
  const size = channels * height * width;
  return {
    async run(faces) {
      const batch = new Float32Array(faces.length * size);
      faces.forEach((face, i) => batch.set(face, i * size));
      const result = await session.run({ [FACECHANNEL_INPUT]: new ort.Tensor('float32', batch, [faces.length, channels, height, width]) });
      const arousal = result[FACECHANNEL_OUTPUTS.arousal].data;
      const valence = result[FACECHANNEL_OUTPUTS.valence].data;
      return faces.map((_, i) => ({ arousal: Number(arousal[i]), valence: Number(valence[i]) }));
    },
  };
}
