import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { VAFLOW_BIN } from '../helpers/cli.js';
import { VirtualTerminal } from '../helpers/virtual-terminal.js';

// `vaflow run` on a real pseudo-terminal (util-linux `script`) of 80 × 8, its output replayed on a
// virtual terminal of that size: task ids longer than the width, more tasks than rows, notices
// printed while the table is up, an aggregate reading 189 records.

const PIPELINE = `version: 1
name: terminal
models:
  circumplex-nearest-reference-point: { provider: circumplex }
  absent: { provider: openai, model: gpt-4o-mini, enabledByEnv: [VAFLOW_TEST_NEVER_SET] }
nodes:
  terms: { kind: extract, with: { table: basic7-terms.csv } }
  prompts:
    kind: prompt-variant
    needs: [terms]
    with:
      labels: basic7
      variants:
        numeric-with-two-decimals: { format: numeric, precision: 2 }
        lexical-description-of-both-axes: { format: lexical }
        quadrant-names: { format: quadrant }
  classify: { kind: classify, needs: [prompts], with: { models: [circumplex-nearest-reference-point, absent], labels: basic7 } }
  scores: { kind: aggregate, needs: [classify] }
`;

const COLUMNS = 80;
const ROWS = 8;

test('on an 80-column terminal the progress table never wraps, notices stay readable above it, and the aggregate counts its inputs', () =>
  withTempDir('progress-pty', async (dir) => {
    copyFileSync(path.join(packageRoot, 'data/sample/basic7-terms.csv'), path.join(dir, 'basic7-terms.csv'));
    writeFileSync(path.join(dir, 'p.yaml'), PIPELINE);
    // Only stderr (the progress display) goes to the terminal; the summary goes to a file.
    const command = `stty cols ${COLUMNS} rows ${ROWS}; exec '${process.execPath}' '${VAFLOW_BIN}' run p.yaml --runs-dir runs --cache-dir cache > summary.txt`;
    const { VAFLOW_TEST_NEVER_SET: _unset, ...env } = process.env;
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...env, VAFLOW_CACHE_DIR: '' } });
    assert.equal(result.error, undefined, 'util-linux `script` runs the CLI on a pseudo-terminal (Debian: bsdutils)');
    assert.equal(result.status, 0, result.stdout + result.stderr + readFileSync(path.join(dir, 'summary.txt'), 'utf8'));

    const terminal = new VirtualTerminal(COLUMNS, ROWS);
    terminal.write(result.stdout);
    // Only notices (printed once, never redrawn) may be longer than a row.
    assert.deepEqual(terminal.wraps.filter((line) => !/^ {2}(info|warn):/.test(line)), []);
    const lines = terminal.lines();
    assert.ok(lines.includes('  info: model absent left out: set VAFLOW_TEST_NEVER_SET to include it'), lines.join('\n'));
    const aggregateNotice = lines.findIndex((l) => l.startsWith('  info: scores: aggregate scores:'));
    assert.ok(aggregateNotice > 0, 'the aggregate notice printed while the table was up survives the redraw');

    // The final table is the run of task rows at the bottom, at most ROWS − 1 of them; every earlier
    // table was erased before a notice was printed, so no task row is left anywhere above it.
    const isRow = (line: string) => /^(✓|…|✗|!|-) /.test(line);
    let start = lines.length;
    while (start > 0 && isRow(lines[start - 1])) start--;
    const table = lines.slice(start);
    assert.ok(table.length > 0 && table.length <= ROWS - 1, table.join('\n'));
    assert.deepEqual(lines.slice(0, start).filter(isRow), [], 'no stale table rows above the final table');
    assert.ok(table.every((line) => [...line].length < COLUMNS));
    assert.match(table.join('\n'), /^✓ scores {2}189\/189 {2}cached 0 {2}errors 0 {2}[\d.]+\/s$/m, 'aggregate: inputs read / inputs expected');
    assert.match(table[0], /^✓ 2 tasks done$/, 'the oldest finished tasks fold when the table is taller than the terminal');
  }));
