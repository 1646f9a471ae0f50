import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { batchesOf, JsonlWriter, readJsonl, readJsonlFiles } from '../../src/artifacts/jsonl.js';
import { RunIOError } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';

test('a writer holds no file until it has a chunk to write; commit publishes (an empty file too), errors files only when written', async () => {
  await withTempDir('jsonl', async (dir) => {
    const records = new JsonlWriter(path.join(dir, 'a.jsonl'));
    const errors = new JsonlWriter(path.join(dir, 'a.errors.jsonl'), { onlyIfWritten: true });
    await records.write({ id: 'x' });
    assert.equal(existsSync(path.join(dir, 'a.jsonl.partial')), false, 'small writes are gathered, no handle open yet');
    await records.commit();
    await errors.commit();
    assert.equal(readFileSync(path.join(dir, 'a.jsonl'), 'utf8'), '{"id":"x"}\n');
    assert.equal(existsSync(path.join(dir, 'a.errors.jsonl')), false);
    const empty = new JsonlWriter(path.join(dir, 'b.jsonl'));
    await empty.commit();
    assert.equal(readFileSync(path.join(dir, 'b.jsonl'), 'utf8'), '');
  });
});

test('writeLine appends ready JSON text like write: no promise until a chunk is gathered, then one to wait for', async () => {
  await withTempDir('jsonl-lines', async (dir) => {
    const lines = new JsonlWriter(path.join(dir, 'lines.jsonl'));
    const records = new JsonlWriter(path.join(dir, 'records.jsonl'));
    const record = (i: number) => ({ id: `item-${i}`, text: 'é'.repeat(100) });
    assert.equal(lines.writeLine(JSON.stringify(record(0))), undefined, 'a line below a chunk is only gathered');
    await records.write(record(0));
    let waits = 0;
    for (let i = 1; i < 2000; i++) {
      const pending = lines.writeLine(JSON.stringify(record(i)));
      if (pending) {
        waits++;
        await pending;
      }
      await records.write(record(i));
    }
    assert.ok(waits > 0 && waits < 20, `${waits} waits: one per chunk at most`);
    await lines.commit();
    await records.commit();
    assert.equal(readFileSync(path.join(dir, 'lines.jsonl'), 'utf8'), readFileSync(path.join(dir, 'records.jsonl'), 'utf8'));
  });
});

test('a full disk is a RunIOError naming the file, thrown by the next write or commit, never an unhandled error event', async () => {
  await withTempDir('jsonl-full', async (dir) => {
    // Writes to /dev/full fail with ENOSPC: a real full disk for one file.
    symlinkSync('/dev/full', path.join(dir, 'c.jsonl.partial'));
    const writer = new JsonlWriter(path.join(dir, 'c.jsonl'));
    const failure = await (async () => {
      for (let i = 0; i < 10_000; i++) await writer.write({ id: `item-${i}`, text: 'x'.repeat(100) });
      await writer.commit();
    })().catch((error: unknown) => error);
    assert.ok(failure instanceof RunIOError, String(failure));
    assert.equal(failure.message, `cannot write ${path.join(dir, 'c.jsonl.partial')}: no space left on device (ENOSPC)`);
    await writer.abandon();
  });
});

test('reading a missing upstream file is a RunIOError naming it', async () => {
  const read = async () => { for await (const _ of readJsonl('/nonexistent/vaflow/tasks/x.jsonl')) void _; };
  await assert.rejects(read(), (e: unknown) => e instanceof RunIOError && e.message === 'cannot read /nonexistent/vaflow/tasks/x.jsonl: no such file or directory (ENOENT)');
});

test('readJsonl: lines across chunk boundaries (multi-byte characters too), CRLF, blank lines; a torn last line is skipped, a bad middle line names its line', async () => {
  await withTempDir('jsonl-read', async (dir) => {
    // Records long enough to span the reader's 256 KiB chunks, with a 4-byte character in each.
    const records = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, text: `${'é🙂'.repeat(i * 1000)}${i}` }));
    const file = path.join(dir, 'a.jsonl');
    writeFileSync(file, records.map((r, i) => JSON.stringify(r) + (i % 3 === 0 ? '\r\n' : '\n') + (i % 5 === 0 ? '\n' : '')).join('') + '{"id":"torn","te');
    const read: unknown[] = [];
    for await (const r of readJsonl(file)) read.push(r);
    assert.deepEqual(read, records);
    const bad = path.join(dir, 'b.jsonl');
    writeFileSync(bad, '{"id":1}\n\nnot json\n{"id":2}\n');
    const consume = async () => { for await (const _ of readJsonl(bad)) void _; };
    await assert.rejects(consume(), new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: not a JSON line`));
    const noNewline = path.join(dir, 'c.jsonl');
    writeFileSync(noNewline, '{"id":1}\n{"id":2}');
    const both: unknown[] = [];
    for await (const r of readJsonl(noNewline)) both.push(r);
    assert.deepEqual(both, [{ id: 1 }, { id: 2 }], 'a whole last line without its newline is read');
  });
});

test('records in batches: the same records in the same order as one by one, across files; a bad line comes after the records before it', async () => {
  await withTempDir('jsonl-batches', async (dir) => {
    // Enough records for several 256 KiB chunks, so that a file gives several batches.
    const first = Array.from({ length: 3000 }, (_, i) => ({ id: `a${i}`, text: 'x'.repeat(200) }));
    const second = Array.from({ length: 5 }, (_, i) => ({ id: `b${i}` }));
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    writeFileSync(a, first.map((r) => JSON.stringify(r) + '\n').join(''));
    writeFileSync(b, second.map((r) => JSON.stringify(r) + '\n').join('') + '{"id":"torn');
    const batches: (readonly unknown[])[] = [];
    for await (const batch of batchesOf(readJsonlFiles([a, b]))) batches.push(batch);
    assert.ok(batches.length >= 3, `several chunks make several batches (${batches.length})`);
    assert.deepEqual(batches.flat(), [...first, ...second]);
    const oneByOne: unknown[] = [];
    for await (const r of readJsonlFiles([a, b])) oneByOne.push(r);
    assert.deepEqual(oneByOne, [...first, ...second]);
    // A plain async iterable is taken one record per batch.
    const plain = (async function* () { yield* [1, 2]; })();
    const single: (readonly number[])[] = [];
    for await (const batch of batchesOf(plain)) single.push(batch);
    assert.deepEqual(single, [[1], [2]]);

    // A bad line in the middle of a chunk: the records before it are handed on, then the error names the line.
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":1}\n{"id":2}\nnot json\n{"id":3}\n');
    for (const read of [async (seen: unknown[]) => { for await (const r of readJsonl(bad)) seen.push(r); }, async (seen: unknown[]) => { for await (const batch of batchesOf(readJsonl(bad))) seen.push(...batch); }]) {
      const seen: unknown[] = [];
      await assert.rejects(read(seen), (e: unknown) => e instanceof Error && e.message === `${bad}:3: not a JSON line`);
      assert.deepEqual(seen, [{ id: 1 }, { id: 2 }]);
    }
    // A bad line just before a last line without its newline is named too (not taken for the torn last line).
    const badTail = path.join(dir, 'bad-tail.jsonl');
    writeFileSync(badTail, '{"id":1}\nnot json\n{"id":2}');
    const seen: unknown[] = [];
    await assert.rejects((async () => { for await (const r of readJsonl(badTail)) seen.push(r); })(), (e: unknown) => e instanceof Error && e.message === `${badTail}:2: not a JSON line`);
    assert.deepEqual(seen, [{ id: 1 }]);
  });
});
