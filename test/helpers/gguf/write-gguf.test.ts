/**
 * The test-only GGUF writer: byte layout checked by hand, and the whole file read back by an
 * independent parser (node-llama-cpp's readGgufFileInfo) when node-llama-cpp is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeGguf, writeGguf, type GgufFile } from './write-gguf.js';
import { tinyLlama } from './tiny-llama.js';

const SAMPLE: GgufFile = {
  metadata: [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.alignment', { type: 'uint32', value: 64 }],
    ['test.flag', { type: 'bool', value: true }],
    ['test.big', { type: 'uint64', value: 2n ** 40n }],
    ['test.eps', { type: 'float32', value: 0.5 }],
    ['test.words', { type: 'array', itemType: 'string', value: ['a', '▁é'] }],
    ['test.ints', { type: 'array', itemType: 'int32', value: [-1, 7] }],
  ],
  tensors: [
    { name: 'a.weight', dims: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    { name: 'b.weight', dims: [5], data: Float32Array.from([-1, -2, -3, -4, -5]) },
  ],
};

test('header, counts and aligned tensor data are where GGUF v3 puts them', () => {
  const bytes = encodeGguf(SAMPLE);
  assert.equal(bytes.subarray(0, 4).toString('ascii'), 'GGUF');
  assert.equal(bytes.readUInt32LE(4), 3);
  assert.equal(bytes.readBigUInt64LE(8), 2n);
  assert.equal(bytes.readBigUInt64LE(16), 7n);
  // First key: uint64 length, bytes, then the uint32 type id of a string (8).
  assert.equal(bytes.readBigUInt64LE(24), BigInt('general.architecture'.length));
  assert.equal(bytes.readUInt32LE(32 + 'general.architecture'.length), 8);
  // Tensor data: 24 bytes for a, padded to 64, then b; the data section starts on a 64-byte boundary.
  const dataStart = bytes.length - 64 - 64;
  assert.equal(dataStart % 64, 0);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => bytes.readFloatLE(dataStart + i * 4)), [1, 2, 3, 4, 5, 6]);
  assert.equal(bytes.readFloatLE(dataStart + 64), -1);
});

test('a tensor whose data does not match its dims is refused', () => {
  assert.throws(() => encodeGguf({ metadata: [], tensors: [{ name: 'x', dims: [2, 2], data: new Float32Array(3) }] }), /x: dims 2×2 need 4 values, got 3/);
});

// node-llama-cpp is an optional dependency that `npm ci` installs on every platform we test on: a
// missing one fails here with what to install, never a skip that reads as a pass.
test('node-llama-cpp reads back every key, value and tensor info', async () => {
  const specifier = 'node-llama-cpp';
  let nlc: { readGgufFileInfo(file: string, options: { readTensorInfo: boolean }): Promise<{ version: number; metadata: unknown; tensorInfo?: { name: string; dimensions: (number | bigint)[]; ggmlType: number; offset: number | bigint }[] }> };
  try {
    nlc = await import(specifier);
  } catch (error) {
    assert.fail(`node-llama-cpp (an optionalDependency, pinned in package.json) cannot be imported, so the independent read-back of our GGUF writer cannot run; install it with npm ci: ${(error as Error).message}`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-gguf-'));
  try {
    const file = path.join(dir, 'sample.gguf');
    await writeGguf(file, SAMPLE);
    assert.deepEqual(await readFile(file), encodeGguf(SAMPLE));
    const info = await nlc.readGgufFileInfo(file, { readTensorInfo: true });
    assert.equal(info.version, 3);
    assert.deepEqual(info.metadata, {
      general: { architecture: 'llama', alignment: 64 },
      test: { flag: true, big: 2n ** 40n, eps: 0.5, words: ['a', '▁é'], ints: [-1, 7] },
    });
    assert.deepEqual(info.tensorInfo?.map((x) => [x.name, x.dimensions.map(Number), x.ggmlType, Number(x.offset)]),
      [['a.weight', [3, 2], 0, 0], ['b.weight', [5], 0, 64]]);

    const tiny = tinyLlama();
    await writeGguf(file, tiny);
    const model = await nlc.readGgufFileInfo(file, { readTensorInfo: true });
    assert.deepEqual(model.tensorInfo?.map((x) => x.name), tiny.tensors.map((x) => x.name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
