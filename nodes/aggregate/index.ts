import type { NodeKind } from '../../src/types/node-kind.js';

/** Placeholder until the `aggregate` kind lands: it fails loudly if a pipeline runs it. */
const kind: NodeKind = {
  name: 'aggregate',
  version: '0',
  paramsSchema: { type: 'object' },
  consumes: [],
  produces: 'va',
  mode: 'source',
  // eslint-disable-next-line require-yield
  async *source() {
    throw new Error('kind "aggregate" is not implemented yet');
  },
};
export default kind;
