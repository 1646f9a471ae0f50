import type { BatchKind } from '../../src/types/node-kind.js';
import type { EmbedScoreParams } from './params.generated.js';
import { readJsonBeside } from '../../src/util/paths.js';
import { scoreRecords } from './score.js';

/**
 * embed-score: cosine similarity of each generated description to its human reference, per
 * embedder, with a calibrated score against a null of shuffled pairs (the same text against other
 * items' references). Output fields:
 *
 *   similarity: { raw, nullMean, nullStd, z, percentile, nullSize, reason? }   (null values, never NaN)
 *   embedder: the embedder id;  oovRate / referenceOovRate: word vectors' out-of-vocabulary shares
 *
 * A record whose text or reference is missing, empty or has no known words keeps `raw: null` and
 * a `reason` (its reference may still serve in other items' nulls). One task per upstream variant × embedder
 * (`fanIn: false`): the null is drawn within one model/prompt variant.
 */
const kind: BatchKind<EmbedScoreParams> = {
  name: 'embed-score',
  version: '1',
  paramsSchema: readJsonBeside(import.meta.url, 'params.schema.json'),
  consumes: ['description'],
  produces: 'similarity',
  mode: 'batch',
  fanIn: false,
  batch: scoreRecords,
};
export default kind;
