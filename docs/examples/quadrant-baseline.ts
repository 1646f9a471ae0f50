// A local node kind, as a user writes one: a cruder baseline than the built-in circumplex, which
// names the basic emotion of each circumplex quadrant. Used by quadrant-baseline.yaml; documented in
// docs/writing-a-kind.md. Only types come from vaflow, so the module loads on its own.
import type { FlowRecord, ItemContext, ItemKind, ItemResult } from 'vaflow';

interface QuadrantParams {
  /** Below this distance from the origin the answer is "neutral". */
  readonly neutralRadius?: number;
}

const kind: ItemKind<QuadrantParams> = {
  name: 'quadrant-baseline',
  version: '1',
  mode: 'item',
  consumes: ['va'],
  produces: 'classification',
  // Computing an answer costs less than a cache lookup.
  cacheable: false,
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      neutralRadius: { type: 'number', minimum: 0, maximum: 1, description: 'Below this distance from the origin the answer is neutral. @default 0.2' },
    },
  },
  async item(input: FlowRecord, ctx: ItemContext<QuadrantParams>): Promise<ItemResult> {
    const { valence, arousal } = input as FlowRecord & { valence: number; arousal: number };
    const radius = ctx.params.neutralRadius ?? 0.2;
    const label = Math.hypot(valence, arousal) < radius
      ? 'neutral'
      : valence >= 0 ? (arousal >= 0 ? 'happiness' : 'neutral') : (arousal >= 0 ? 'anger' : 'sadness');
    return { fields: { prediction: label, answer: label, valid: true, labelSet: 'basic7', baseline: true } };
  },
};

export default kind;
