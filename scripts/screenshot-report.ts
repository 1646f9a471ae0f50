// Screenshot of a run's report.html for the README: `node dist/scripts/screenshot-report.js RUN_DIR OUT.png`.
// Headless Debian Chromium (apt-get install -y chromium), no network.
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
  await page.goto(pathToFileURL(path.resolve(runDir, 'report.html')).href);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
