/**
 * The report of a real run (test/report/report-run.ts) in headless Chromium: the item explorer
 * filters, pages, sorts and is reached from the confusion-matrix cells; every link on the page
 * resolves; nothing is requested from the network; no console error (a CSP violation is one).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { manifestOf } from '../helpers/run-manifest.js';
import type { MetricsDocument, MetricsGroup } from '../../src/report/metrics-document.js';
import { itemsAnchor } from '../../src/report/names.js';
import type { SimilarityItems, SingleLabelItems } from '../../src/stats/group-data.js';
import { launchChromium, type ChromiumSession } from '../helpers/chromium.js';
import type { OpenAIServer } from '../helpers/openai-server.js';
import { makeReportRun, startReportServer } from './report-run.js';

let dir: string;
let runDir: string;
let server: OpenAIServer;
let session: ChromiumSession;
let doc: MetricsDocument;
let page: Page;
let pageUrl: string;
const consoleErrors: string[] = [];
const requests: string[] = [];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-explorer-'));
  server = await startReportServer();
  ({ runDir } = await makeReportRun(dir, server.url));
  doc = JSON.parse(readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as MetricsDocument;
  session = await launchChromium();
});

after(async () => {
  await session?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh tab on the report, recording console errors and every request. */
async function openReport(): Promise<Page> {
  page = await session.context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  pageUrl = pathToFileURL(path.join(runDir, 'report.html')).href;
  await page.goto(pageUrl, { waitUntil: 'load' });
  return page;
}

function assertOffline(): void {
  assert.deepEqual(consoleErrors, [], 'console errors');
  assert.deepEqual(requests.filter((u) => u.split('#')[0] !== pageUrl), [], 'the page requested something besides itself');
}

function group(model: string, variant: string, kind: MetricsGroup['kind'] = 'classification'): MetricsGroup {
  const g = doc.groups.find((x) => x.kind === kind && x.coords.model === model && x.coords.variant === variant);
  assert.ok(g, `no ${kind} group for ${model} / ${variant}`);
  return g;
}

async function rows(anchor: string): Promise<Record<string, string>[]> {
  return page.$$eval(`#${anchor} table.items`, (tables) => {
    const head = [...tables[0].querySelectorAll('thead th')].map((c) => c.textContent ?? '');
    return [...tables[0].querySelectorAll('tbody tr')].map((r) => Object.fromEntries([...r.querySelectorAll('td')].map((c, i) => [head[i], c.textContent ?? ''])));
  });
}

async function count(anchor: string): Promise<string> {
  return (await page.locator(`#${anchor} p.count`).textContent()) ?? '';
}

describe('report.html item explorer', () => {
  test('opens from disk offline: one section per classification and description group, rows drawn 50 at a time', async () => {
    await openReport();
    const explored = doc.groups.filter((g) => g.kind !== 'va');
    assert.equal(explored.length, 5);
    const sections = await page.$$eval('section.explorer', (s) => s.map((e) => e.id));
    assert.deepEqual(sections, explored.map((g) => itemsAnchor(g.key)));
    for (const g of explored) {
      const anchor = itemsAnchor(g.key);
      assert.equal(await count(anchor), `${g.n} of ${g.n} items · showing 1–50`);
      assert.equal((await rows(anchor)).length, 50, 'only the first page is in the DOM');
    }
    // Page 2 of a 63-item group: rows 51–63, and the ids continue in metrics.json order.
    const g = group('local', 'numeric');
    const anchor = itemsAnchor(g.key);
    await page.locator(`#${anchor} .pager button`, { hasText: 'next' }).click();
    assert.equal(await count(anchor), '63 of 63 items · showing 51–63');
    assert.deepEqual((await rows(anchor)).map((r) => r.item), g.items.keys.slice(50));

    // Tokens and cost per model, from the manifest: the priced loopback model's three tasks.
    const manifest = manifestOf(runDir);
    const local = Object.entries(manifest.tasks).filter(([id]) => /^(classify|describe)\[model=local,/.test(id)).map(([, s]) => s);
    assert.equal(local.length, 3);
    const usage = await page.$$eval('#usage-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(usage.map((r) => r[0]), ['circumplex', 'local']);
    const sum = (k: 'inputTokens' | 'outputTokens' | 'cost') => local.reduce((n, x) => n + (x[k] ?? 0), 0);
    // Cached + calls = items: identical prompts share one call (the call-level cache), even on a cold run.
    const [, tasks, items, cached, calls, ...spent] = usage[1]!;
    assert.deepEqual([tasks, items, Number(cached) + Number(calls)], ['3', '189', 189]);
    assert.equal(Number(calls), local.reduce((n, x) => n + x.cacheMisses, 0));
    assert.deepEqual(spent, [String(sum('inputTokens')), String(sum('outputTokens')), sum('cost').toFixed(4)]);
    assert.ok(sum('cost') > 0);
    assertOffline();
  });

  test('filters by truth, prediction and result select exactly the items metrics.json scores that way', async () => {
    await openReport();
    const g = group('local', 'numeric');
    const items = g.items as SingleLabelItems;
    const anchor = itemsAnchor(g.key);
    const truthCode = items.labels.indexOf('sadness');
    const expectWrong = items.keys.filter((_, i) => items.truth[i] === truthCode && items.pred[i] !== truthCode);
    assert.ok(expectWrong.length > 0 && expectWrong.length < 50, `fixture: ${expectWrong.length} wrong sadness items`);
    await page.selectOption(`#${anchor} select[name=truth]`, 'sadness');
    await page.selectOption(`#${anchor} select[name=result]`, 'wrong');
    const wrong = await rows(anchor);
    assert.deepEqual(wrong.map((r) => r.item), expectWrong);
    for (const r of wrong) {
      assert.equal(r.truth, 'sadness');
      assert.notEqual(r.prediction, 'sadness');
      assert.match(r.result, /^(wrong|invalid)$/);
    }
    assert.equal(await count(anchor), `${expectWrong.length} of 63 items · showing 1–${expectWrong.length}`);

    // Invalid answers only: each with the model's answer as given and why it could not be read.
    await page.selectOption(`#${anchor} select[name=truth]`, '');
    await page.selectOption(`#${anchor} select[name=result]`, 'invalid');
    const invalid = await rows(anchor);
    assert.equal(invalid.length, items.pred.filter((p) => p === -1).length);
    assert.ok(invalid.length >= 3, 'the fixture has invalid answers');
    const reasons = new Set(invalid.map((r) => r['invalid reason']));
    assert.ok(reasons.has('refusal') && reasons.has('empty'), `reasons: ${[...reasons].join(', ')}`);
    for (const r of invalid.filter((x) => x['invalid reason'] === 'refusal')) assert.match(r["model's answer"], /can't provide a classification/);
    for (const r of invalid) assert.equal(r.prediction, '(invalid)');

    // A prediction filter; and an item-id search.
    await page.selectOption(`#${anchor} select[name=result]`, '');
    await page.selectOption(`#${anchor} select[name=pred]`, 'happiness');
    const happy = await rows(anchor);
    assert.equal(happy.length, items.pred.filter((p) => p === items.labels.indexOf('happiness')).length);
    assert.ok(happy.every((r) => r.prediction === 'happiness'));
    await page.selectOption(`#${anchor} select[name=pred]`, '');
    await page.fill(`#${anchor} input[name=id]`, 'term-sad');
    assert.ok((await rows(anchor)).every((r) => r.item.includes('term-sad')));

    // The group filter shows one section and hides the others.
    const other = itemsAnchor(group('circumplex', 'lexical').key);
    await page.selectOption('#explorer-group', other);
    assert.equal(await page.locator(`#${other}`).isVisible(), true);
    assert.equal(await page.locator(`#${anchor}`).isVisible(), false);
    assertOffline();
  });

  test('confusion-matrix cells link to their items; every link on the page resolves', async () => {
    await openReport();
    const g = group('local', 'numeric');
    const cm = g.confusion!;
    const anchor = itemsAnchor(g.key);
    // The off-diagonal cell with the most items, and the invalid column of the same truth row.
    let best = { r: 0, c: 1, n: -1 };
    cm.counts.forEach((row, r) => row.forEach((n, c) => { if (cm.labels[r] !== cm.columns[c] && cm.columns[c] !== '(invalid)' && n > best.n) best = { r, c, n }; }));
    const invalidColumn = cm.columns.indexOf('(invalid)');
    const invalidRow = cm.counts.findIndex((row) => row[invalidColumn] > 0);
    for (const { r, c } of [best, { r: invalidRow, c: invalidColumn }]) {
      const truth = cm.labels[r];
      const pred = cm.columns[c];
      const href = `#${anchor}?truth=${encodeURIComponent(truth)}&pred=${encodeURIComponent(pred)}`;
      const cell = page.locator(`figure[data-chart="confusion-${anchor.slice('items-'.length)}"] a[*|href="${href}"] path`);
      assert.equal(await cell.count(), 1, `one cell links to ${href}`);
      // A user's click lands on whatever is on top: the count over the cell links to the same items.
      await cell.scrollIntoViewIfNeeded();
      const box = (await cell.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForFunction((h) => (globalThis as unknown as { location: { hash: string } }).location.hash === h, href);
      // hashchange fires after the hash is set: wait until its handler has set both filters (it
      // redraws the rows in the same task).
      await page.waitForFunction(([a, t, p]) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document;
        return doc.querySelector(`#${a} [data-filter=truth]`)?.value === t && doc.querySelector(`#${a} [data-filter=pred]`)?.value === p;
      }, [anchor, truth, pred] as const);
      const shown = await rows(anchor);
      assert.equal(shown.length, cm.counts[r][c], `${truth} → ${pred}`);
      for (const row of shown) assert.deepEqual([row.truth, row.prediction], [truth, pred]);
      assert.equal(await page.locator(`#${anchor} select[name=truth]`).inputValue(), truth);
    }

    const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href') ?? a.getAttribute('xlink:href') ?? ''));
    assert.ok(links.length > 20, `${links.length} links`);
    const ids = new Set(await page.$$eval('[id]', (es) => es.map((e) => e.id)));
    for (const href of new Set(links)) {
      if (href.startsWith('#')) assert.ok(ids.has(href.slice(1).split('?')[0]), `in-page link ${href} has no target`);
      else assert.ok(existsSync(path.join(runDir, decodeURIComponent(href))), `link ${href}: no such file in the run folder`);
    }
    assert.ok(links.includes('predictions.csv'));
    // The same chart as a standalone figure: no links into a page it is not part of.
    const figure = readFileSync(path.join(runDir, 'figures', `confusion-${anchor.slice('items-'.length)}.svg`), 'utf8');
    assert.doesNotMatch(figure, /<a[ >]|href=/);
    assert.match(figure, /aria-label="true sadness, answered \w+: \d+ item\(s\)"/);
    assert.ok(links.some((l) => l.startsWith('figures/confusion-')));
    assertOffline();
  });

  test('descriptions: text, reference and scores beside each item, sorted by similarity on request', async () => {
    await openReport();
    const g = doc.groups.find((x) => x.kind === 'similarity')!;
    const items = g.items as SimilarityItems;
    const anchor = itemsAnchor(g.key);
    const first = (await rows(anchor))[0];
    assert.equal(first.item, items.keys[0]);
    assert.match(first.description, /^The person looks \w+ and \w+, with a \w+ face\.$/);
    assert.ok(first.reference.length > 5);
    // Shown to 3 (z: 2) decimals.
    const near = (shown: string, value: number | null, digits: number) => assert.ok(Math.abs(Number(shown) - value!) <= 0.6 * 10 ** -digits, `${shown} vs ${value}`);
    near(first['raw cosine'], items.raw[0], 3);
    near(first.z, items.z[0], 2);

    await page.selectOption(`#${anchor} select[name=sort]`, 'raw:desc');
    const sorted = (await rows(anchor)).map((r) => r['raw cosine']);
    const expected = items.raw.filter((r): r is number => r !== null).sort((a, b) => b - a).slice(0, 50);
    assert.equal(sorted.length, 50);
    sorted.forEach((shown, i) => near(shown, expected[i], 3));
    await page.selectOption(`#${anchor} select[name=sort]`, 'z:asc');
    const z = (await rows(anchor)).map((r) => Number(r.z));
    assert.deepEqual(z, [...z].sort((a, b) => a - b));
    // Truth filter on descriptions: the item's label.
    await page.selectOption(`#${anchor} select[name=truth]`, 'fear');
    assert.ok((await rows(anchor)).every((r) => r.truth === 'fear'));
    assertOffline();
  });

  test('predictions.csv of the run: every record the aggregate read, its correctness as metrics.json scores it', async () => {
    const { parse } = await import('csv-parse/sync');
    const rows = parse(readFileSync(path.join(runDir, 'predictions.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const explored = doc.groups.filter((g) => g.kind !== 'va');
    assert.equal(rows.length, explored.reduce((n, g) => n + g.n, 0));
    for (const g of explored.filter((x) => x.kind === 'classification')) {
      const items = g.items as SingleLabelItems;
      const mine = rows.filter((r) => r.node === g.node && r.model === g.coords.model && r.variant === g.coords.variant);
      assert.deepEqual(mine.map((r) => r.id), items.keys, 'sorted by id, as metrics.json orders items');
      assert.deepEqual(mine.map((r) => r.correct === 'true'), items.truth.map((t, i) => items.pred[i] === t), `${g.label}: correct`);
    }
  });
});
