// Launches Debian's Chromium through playwright-core (never a downloaded browser).
import { before, after } from 'node:test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../../scripts/lib/static-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic', '--no-first-run',
];

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/**
 * Registers `before`/`after` hooks of the calling test file: serve the repository root over
 * loopback and launch Chromium before its tests, close both after. Returns `{ browser, site }`,
 * filled in once `before` has run (read it inside tests, not at import time).
 */
export function useChromiumAndSite() {
  const ctx = { browser: undefined, site: undefined };
  before(async () => {
    ctx.site = await startStaticServer({ root });
    ctx.browser = await launchChromium();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.site?.close();
  });
  return ctx;
}
