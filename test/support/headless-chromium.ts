import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** The Chromium the browser tests drive: `CHROMIUM_PATH` (ci.yml sets it), else Debian's. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Whether that Chromium is installed; the page tests are skipped, saying why, when it is not. */
export const hasChromium = existsSync(CHROMIUM);

/** The widths every page is looked at: a desktop window and a phone. */
export const PAGE_WIDTHS = [
  ['desktop', 1280, 800],
  ['phone', 390, 844],
] as const;

/** `describe` when Chromium is installed; otherwise a skipped block whose name says what is missing. */
export function describeInChromium(name: string, body: () => void): void {
  (hasChromium ? describe : describe.skip)(
    hasChromium ? name : `${name} — SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`,
    body,
  );
}

/** Headless Chromium as the page tests start it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** Where a page test keeps its screenshots for a person to look at: `$<variable>`, else `.local/<folder>`. */
export function screenshotDir(variable: string, folder: string): string {
  return process.env[variable] ?? path.join(__dirname, '..', '..', '.local', folder);
}
