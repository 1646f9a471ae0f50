/**
 * Every chart of a report is also a standalone SVG under figures/, and no text in it is cut: each
 * text element's box lies inside the SVG's viewBox and no label is shortened with an ellipsis — at
 * a large group count with long model names, where the charts' old fixed label limits cut. Titles
 * and labels use factor names and values, not group keys; the per-class legend lists the groups in
 * the order of the per-class table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDocument } from '../../nodes/aggregate/build-document.js';
import { Collector } from '../../nodes/aggregate/collect.js';
import { buildCharts, MAX_BAR_GROUPS } from '../../src/report/charts.js';
import { axesOf, coordValues } from '../../src/report/names.js';
import { perClassTable } from '../../src/report/tables.js';
import { writeMetricsOutputs } from '../../src/report/write-outputs.js';
import { createRng } from '../../src/stats/prng.js';
import type { FlowRecord } from '../../src/types/records.js';
import { launchChromium } from '../helpers/chromium.js';
import { withTempDir } from '../helpers/temp-dir.js';

const LABELS = ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral'];
// Pairs `X` and `X(2024-08)`: ordered by group key (`model=X(2024-08),` before `model=X,`), which differs
// from sorting the labels (`X · …` before `X(2024-08) · …`), so a chart that sorts by label shows.
const MODELS = Array.from({ length: 9 }, (_, i) => `org-${i >> 1}/an-instruction-tuned-model-with-a-long-name-70B-Instruct-Turbo${i % 2 ? '(2024-08)' : ''}`);
const VARIANTS = ['numeric', 'lexical-with-intensity-adverbs', 'quadrant'];
const EMBEDDERS = ['glove', 'sentence-transformers-all-mpnet-base-v2-quantized'];

function records(models: readonly string[], variants: readonly string[]): FlowRecord[] {
  const rng = createRng(3);
  const out: FlowRecord[] = [];
  for (const model of models) {
    for (const variant of variants) {
      for (let i = 0; i < 14; i++) {
        const truth = LABELS[i % 7];
        const roll = rng.next();
        out.push({
          id: `face${i}`, node: 'classify', coords: { model, variant }, labelSet: 'basic7', label: truth,
          valence: rng.next() * 2 - 1, arousal: rng.next() * 2 - 1,
          prediction: roll < 0.1 ? null : roll < 0.6 ? truth : LABELS[(i + 3) % 7], valid: roll >= 0.1,
        });
      }
    }
    for (const embedder of EMBEDDERS) {
      for (let i = 0; i < 14; i++) {
        const raw = 0.3 + rng.next() * 0.5;
        out.push({ id: `face${i}`, node: 'similarity', coords: { model, variant: 'numeric', embedder }, text: 'a calm face', similarity: { raw, nullMean: 0.4, nullStd: 0.1, z: (raw - 0.4) / 0.1, percentile: 50 } });
      }
    }
  }
  return out;
}

async function checkFigures(models: readonly string[], variants: readonly string[]): Promise<void> {
  const collector = new Collector({ by: null });
  for (const r of records(models, variants)) collector.add(r);
  const { groups, warnings } = collector.finish();
  const doc = buildDocument(groups, warnings, { node: 'scores', seed: 1, params: { compare: 'none' } });
  assert.equal(doc.groups.length, models.length * (variants.length + EMBEDDERS.length));
  const classification = doc.groups.filter((g) => g.kind === 'classification');
  const groupNames = classification.map((g) => coordValues(g.coords, axesOf(classification)));
  // The per-class table lists the same groups in the same order.
  assert.deepEqual([...new Set(perClassTable(doc)!.rows.map((r) => r.slice(0, 2).join(' · ')))], groupNames);
  await withTempDir('figures', async (dir) => {
    const written = await writeMetricsOutputs(doc, { dir, prefixed: false });
    const ids = buildCharts(doc).map((c) => c.id);
    const files = (await readdir(path.join(dir, 'figures'))).sort();
    assert.deepEqual(files, ids.map((id) => `${id}.svg`).sort(), 'one SVG per chart, named by the chart id');
    assert.deepEqual(written.figures.map((f) => path.basename(f)), ids.map((id) => `${id}.svg`));

    const session = await launchChromium();
    try {
      const page = await session.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      for (const file of files) {
        const svg = await readFile(path.join(dir, 'figures', file), 'utf8');
        assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${file} is a standalone SVG`);
        assert.doesNotMatch(svg, /<a /, `${file} keeps no page links`);
        await page.goto(pathToFileURL(path.join(dir, 'figures', file)).href);
        const check = await page.evaluate(() => {
          interface Box { left: number; right: number; top: number; bottom: number; width: number }
          interface Node { textContent: string | null; getBoundingClientRect(): Box }
          const doc = (globalThis as unknown as { document: { documentElement: unknown; querySelectorAll(s: string): ArrayLike<Node> } }).document;
          const root = doc.documentElement as { viewBox: { baseVal: { x: number; y: number; width: number; height: number } }; getBoundingClientRect(): Box };
          const box = root.viewBox.baseVal;
          const frame = root.getBoundingClientRect();
          const scale = box.width / frame.width;
          const texts = Array.from(doc.querySelectorAll('text'));
          const outside = texts.flatMap((t) => {
            const r = t.getBoundingClientRect();
            if (r.width === 0) return [];
            const [x0, x1, y0, y1] = [(r.left - frame.left) * scale + box.x, (r.right - frame.left) * scale + box.x, (r.top - frame.top) * scale + box.y, (r.bottom - frame.top) * scale + box.y];
            return x0 < box.x - 0.5 || y0 < box.y - 0.5 || x1 > box.x + box.width + 0.5 || y1 > box.y + box.height + 0.5 ? [`"${t.textContent}" at [${x0.toFixed(1)}, ${y0.toFixed(1)}, ${x1.toFixed(1)}, ${y1.toFixed(1)}] outside ${box.width}×${box.height}`] : [];
          });
          const labels = (selector: string) => Array.from(doc.querySelectorAll(selector)).map((t) => ({ text: t.textContent ?? '', left: Math.round(t.getBoundingClientRect().left), top: t.getBoundingClientRect().top }));
          return { outside, texts: texts.map((t) => t.textContent ?? ''), legend: labels('.role-legend-label text'), axis: labels('.role-axis-label text') };
        });
        assert.deepEqual(check.outside, [], `${file}: clipped text`);
        assert.ok(check.texts.length > 5, `${file}: ${check.texts.length} texts`);
        for (const text of check.texts) {
          assert.doesNotMatch(text, /…/, `${file}: a shortened label "${text}"`);
          assert.doesNotMatch(text, /\w+=\w|\/(classification|similarity)\[|raw_mean|_f1/, `${file}: an internal id in "${text}"`);
        }
        if (file.startsWith('per-class-')) {
          // Bars: the legend, read down each column, then the next (a two-column legend interleaves them in the DOM);
          // a heatmap (many groups): the rows, top to bottom. Either way in the order of the per-class table.
          const legend = check.legend.filter((l) => groupNames.includes(l.text));
          const shown = legend.length > 0 ? legend.sort((a, b) => a.left - b.left || a.top - b.top) : check.axis.filter((l) => groupNames.includes(l.text)).sort((a, b) => a.top - b.top);
          assert.equal(legend.length > 0, groupNames.length <= MAX_BAR_GROUPS, 'bars with a legend up to MAX_BAR_GROUPS groups, else a heatmap');
          assert.deepEqual(shown.map((l) => l.text), groupNames, `${file}: groups in table order`);
          assert.ok(check.texts.includes('Model · prompt variant'), 'the groups are titled with the factor names');
        }
        // Charts with a row per group list them in the order of the tables, top to bottom.
        const rowsOf = (kind: string) => {
          const members = doc.groups.filter((g) => g.kind === kind);
          return members.map((g) => coordValues(g.coords, axesOf(members)));
        };
        const rowCharts: [string, string][] = [['headline-classify-', 'classification'], ['headline-similarity-', 'similarity'], ['similarity-', 'similarity']];
        for (const [prefix, kind] of rowCharts.filter(([p]) => file.startsWith(p))) {
          const names = rowsOf(kind);
          assert.deepEqual(check.axis.filter((l) => names.includes(l.text)).sort((a, b) => a.top - b.top).map((l) => l.text), names, `${file}: rows in table order`);
        }
        if (file.startsWith('confusion-')) {
          assert.ok(check.texts.includes('Confusion matrix') && check.texts.includes('True label') && check.texts.includes('Predicted label'));
          assert.ok(check.texts.some((t) => /^model \S+, prompt variant \S+$/.test(t)), `${file}: subtitle names factors and values`);
        }
      }
      assert.deepEqual(errors, []);
    } finally {
      await session.close();
    }
  });
}

test('figures/*.svg at many groups with long names (per-class as a heatmap): one file per chart, nothing clipped or shortened, human labels, table order', { timeout: 300_000 }, async () => {
  await checkFigures(MODELS, VARIANTS);
});

test('figures/*.svg at a few groups (per-class as bars with a legend): the legend in table order, nothing clipped', { timeout: 300_000 }, async () => {
  // Groups are ordered by key (`model=gpt-4o(2024-08),` before `model=gpt-4o,`), which here differs from
  // sorting the labels (`gpt-4o · …` before `gpt-4o(2024-08) · …`): a legend sorted by label would fail.
  await checkFigures(['gpt-4o', 'gpt-4o(2024-08)', 'llama3.2'], ['numeric', 'lexical']);
});
