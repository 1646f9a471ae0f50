import type { NodeKind } from '../../src/types/node-kind.js';

/** Placeholder until the `prompt-variant` kind lands: it fails loudly if a pipeline runs it. */
const kind: NodeKind = {
  name: 'prompt-variant',
  version: '0',
  paramsSchema: { type: 'object' },
  consumes: [],
  produces: 'va',
  mode: 'source',
  // eslint-disable-next-line require-yield
  async *source() {
    throw new Error('kind "prompt-variant" is not implemented yet');
  },
};
export default kind;
