import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { writeEvidencePack } from '../../../runbooks/evidence/evidence-files';
import { buildEvidencePack } from '../../../runbooks/evidence/evidence-pack';
import { describeInChromium, launchChromium, PAGE_WIDTHS, screenshotDir } from '../../support/headless-chromium';
import { evidenceInput } from './evidence-fixture';

const SHOTS = screenshotDir('REPORT_SCREENSHOT_DIR', 'report-screenshots');
const WIDTHS = PAGE_WIDTHS;

// Issue 16: the evidence pack's page as an auditor reads it, at a desktop and a phone width: the verdict first,
// what was tested, when and by whom, RTO/RPO against the targets, the score per class, nothing wider than the
// window. The screenshots are kept for a person to look at (.local/report-screenshots, or REPORT_SCREENSHOT_DIR).
const name = 'the evidence page at 1280 and 390 px in headless Chromium';
describeInChromium(name, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'evidence-page-'));
    await writeEvidencePack(dir, buildEvidencePack(evidenceInput()));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test.each(WIDTHS)('at %s width (%i px)', async (device, width, height) => {
    const context = await browser.newContext({ viewport: { width, height } });
    try {
      const page = await context.newPage();
      await page.goto(`file://${path.join(dir, 'evidence.html')}`);
      // THEN the first thing it says is the verdict and its first reason
      await expect(page.locator('.verdict').textContent()).resolves.toMatch(
        /^FAILED — 1 lost update\(s\) the shoppers were told succeeded are not in the report as such: /,
      );
      // AND who ran and approved it, and the fault
      const facts = (await page.locator('dl.facts dd').allTextContents()).join(' | ');
      expect(facts).toContain('octocat | hubot');
      expect(facts).toContain('| FIS experiment EXP1a2b3c4d5e6f7');
      // AND RTO against its target, and a row per scored class
      await expect(page.locator('table tr', { hasText: 'RTO' }).first().textContent()).resolves.toMatch(
        /RTO.*17\.0 s.*900\.0 s.*yes/s,
      );
      expect(await page.locator('table.cards.score tbody tr').count()).toBe(4);
      // AND nothing is wider than the window, nor cut off inside a scroll box at desktop width
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const hidden = (await page.evaluate(
        "[...document.querySelectorAll('.scroll')].map((s) => s.scrollWidth - s.clientWidth)",
      )) as number[];
      expect(hidden.filter((h) => h > 0)).toEqual([]);
      const file = path.join(SHOTS, `evidence-${device}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect((await stat(file)).size).toBeGreaterThan(20_000);
    } finally {
      await context.close();
    }
  });
});
