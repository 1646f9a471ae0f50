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

test('each kind of damage is reported with what the entry holds instead', () => {
  const reasons = ([
    ['json', null],
    ['json', 42],
    ['bytes', null],
    ['bytes', 'text'],
    ['xml', new Uint8Array([1])],
    [null, '1'],
  ] as const).map(([encoding, data]) => {
    const decoded = decodeValue(encoding, data);
    return decoded.ok ? 'ok' : decoded.reason;
  });
  assert.deepEqual(reasons, [
    'JSON entry holds null instead of text',
    'JSON entry holds number instead of text',
    'bytes entry holds null instead of a blob',
    'bytes entry holds string instead of a blob',
    'unknown encoding "xml"',
    'unknown encoding null',
  ]);
  const unparseable = decodeValue('json', '{"a":');
  assert.ok(!unparseable.ok && unparseable.reason.startsWith('unparseable JSON ('), JSON.stringify(unparseable));
});
