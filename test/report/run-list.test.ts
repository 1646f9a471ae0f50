import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SUMMARY_CACHE_FILE, summariseRun, summariseRuns, type RunSummary } from '../../src/report/run-list.js';
import { withTempDir } from '../helpers/temp-dir.js';

/** A minimal valid manifest.json in `dir` (`fields` override its values). */
function writeManifest(dir: string, fields: Record<string, unknown>): void {
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    manifestVersion: 1, runId: path.basename(dir), vaflowVersion: '0', pipeline: { name: 'p', file: 'p.yaml', sha256: '0' }, environment: { node: 'v20', os: 'linux' },
    seed: 42, status: 'completed', startedAt: '2026-01-01T00:00:00.000Z', attempts: [], tasks: {}, totals: {}, ...fields,
  }));
}

const HEADER = 'section,group,label,kind,model,variant,metric,class,value,ci_low,ci_high,ci_method,n,p,p_holm,reason';

test('a run\'s headline: the best group of each kind\'s first metric, read across quoted labels that hold line breaks and "group," at a line start', async () => {
  await withTempDir('run-list', async (runsDir) => {
    const dir = path.join(runsDir, 'r1');
    mkdirSync(dir);
    writeManifest(dir, { status: 'completed' });
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

function metricsCsv(accuracy: number): string {
  return `${HEADER}\ngroup,g1,one,classification,m,v,accuracy,,${accuracy},,,,10,,,\n`;
}

/** The cache file's entries, read as stored. */
function cacheEntries(runsDir: string): Record<string, { stamp: string; summary: RunSummary }> {
  return (JSON.parse(readFileSync(path.join(runsDir, SUMMARY_CACHE_FILE), 'utf8')) as { runs: Record<string, { stamp: string; summary: RunSummary }> }).runs;
}

test('summariseRuns keeps finished runs\' summaries in runs/index.cache.json and reads a run again only when its manifest, plan, metrics or reports change', async () => {
  await withTempDir('run-list-cache', async (runsDir) => {
    for (const id of ['r1', 'r2']) {
      mkdirSync(path.join(runsDir, id));
      writeManifest(path.join(runsDir, id), {});
      writeFileSync(path.join(runsDir, id, 'metrics.csv'), metricsCsv(0.5));
    }
    const first = await summariseRuns(runsDir);
    assert.deepEqual(first.map((r) => [r.id, r.headline[0]?.value]), [['r1', 0.5], ['r2', 0.5]]);
    assert.deepEqual(Object.keys(cacheEntries(runsDir)).sort(), ['r1', 'r2']);
    assert.equal(cacheEntries(runsDir).r1.summary.dir, '', 'no path of this machine in the cache');

    // Unchanged files: the summary comes from the cache, as stored (marked here to tell it apart).
    const marked = JSON.parse(readFileSync(path.join(runsDir, SUMMARY_CACHE_FILE), 'utf8')) as { runs: Record<string, { summary: { pipeline: string } }> };
    marked.runs.r1.summary.pipeline = 'from-cache';
    writeFileSync(path.join(runsDir, SUMMARY_CACHE_FILE), JSON.stringify(marked));
    const second = await summariseRuns(runsDir);
    assert.deepEqual(second.map((r) => r.pipeline), ['from-cache', 'p']);
    assert.deepEqual(second[1], first[1], 'a cached summary is the summary, key order included');
    assert.equal(JSON.stringify(second[1]), JSON.stringify(first[1]));
    const relative = path.relative(process.cwd(), runsDir);
    assert.deepEqual((await summariseRuns(relative)).map((r) => r.dir), [path.join(relative, 'r1'), path.join(relative, 'r2')], 'dir as the caller names the folder');

    // Each input of a summary changes it: the metrics (rewritten atomically as aggregate does, the same size), the manifest, a new report.
    writeFileSync(path.join(runsDir, 'r1', 'metrics.csv.tmp'), metricsCsv(0.6));
    renameSync(path.join(runsDir, 'r1', 'metrics.csv.tmp'), path.join(runsDir, 'r1', 'metrics.csv'));
    assert.deepEqual((await summariseRuns(runsDir)).map((r) => [r.pipeline, r.headline[0]?.value]), [['p', 0.6], ['p', 0.5]]);
    writeManifest(path.join(runsDir, 'r2'), { status: 'failed' });
    assert.deepEqual((await summariseRuns(runsDir)).map((r) => r.status), ['completed', 'failed']);
    writeFileSync(path.join(runsDir, 'r2', 'report.html'), '<html></html>');
    assert.deepEqual((await summariseRuns(runsDir)).map((r) => r.reports), [[], ['report.html']]);

    // A manifest that says running is judged each time (no run.lock here: interrupted, stale) and never kept.
    mkdirSync(path.join(runsDir, 'r3'));
    writeManifest(path.join(runsDir, 'r3'), { status: 'running' });
    const fourth = await summariseRuns(runsDir);
    assert.equal(fourth[2].status, 'interrupted');
    assert.deepEqual(Object.keys(cacheEntries(runsDir)).sort(), ['r1', 'r2']);

    // runs ls reads the cache but leaves the folder as it is.
    const before = readFileSync(path.join(runsDir, SUMMARY_CACHE_FILE), 'utf8');
    writeManifest(path.join(runsDir, 'r1'), { status: 'failed' });
    assert.equal((await summariseRuns(runsDir, { readOnly: true }))[0].status, 'failed');
    assert.equal(readFileSync(path.join(runsDir, SUMMARY_CACHE_FILE), 'utf8'), before);

    // A broken cache file is ignored and rewritten.
    writeFileSync(path.join(runsDir, SUMMARY_CACHE_FILE), '{not json');
    assert.deepEqual((await summariseRuns(runsDir)).map((r) => r.pipeline), ['p', 'p', 'p']);
    assert.deepEqual(Object.keys(cacheEntries(runsDir)).sort(), ['r1', 'r2']);
  });
});
