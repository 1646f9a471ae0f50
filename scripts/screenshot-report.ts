// Screenshot of a run's report.html for the README: `node dist/scripts/screenshot-report.js RUN_DIR OUT.png`.
// Headless Debian Chromium (apt-get install -y chromium), no network. The README's image comes from a
// cold quickstart run: `npm start -- --cache-dir /tmp/fresh`, then this script on runs/latest.
// A console error on the page (a CSP violation is one) fails it: a broken page is not a screenshot.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/chromium.js';

const [runDir, out] = process.argv.slice(2);
if (!runDir || !out) {
  console.error('usage: node dist/scripts/screenshot-report.js RUN_DIR OUT.png');
  process.exit(2);
}
const { chromium } = await import('playwright-core');
const profile = await mkdtemp(path.join(os.tmpdir(), 'vaflow-shot-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 1600 } });
try {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(path.resolve(runDir, 'report.html')).href);
  if (errors.length) throw new Error(`the page logged errors:\n${errors.join('\n')}`);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
