// Debian's Chromium, driven by playwright-core (which downloads no browser). The browser tests
// run wherever it is installed: `.ci/run` installs it; elsewhere `apt-get install chromium`, or
// point CHROMIUM_PATH at any Chromium or Chrome.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const hasChromium = existsSync(chromiumPath);

export const missingChromiumMessage =
  `Browser tests skipped: no Chromium at ${chromiumPath}. Install it (Debian/Ubuntu: apt-get install chromium) ` +
  'or set CHROMIUM_PATH to a Chromium or Chrome binary, then run npm test again.';

/**
 * Headless, with nothing that reaches the network on its own (the machine's network is closed).
 * Each launch gets a fresh temporary profile (playwright passes its own --user-data-dir).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
