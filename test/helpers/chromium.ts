import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Debian's chromium (installed by `.ci/run`: apt-get install -y chromium). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags from DESIGN.md: headless, no sandbox (root in CI), and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumSession {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts chromium with a fresh user-data-dir (removed on close). Throws with the install command when chromium is missing. */
export async function launchChromium(): Promise<ChromiumSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install it with \`apt-get update && apt-get install -y chromium\``);
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
