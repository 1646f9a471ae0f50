import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { loadWordVectors, readVectorFile } from '../../../../src/providers/embedders/word-vectors/load.js';
import { detectVectorFormat } from '../../../../src/providers/embedders/word-vectors/detect-format.js';
import { ConfigError } from '../../../../src/errors.js';
import type { VectorTable } from '../../../../src/providers/embedders/word-vectors/vector-table.js';
import { TOY_VECTORS, word2vecBinaryBytes, writeGloveText, writeWinkJson, writeWord2vecBinary, writeWord2vecText } from '../helpers/vector-files.js';
import { withTempDir } from '../../../helpers/temp-dir.js';

function assertToyTable(table: VectorTable): void {
  assert.equal(table.dimension, 3);
  assert.equal(table.count, TOY_VECTORS.length);
  TOY_VECTORS.forEach(([word, values], row) => {
    assert.equal(table.word(row), word);
    assert.equal(table.lookup(word), row);
    assert.deepEqual(Array.from(table.matrix.subarray(row * 3, row * 3 + 3)), Array.from(Float32Array.from(values)));
  });
  assert.equal(table.lookup('zebra'), -1);
}

const writers = {
  'glove-text': writeGloveText,
  'word2vec-text': writeWord2vecText,
  'word2vec-binary': writeWord2vecBinary,
  'wink-json': writeWinkJson,
} as const;

for (const [format, write] of Object.entries(writers)) {
  test(`${format}: detected automatically and read exactly`, async () => {
    await withTempDir('wv', async (dir) => {
      const file = path.join(dir, `vectors.${format}`);
      await write(file);
      assert.equal(await detectVectorFormat(file), format);
      assertToyTable(await readVectorFile(file, format as keyof typeof writers));
    });
  });
}

test('the binary cache round-trips bit for bit, and a second load comes from it', async () => {
  await withTempDir('wv', async (dir) => {
    const file = path.join(dir, 'vectors.txt');
    await writeGloveText(file);
    const cacheDir = path.join(dir, 'cache');
    const first = await loadWordVectors({ source: file, cacheDir });
    const second = await loadWordVectors({ source: file, cacheDir });
    assert.equal(first.fromCache, false);
    assert.equal(second.fromCache, true);
    assert.equal(second.cachePath, first.cachePath);
    assertToyTable(second.table);
    const bytes = (m: Float32Array) => Buffer.from(m.buffer, m.byteOffset, m.byteLength);
    assert.ok(bytes(second.table.matrix).equals(bytes(first.table.matrix)));
  });
});

test('random vectors round-trip exactly through the binary cache (all float32 bit patterns kept)', async () => {
  await withTempDir('wv', async (dir) => {
    const vectors = Array.from({ length: 500 }, (_, i) => [`w${i}-ü`, Array.from({ length: 7 }, (_, j) => Math.fround(Math.sin(i * 7 + j) * 10 ** ((j % 5) - 2)))] as const);
    const file = path.join(dir, 'random.bin');
    await writeFile(file, word2vecBinaryBytes(vectors));
    const first = await loadWordVectors({ source: file, cacheDir: dir });
    const second = await loadWordVectors({ source: file, cacheDir: dir });
    assert.equal(second.fromCache, true);
    assert.deepEqual(new Uint32Array(second.table.matrix.buffer, second.table.matrix.byteOffset, second.table.matrix.length), new Uint32Array(first.table.matrix.buffer, first.table.matrix.byteOffset, first.table.matrix.length));
    for (let row = 0; row < vectors.length; row++) assert.equal(second.table.lookup(vectors[row][0]), row);
  });
});

test('a changed source file is converted again (cache keyed by path, size and mtime)', async () => {
  await withTempDir('wv', async (dir) => {
    const file = path.join(dir, 'vectors.txt');
    await writeGloveText(file);
    const first = await loadWordVectors({ source: file, cacheDir: dir });
    await writeGloveText(file, [['happy', [0, 1, 0]], ...TOY_VECTORS.slice(1)]);
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const second = await loadWordVectors({ source: file, cacheDir: dir });
    assert.notEqual(second.cachePath, first.cachePath);
    assert.equal(second.fromCache, false);
    assert.deepEqual(Array.from(second.table.matrix.subarray(0, 3)), [0, 1, 0]);
  });
});

test('a damaged cache file is rebuilt, not trusted', async () => {
  await withTempDir('wv', async (dir) => {
    const file = path.join(dir, 'vectors.txt');
    await writeGloveText(file);
    const first = await loadWordVectors({ source: file, cacheDir: dir });
    const bytes = await readFile(first.cachePath);
    await writeFile(first.cachePath, bytes.subarray(0, bytes.length - 3));
    const again = await loadWordVectors({ source: file, cacheDir: dir });
    assert.equal(again.fromCache, false);
    assertToyTable(again.table);
  });
});

test('duplicated words resolve to their first row, as in the source file', async () => {
  await withTempDir('wv', async (dir) => {
    const file = path.join(dir, 'dup.txt');
    await writeGloveText(file, [['a', [1, 0]], ['b', [0, 1]], ['a', [2, 2]]]);
    await loadWordVectors({ source: file, cacheDir: dir });
    const cached = await loadWordVectors({ source: file, cacheDir: dir });
    assert.equal(cached.table.lookup('a'), 0);
  });
});

test('malformed files are ConfigErrors that name the file and the line', async () => {
  await withTempDir('wv', async (dir) => {
    const wrongDimension = path.join(dir, 'wrong-dim.txt');
    await writeFile(wrongDimension, 'happy 1 0 0\ntable 0 1\n');
    await assert.rejects(loadWordVectors({ source: wrongDimension, cacheDir: dir }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /wrong-dim\.txt:2: expected 3 values after the word "table", got 2/);
      return true;
    });

    const notNumber = path.join(dir, 'nan.txt');
    await writeFile(notNumber, '2 2\nhappy 1 0\ntable x 1\n');
    await assert.rejects(loadWordVectors({ source: notNumber, cacheDir: dir }), /nan\.txt:3: value 1 of "table" is not a number/);

    const shortText = path.join(dir, 'short.txt');
    await writeFile(shortText, '3 2\nhappy 1 0\ntable 0 1\n');
    await assert.rejects(loadWordVectors({ source: shortText, cacheDir: dir }), /declares 3 vectors but the file holds 2/);

    const truncated = path.join(dir, 'truncated.bin');
    const full = word2vecBinaryBytes();
    await writeFile(truncated, full.subarray(0, full.length - 7));
    await assert.rejects(loadWordVectors({ source: truncated, cacheDir: dir }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /truncated\.bin: truncated word2vec binary file: it ended after 6 of the 7 vectors/);
      return true;
    });

    const empty = path.join(dir, 'empty.txt');
    await writeFile(empty, '');
    await assert.rejects(loadWordVectors({ source: empty, cacheDir: dir }), /empty/);

    await assert.rejects(loadWordVectors({ source: path.join(dir, 'missing.txt'), cacheDir: dir }), /missing\.txt: word-vector file not found/);

    const winkCut = path.join(dir, 'cut.json');
    await writeWinkJson(winkCut);
    const text = await readFile(winkCut, 'utf8');
    await writeFile(winkCut, text.slice(0, text.indexOf('"table"') + 12));
    await assert.rejects(loadWordVectors({ source: winkCut, cacheDir: dir }), /truncated or malformed wink-embeddings JSON/);
  });
});
