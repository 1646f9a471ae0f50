import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import extract from '../../../nodes/extract/index.js';
import type { ExtractParams } from '../../../nodes/extract/params.generated.js';
import { readTableRows, MAX_RECORD_LINES, type TableEntry } from '../../../nodes/extract/table-rows.js';
import { TableRowError } from '../../../nodes/extract/row-problems.js';
import type { SourceItem } from '../../../src/types/node-kind.js';
import { ConfigError } from '../../../src/errors.js';
import { createRng } from '../../../src/stats/prng.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { collect, taskContext } from '../../helpers/kind-context.js';

async function items(dir: string, file: string, contents: string | Buffer, params: Partial<ExtractParams> = {}): Promise<SourceItem[]> {
  await writeFile(path.join(dir, file), contents);
  return collect(extract.source(taskContext({ params: { table: file, ...params }, specDir: dir })));
}

async function entries(dir: string, file: string, contents: string | Buffer): Promise<TableEntry[]> {
  await writeFile(path.join(dir, file), contents);
  const format = file.endsWith('.jsonl') ? 'jsonl' : file.endsWith('.tsv') ? 'tsv' : 'csv';
  return collect(readTableRows({ file: path.join(dir, file), shown: file, format }));
}

function messageOf(item: SourceItem | undefined): string {
  assert.ok(item && 'error' in item, `expected an item error, got ${JSON.stringify(item)}`);
  return item.error.message;
}

function problemOf(item: SourceItem | undefined) {
  assert.ok(item && 'error' in item && item.error instanceof TableRowError, `expected a row error, got ${JSON.stringify(item)}`);
  return item.error.problem;
}

function rowsOf(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `r${from + i},0.${(from + i) % 10},-0.${(from + i) % 7}`);
}

test('an unterminated quote in row 1,000 of 2,000 costs that row only: 1,999 items and one error with its line', async () => {
  await withTempDir('rows', async (dir) => {
    const rows = rowsOf(2000);
    rows[999] = 'r999,"0.5,0.1';
    const out = await items(dir, 't.csv', ['id,valence,arousal', ...rows].join('\n') + '\n');
    assert.equal(out.length, 2000);
    const errors = out.filter((item) => 'error' in item);
    assert.equal(errors.length, 1);
    const problem = problemOf(errors[0]);
    assert.deepEqual([problem.line, problem.row, problem.kind], [1001, 1000, 'unreadable']);
    assert.match(messageOf(errors[0]), /^t\.csv:1001: row 1000: unterminated quote in column "valence": line 1002 reads as a row of its own; the row is skipped and reading resumes on line 1002$/);
    assert.deepEqual(out.filter((item) => 'fields' in item).map((item) => item.id), rowsOf(2000).map((r) => r.split(',')[0]).filter((id) => id !== 'r999'));
  });
});

test('a quote left open to the end of the file, or past the line limit, is one error and every later line is read again', async () => {
  await withTempDir('rows', async (dir) => {
    // The lines after the open quote have no comma, so none reads as a row until the file ends.
    const eof = await items(dir, 'e.csv', 'id,valence,arousal\na,0.1,"note\nb;0;0\nc;0;0\n');
    assert.deepEqual(eof.map((item) => ('error' in item ? `${problemOf(item).line}:${problemOf(item).kind}` : item.id)), ['2:unreadable', '3:missing', '4:missing']);
    assert.match(messageOf(eof[0]), /no closing quote before the end of the file; the row is skipped and reading resumes on line 3/);
    // Line 3 closed the first quote and opened another; read again on its own, it opens one that runs to the end too.
    const twice = await items(dir, 't.csv', 'id,valence,arousal,label,reference\na,0.1,0.2,"x\ny",0.5,"z\n');
    assert.deepEqual(twice.map((item) => ('error' in item ? `${problemOf(item).line}:${problemOf(item).kind}` : item.id)), ['2:unreadable', '3:unreadable']);

    const words = Array.from({ length: MAX_RECORD_LINES + 200 }, (_, i) => `word${i}`);
    const long = await items(dir, 'l.csv', ['id,valence,arousal', 'a,0.1,"open', ...words, 'z,0.2,0.3'].join('\n'));
    assert.equal(long.length, 1 + words.length + 1, 'every line after the header is an item or an error');
    assert.match(messageOf(long[0]), new RegExp(`runs past ${MAX_RECORD_LINES} lines`));
    assert.deepEqual(long.at(-1), { id: 'z', fields: { valence: 0.2, arousal: 0.3, vaSource: 'table' } });
  });
});

test('a quoted field may span lines; a reference keeps its line break', async () => {
  await withTempDir('rows', async (dir) => {
    const out = await items(dir, 'm.csv', 'id,valence,arousal,reference\na,0.1,0.2,"A smile,\nwith raised cheeks"\nb,0,0,plain\n');
    assert.deepEqual(out, [
      { id: 'a', fields: { valence: 0.1, arousal: 0.2, reference: 'A smile,\nwith raised cheeks', vaSource: 'table' } },
      { id: 'b', fields: { valence: 0, arousal: 0, reference: 'plain', vaSource: 'table' } },
    ]);
  });
});

test('invalid UTF-8 makes its row an error with the byte; the rows around it are read', async () => {
  await withTempDir('rows', async (dir) => {
    const bytes = Buffer.concat([Buffer.from('id,valence,arousal,reference\na,0.1,0.1,ok\nb,0.2,0.2,caf'), Buffer.from([0xe9]), Buffer.from('\nc,0.3,0.3,caf\u00e9\n')]);
    const out = await items(dir, 'u.csv', bytes);
    assert.deepEqual(out.map((item) => item.id), ['a', 'row-3', 'c']);
    const problem = problemOf(out[1]);
    assert.equal(problem.kind, 'encoding');
    assert.equal(messageOf(out[1]), 'u.csv:3: row 2: invalid UTF-8 (byte 0xE9 at byte 14 of the line); save the file as UTF-8');
    assert.deepEqual(out[2], { id: 'c', fields: { valence: 0.3, arousal: 0.3, reference: 'café', vaSource: 'table' } });
    const jsonl = await items(dir, 'u.jsonl', Buffer.concat([Buffer.from('{"valence":0,"arousal":0,"label":"x'), Buffer.from([0xff]), Buffer.from('"}\n{"valence":0,"arousal":0}\n')]));
    assert.deepEqual(jsonl.map((item) => ('error' in item ? problemOf(item).kind : 'ok')), ['encoding', 'ok']);
    await assert.rejects(items(dir, 'h.csv', Buffer.concat([Buffer.from('id,val'), Buffer.from([0xc3]), Buffer.from(',arousal\na,0,0\n')])), (error: unknown) => error instanceof ConfigError && error.message === 'h.csv:1: the header has invalid UTF-8 (byte 0xC3 at byte 7 of the line); save the file as UTF-8');
  });
});

test('an empty or header-only table, and a duplicated header column, are refused with the file and line', async () => {
  await withTempDir('rows', async (dir) => {
    await assert.rejects(items(dir, 'empty.csv', ''), (error: unknown) => error instanceof ConfigError && error.message === 'empty.csv: no data rows (the file is empty)');
    await assert.rejects(items(dir, 'blank.jsonl', '\n\n'), (error: unknown) => error instanceof ConfigError && error.message === 'blank.jsonl: no data rows (the file is empty)');
    await assert.rejects(items(dir, 'head.csv', '\uFEFFid,valence,arousal\r\n\r\n'), (error: unknown) => error instanceof ConfigError && error.message === 'head.csv: no data rows (only the header, on line 1)');
    await assert.rejects(items(dir, 'dup.tsv', 'id\tvalence\tarousal\tvalence\na\t0.1\t0.2\t0.9\n'), (error: unknown) =>
      error instanceof ConfigError && error.message === 'dup.tsv:1: column "valence" appears twice in the header (columns 2 and 4); rename or remove one');
  });
});

test('a row with more cells than the header is an error (an unquoted comma); trailing empty cells are not', async () => {
  await withTempDir('rows', async (dir) => {
    const out = await items(dir, 'w.csv', 'id,valence,arousal,label\na,0.1,0.2,anger,\nb,0.1,0.2,anger, fear\n');
    assert.equal(out[0]!.id, 'a');
    assert.ok('fields' in out[0]!);
    assert.equal(messageOf(out[1]), 'w.csv:3: row 2: 5 cells, but the header has 4 columns (an unquoted "," inside a value?)');
  });
});

test('CRLF line endings, a byte order mark and padded header names read as plain ones', async () => {
  await withTempDir('rows', async (dir) => {
    const out = await entries(dir, 'c.csv', '\uFEFFid, valence ,arousal\r\na,0.1,0.2\r\n');
    assert.deepEqual(out, [{ columns: ['id', 'valence', 'arousal'], line: 1 }, { line: 2, row: 1, cells: { id: 'a', valence: '0.1', arousal: '0.2' } }]);
  });
});

test('every data line of a randomly damaged table ends as exactly one item or error, at its own line', async () => {
  const rng = createRng(11);
  const damage = [
    (cell: string) => `"${cell}`, // opens a quote that never closes
    (cell: string) => `${cell}"x`, // stray quote inside
    (cell: string) => `"${cell}"x`, // text after a closing quote
    (cell: string) => `${cell},extra`, // one cell too many
    () => '',
    () => 'high',
    (cell: string) => `"${cell}"`, // well-formed quoting
  ];
  await withTempDir('rows', async (dir) => {
    for (let round = 0; round < 20; round++) {
      const lines = ['id,valence,arousal,label'];
      const dataLines: number[] = [];
      for (let i = 0; i < 200; i++) {
        if (rng.next() < 0.05) lines.push(''); // blank lines are not rows
        const cells = [`id${i}`, '0.1', '-0.2', 'anger'];
        if (rng.next() < 0.3) {
          const at = rng.int(cells.length);
          cells[at] = damage[rng.int(damage.length)]!(cells[at]!);
        }
        lines.push(cells.join(','));
        dataLines.push(lines.length);
      }
      const read = await entries(dir, `d${round}.csv`, lines.join('\n') + '\n');
      const seen = read.filter((entry) => !('columns' in entry)).map((entry) => ('line' in entry ? entry.line : -1));
      assert.deepEqual(seen, dataLines, `round ${round}: each data line is one entry`);
    }
  });
});
