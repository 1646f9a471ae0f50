import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeValue, encodeBytes, encodeJson } from '../../src/cache/entry-codec.js';

test('JSON size is the UTF-8 length; decode parses text or UTF-8 bytes', () => {
  const encoded = encodeJson('k', { t: 'é' });
  assert.equal(encoded.size, Buffer.byteLength('{"t":"é"}'));
  assert.deepEqual(decodeValue('json', encoded.data), { ok: true, value: { t: 'é' } });
  assert.deepEqual(decodeValue('json', Buffer.from('[1]')), { ok: true, value: [1] });
});

test('damage and unknown encodings are reported, not thrown', () => {
  for (const [encoding, data] of [['json', '{'], ['json', null], ['bytes', 'text'], ['zip', 'x']] as const) {
    const decoded = decodeValue(encoding, data);
    assert.equal(decoded.ok, false, `${encoding} ${String(data)}`);
  }
});

test('bytes are copied on the way in and out', () => {
  const source = new Uint8Array([1, 2, 3]);
  const encoded = encodeBytes('k', source);
  source[0] = 9;
  assert.ok(encoded.data instanceof Uint8Array);
  assert.deepEqual([...encoded.data], [1, 2, 3]);
  const decoded = decodeValue('bytes', encoded.data);
  assert.ok(decoded.ok && decoded.value instanceof Uint8Array && decoded.value !== encoded.data);
});
