import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvRecords, summariseRun } from '../../src/report/run-list.js';
import { csvCell } from '../../src/report/rows.js';
import { createRng } from '../../src/stats/prng.js';
import { withTempDir } from '../helpers/temp-dir.js';

/** A field drawn from characters CSV must quote (comma, quote, CR, LF) and plain ones, sometimes empty. */
function randomField(next: () => number): string {
  const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r', 'é', '·', '0', '.'];
  const length = Math.floor(next() * 6);
  return Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
}

test('csvRecords reads what csvCell writes, as csv-parse does: commas, quotes and line breaks inside fields, CRLF, empty lines', () => {
  const rng = createRng(7);
  for (let round = 0; round < 300; round++) {
    const width = 1 + rng.int(5);
    const records = Array.from({ length: 1 + rng.int(6) }, () => Array.from({ length: width }, () => randomField(() => rng.next())));
    // A record of one empty field is an empty line, which both readers skip.
    const written = records.filter((r) => r.length > 1 || r[0] !== '');
    const eol = round % 3 === 0 ? '\r\n' : '\n';
    const text = written.map((r) => r.map(csvCell).join(',')).join(eol) + (round % 2 ? eol : '') + (round % 5 === 0 ? `${eol}${eol}` : '');
    assert.deepEqual(csvRecords(text), written, JSON.stringify(text));
    assert.deepEqual(csvRecords(text), parse(text, { skip_empty_lines: true, relax_column_count: true }), JSON.stringify(text));
  }
});

test('csvRecords: a trailing comma is an empty last field; broken quoting throws', () => {
  assert.deepEqual(csvRecords('a,b,\nc,,d'), [['a', 'b', ''], ['c', '', 'd']]);
  assert.deepEqual(csvRecords('a,b,'), [['a', 'b', '']]);
  assert.deepEqual(csvRecords('"x ""y""",z\n'), [['x "y"', 'z']]);
  for (const bad of ['"open,field\n', 'a"b,c\n', '"closed"x,c\n']) assert.throws(() => csvRecords(bad), /malformed CSV/, bad);
});

const HEADER = 'section,group,label,kind,model,variant,metric,class,value,ci_low,ci_high,ci_method,n,p,p_holm,reason';

test('a run\'s headline: the best group of each kind\'s first metric, read across quoted labels that hold line breaks and "group," at a line start', async () => {
  await withTempDir('run-list', async (runsDir) => {
    const dir = path.join(runsDir, 'r1');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      manifestVersion: 1, runId: 'r1', vaflowVersion: '0', pipeline: { name: 'p', file: 'p.yaml', sha256: '0' }, environment: { node: 'v20', os: 'linux' },
      seed: 42, status: 'completed', startedAt: '2026-01-01T00:00:00.000Z', attempts: [], tasks: {}, totals: {},
    }));
    writeFileSync(path.join(dir, 'metrics.csv'), [
      HEADER,
      'group,g1,"one\ngroup,fake,x,classification,m,v,accuracy,,0.99,,,,1,,,",classification,m,v,accuracy,,0.4,0.3,0.5,clopper-pearson,10,,,',
      'class,g1,one,classification,m,v,recall,happy,0.9,,,,5,,,',
      'group,g2,"two, with ""quotes""",classification,m,v,accuracy,,0.6,0.5,0.7,clopper-pearson,10,,,',
      'group,g2,two,classification,m,v,macro_f1,,0.95,,,,10,,,',
      'group,g3,three,description,m,v,similarity,,0.2,,,,10,,,',
      // Rows of other sections never make a headline, even of a kind no group row has.
      'comparison,g1 vs g2,two − one,regression,,,delta_mae,,0.5,0.1,0.9,percentile-bootstrap,10,0.01,0.02,',
      '',
    ].join('\n'));
    // A metrics file whose rows do not fit its header is skipped, as csv-parse refused it.
    writeFileSync(path.join(dir, 'other.metrics.csv'), `${HEADER}\ngroup,g1,x,classification\n`);
    const summary = await summariseRun(runsDir, 'r1');
    assert.equal(summary.status, 'completed', summary.problem);
    assert.deepEqual(summary.headline, [
      { node: null, kind: 'classification', metric: 'accuracy', value: 0.6, ciLow: 0.5, ciHigh: 0.7, label: 'two, with "quotes"', groups: 2 },
      { node: null, kind: 'description', metric: 'similarity', value: 0.2, ciLow: null, ciHigh: null, label: 'three', groups: 1 },
    ]);
  });
});
