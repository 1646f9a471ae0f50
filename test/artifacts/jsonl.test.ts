import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JsonlWriter, readJsonl } from '../../src/artifacts/jsonl.js';
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
