import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headlineTable } from '../../src/cli/headline-table.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { allRecords, runAggregate } from '../nodes/aggregate/fixtures.js';

test('the closing headline table shows the shuffled baseline beside mean cosine, and VA agreement', async () => {
  await withTempDir('headline', async (dir) => {
    await runAggregate(allRecords(), {}, { runDir: dir });
    const table = headlineTable(dir);
    assert.match(table, /^similarity \(metrics\.json\):\n {2}group +n +raw_mean +shuffled_mean +z_mean +percentile_mean$/m);
    assert.match(table, /^va \(metrics\.json\):\n {2}group +n +valence_ccc +arousal_ccc$/m);
    assert.match(table, /^ {2}vaSource=facechannel +42 +0\.\d{3} \[0\.\d\d, 0\.\d\d\]/m);
  });
});
