import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { composedSchema } from '../../src/spec/index.js';

const pipeline = (withParams: Record<string, unknown>): Record<string, unknown> => ({
  version: 1,
  name: 'composed',
  models: { m: { provider: 'circumplex' } },
  nodes: {
    faces: { kind: 'extract', with: withParams },
    local: { kind: './my-nodes/anything.ts', needs: ['faces'], with: { whatever: true } },
  },
});

test('the composed schema is self-contained and constrains built-in kinds through `kind`', async () => {
  const schema = await composedSchema();
  assert.doesNotMatch(JSON.stringify(schema), /defs\.schema\.json#/, 'shared definitions are inlined');
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  assert.equal(validate(pipeline({ table: 'faces.csv', concurrency: 4 })), true, JSON.stringify(validate.errors));
  assert.equal(validate(pipeline({ table: 'faces.csv', concurency: 4 })), false);
  assert.ok(validate.errors?.some((e) => e.instancePath === '/nodes/faces/with' && e.keyword === 'additionalProperties'));
  assert.equal(validate({ ...pipeline({ table: 'x.csv' }), extra: 1 }), false);
});
