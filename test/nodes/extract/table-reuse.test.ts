import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_KEPT_ROWS, tableRowItems, type RowItem, type TableItemsOptions } from '../../../nodes/extract/table.js';
import { resolveInput } from '../../../nodes/extract/files.js';
import { withTempDir } from '../../helpers/temp-dir.js';

/** Rows with a bad value, a duplicate id and an unreadable line, so the errors are reused too. */
const TABLE = 'id,valence,arousal,label\na,0.1,0.2,happy\nb,abc,0.2,sad\na,0.3,0.1,sad\nc,"0.2,0.1,fear\nd,-0.5,0.5,anger\n';

async function pass(options: TableItemsOptions): Promise<RowItem[]> {
  const out: RowItem[] = [];
  for await (const row of tableRowItems(options)) out.push(row);
  return out;
}

/** A plain copy: what a reader of the items sees (the error's class and message, not its identity). */
function plain(rows: readonly RowItem[]): unknown {
  return rows.map(({ item, line, row }) => ({ line, row, ...('error' in item ? { id: item.id, error: `${item.error.name}: ${item.error.message}` } : item) }));
}

test('the run reads again what validate read: the second pass over the same bytes takes the first pass\'s rows, once', async () => {
  await withTempDir('extract-reuse-', async (dir) => {
    writeFileSync(path.join(dir, 'cases.csv'), TABLE);
    const options: TableItemsOptions = { table: resolveInput(dir, 'cases.csv'), vaSource: 'model' };
    const first = await pass(options);
    assert.equal(first.length, 5);
    assert.ok(first.some((r) => 'error' in r.item), 'the fixture has row errors');
    const second = await pass(options);
    assert.deepEqual(plain(second), plain(first));
    assert.ok(second.every((r, i) => r === first[i]), 'the kept rows, not parsed again');
    const third = await pass(options);
    assert.deepEqual(plain(third), plain(first));
    assert.ok(third.every((r, i) => r !== first[i]), 'a kept pass is taken once: the third parses');
  });
});

test('changed bytes (same size, same mtime), other options, a limit or a big table: parsed again', async () => {
  await withTempDir('extract-reuse-', async (dir) => {
    // Not the first test's file name or bytes: its last pass is still kept in this process.
    const file = path.join(dir, 'edited.csv');
    const table = `${TABLE}e,0.4,0.4,calm\n`;
    writeFileSync(file, table);
    const options: TableItemsOptions = { table: resolveInput(dir, 'edited.csv'), vaSource: 'model' };
    const first = await pass(options);
    const { atime, mtime } = statSync(file);
    writeFileSync(file, table.replace('0.1,0.2,happy', '0.9,0.2,happy'));
    utimesSync(file, atime, mtime);
    const edited = await pass(options);
    assert.notDeepEqual(plain(edited), plain(first));
    assert.equal((edited[0]!.item as unknown as { fields: { valence: number } }).fields.valence, 0.9);

    await pass(options); // takes the edited file's kept pass
    const kept = await pass(options);
    const otherRange = await pass({ ...options, range: [-2, 2] });
    assert.ok(otherRange.every((r, i) => r !== kept[i]), 'another range is another pass');
    const otherSource = await pass({ ...options, vaSource: 'annotation', columns: { annotatedValence: 'valence', annotatedArousal: 'arousal' } });
    assert.ok(otherSource.every((r, i) => r !== kept[i]), 'another VA source is another pass');

    const limited = await pass({ ...options, limit: 2 });
    assert.equal(limited.length, 2);
    const afterLimit = await pass({ ...options, limit: 2 });
    assert.ok(afterLimit.every((r, i) => r !== limited[i]), 'a pass cut short by `limit` is not kept');

    const big = ['id,valence,arousal'];
    for (let i = 0; i <= MAX_KEPT_ROWS; i++) big.push(`r${i},0.1,0.2`);
    writeFileSync(path.join(dir, 'big.csv'), big.join('\n'));
    const bigOptions: TableItemsOptions = { table: resolveInput(dir, 'big.csv'), vaSource: 'model' };
    const once = await pass(bigOptions);
    const twice = await pass(bigOptions);
    assert.equal(twice.length, MAX_KEPT_ROWS + 1);
    assert.notEqual(twice[0], once[0], `past ${MAX_KEPT_ROWS} rows a table is streamed each time`);
  });
});
