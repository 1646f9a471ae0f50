import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Collector } from '../../nodes/aggregate/collect.js';
import { buildDocument } from '../../nodes/aggregate/build-document.js';
import { buildCharts } from '../../src/report/charts.js';
import { writeMetricsOutputs } from '../../src/report/write-outputs.js';
import { packageRoot } from '../../src/util/paths.js';
import { allRecords } from '../nodes/aggregate/fixtures.js';
import { launchChromium } from '../helpers/chromium.js';

test('report.html opens from disk in headless Chromium: no console errors, no network, every chart drawn', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-report-'));
  const session = await launchChromium();
  try {
    const collector = new Collector({ by: null, humanRatingField: 'humanRating' });
    for (const r of allRecords()) collector.add(r);
    const { groups, warnings } = collector.finish();
    const doc = buildDocument(groups, warnings, { node: 'scores', seed: 42, params: { humanRatingField: 'humanRating' } });
    const files = await writeMetricsOutputs(doc, { dir, prefixed: false, runId: '20250101-000000-test-abcd', pipelineName: 'paper-classify' });
    const expected = buildCharts(doc).map((c) => c.id);
    // confusion ×4, VA plane ×4, per-class, similarity, two headline charts
    assert.equal(expected.length, 12);

    const page = await session.context.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    const url = pathToFileURL(files.html).href;
    await page.goto(url, { waitUntil: 'load' });

    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests.filter((u) => u !== url), [], 'the page requested something besides itself');
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg ? svg.querySelectorAll('path, rect, line, text').length : 0,
        };
      }),
    );
    assert.deepEqual(charts.map((c) => c.id), expected);
    for (const c of charts) {
      assert.ok(c.width > 50 && c.height > 50, `${c.id}: SVG is ${c.width}×${c.height}`);
      assert.ok(c.marks > 10, `${c.id}: only ${c.marks} SVG elements`);
    }
    assert.equal(await page.locator('#ablation table').count(), 3);
    assert.equal(await page.locator('#comparisons table').count(), 2);
    assert.ok((await page.locator('#comparisons tbody tr').count()) > 0);
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /NaN|undefined/);

    const artifacts = path.join(packageRoot, 'test-artifacts');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 1600 });
    await page.screenshot({ path: path.join(artifacts, 'report-top.png') });
    assert.ok((await readFile(path.join(artifacts, 'report.png'))).length > 10_000);
  } finally {
    await session.close();
    await rm(dir, { recursive: true, force: true });
  }
});
