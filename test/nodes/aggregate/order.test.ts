import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AggregateParams } from '../../../nodes/aggregate/params.generated.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { allRecords, runAggregate, shuffled } from './fixtures.js';

/**
 * Issue 11, point 1: every number aggregate writes is a function of the records' content and the
 * seed, never of the order records arrive in (completion order, concurrency, retries, cache hits).
 * The same records in different orders must give byte-identical metrics.json (apart from
 * createdAt), metrics.csv, report.html and yielded records.
 */

/** Labels outside any label set, first seen in record order; a duplicated item key with different answers; records aggregate skips. */
function freeLabelRecords(): FlowRecord[] {
  const labels = ['joy', 'calm', 'awe', 'dread'];
  const out: FlowRecord[] = [];
  for (const model of ['m1', 'm2']) {
    for (let i = 0; i < 24; i++) {
      const truth = labels[i % 4];
      const prediction = (i * (model === 'm1' ? 7 : 5)) % 3 === 0 ? labels[(i + 1) % 4] : truth;
      out.push({ id: `free${String(i).padStart(2, '0')}`, coords: { model }, node: 'free', label: truth, prediction, valid: true });
    }
    out.push({ id: 'free00', coords: { model }, node: 'free', label: 'joy', prediction: 'awe', valid: true });
  }
  // Two kinds of skipped records: their warnings must not follow arrival order either.
  out.push({ id: 'note1', coords: {}, node: 'notes', note: 'not a scored record' });
  out.push({ id: 'free99', coords: { model: 'm1' }, node: 'free', prediction: 'joy', valid: true });
  return out;
}

/** Equal texts, or a failure that shows where they first differ (not two 400 kB strings). */
function assertSameText(actual: string, expected: string, label: string): void {
  if (actual === expected) return;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  assert.fail(`${label} differs at character ${i}:\n  got      …${actual.slice(Math.max(0, i - 80), i + 80)}…\n  expected …${expected.slice(Math.max(0, i - 80), i + 80)}…`);
}

async function outputs(records: readonly FlowRecord[], params: AggregateParams, dir: string) {
  const { out } = await runAggregate(records, params, { runDir: dir, seed: 7 });
  const read = (f: string) => readFile(path.join(dir, f), 'utf8');
  return {
    json: (await read('metrics.json')).replace(/"createdAt": "[^"]*"/, '"createdAt": "-"'),
    csv: await read('metrics.csv'),
    html: (await read('report.html')).replace(/created [0-9T:.\-Z]+/, 'created -'),
    records: JSON.stringify(out),
  };
}

const SETTINGS: [string, AggregateParams][] = [
  ['grouped by every coordinate', { humanRatingField: 'humanRating' }],
  ['pooled over variants (clusters by id)', { by: ['model', 'embedder', 'vaSource'], humanRatingField: 'humanRating' }],
];

for (const [name, params] of SETTINGS) {
  test(`aggregate output does not depend on record order: ${name}`, async () => {
    const records = [...allRecords({ items: 30 }), ...freeLabelRecords()];
    await withTempDir('aggregate-order', async (dir) => {
      const reference = await outputs(records, params, dir);
      const doc = JSON.parse(reference.json) as { groups: { node: string; items: { labels?: string[] } }[] };
      // The free-label groups keep their labels in name order, whatever came first.
      assert.deepEqual(doc.groups.find((g) => g.node === 'free')?.items.labels, ['awe', 'calm', 'dread', 'joy']);
      for (const seed of [1, 2, 3]) {
        const other = await outputs(shuffled(records, seed), params, dir);
        assertSameText(other.json, reference.json, `metrics.json, shuffle ${seed}`);
        assertSameText(other.csv, reference.csv, `metrics.csv, shuffle ${seed}`);
        assertSameText(other.html, reference.html, `report.html, shuffle ${seed}`);
        assertSameText(other.records, reference.records, `records, shuffle ${seed}`);
      }
      // Reversed, too: the adversarial order for anything that keeps the first occurrence.
      const reversed = await outputs([...records].reverse(), params, dir);
      assertSameText(reversed.json, reference.json, 'metrics.json, reversed');
    });
  });
}
