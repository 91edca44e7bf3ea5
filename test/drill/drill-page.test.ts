import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { renderDrillHtml } from '../../drill/report/drill-html';
import { describeInChromium, launchChromium, PAGE_WIDTHS, screenshotDir } from '../support/headless-chromium';
import { fixtureDrillReport } from './drill-report-fixture';

const SHOTS = screenshotDir('DRILL_SCREENSHOT_DIR', 'drill-screenshots');
const WIDTHS = PAGE_WIDTHS;

interface LabelBox {
  readonly text: string;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  /** Where the label's own dashed line is, and where it ends (page px). */
  readonly lineX: number;
  readonly lineBottom: number;
}

// Issue 15 (review newcomer-run F9, F10): drill.html of a --failback drill (fixture: 5 orders lost and replayed,
// errors in the failover and in the failback, 15 markers of which 7 fall within 0.3 s) as the person on call sees
// it at a desktop and a phone width: the headline first, nothing wider than the window, timeline labels at their
// own lines and never overlapping (measured in the browser). Screenshots are kept for a person to look at
// (.local/drill-screenshots, or DRILL_SCREENSHOT_DIR).
const name = 'drill.html at 1280 and 390 px in headless Chromium';
describeInChromium(name, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'drill-page-'));
    await writeFile(path.join(dir, 'drill.html'), renderDrillHtml(fixtureDrillReport({ out: dir })));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test.each(WIDTHS)('at %s width (%i px)', async (device, width, height) => {
    const context = await browser.newContext({ viewport: { width, height } });
    try {
      const page = await context.newPage();
      await page.goto(`file://${path.join(dir, 'drill.html')}`);
      // THEN the first thing under the title is what happened and whether anything was lost
      await expect(page.locator('h1 + p.headline').textContent()).resolves.toBe(
        'us-east-1 failed and us-west-2 took over (shoppers could not buy for 0.9 s); 5 acknowledged orders (20 rows) were lost; 5 were replayed by apply; the failback moved the shop back to us-east-1.',
      );
      // AND the failback's errors are a key figure of their own
      await expect(
        page.locator('tr', { hasText: 'failed requests: failback (planned)' }).locator('td.n').textContent(),
      ).resolves.toBe('90');
      // AND the lost orders show who, how much and when
      await expect(page.locator('table.lost-orders tbody tr').first().textContent()).resolves.toMatch(
        /^2026-12-07 02:39:11\.900 UTCAnnie Jackson <customer0@example\.com>.*42\.80 USD1 × Merino Wool Socks/,
      );
      // AND nothing is wider than the window
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      // AND every marker label sits at its own line (starts or ends within 4 px of it, on the row the line
      // ends at) and overlaps no other label
      const labels = (await page.evaluate(`[...document.querySelectorAll('svg g.marker')].map((g) => {
          const t = g.querySelector('text').getBoundingClientRect();
          const l = g.querySelector('line').getBoundingClientRect();
          return { text: g.querySelector('text').textContent, left: t.left, right: t.right, top: t.top,
            bottom: t.bottom, lineX: l.left + l.width / 2, lineBottom: l.bottom };
        })`)) as LabelBox[];
      expect(labels).toHaveLength(15);
      for (const l of labels) {
        expect({
          label: l.text,
          nearLine: Math.min(Math.abs(l.left - l.lineX), Math.abs(l.right - l.lineX)) < 4,
        }).toEqual({
          label: l.text,
          nearLine: true,
        });
        expect(l.lineBottom).toBeGreaterThan(l.top - 6);
        expect(l.lineBottom).toBeLessThan(l.bottom + 1);
      }
      const overlaps = labels.flatMap((a, i) =>
        labels
          .slice(i + 1)
          .filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
          .map((b) => `${a.text} / ${b.text}`),
      );
      expect(overlaps).toEqual([]);
      // AND the labels stay inside the picture (nothing cut off at its right edge)
      const svgRight = (await page.evaluate(
        "document.querySelector('.timeline svg').getBoundingClientRect().right",
      )) as number;
      expect(labels.filter((l) => l.right > svgRight).map((l) => l.text)).toEqual([]);
      const file = path.join(SHOTS, `drill-${device}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect((await stat(file)).size).toBeGreaterThan(20_000);
    } finally {
      await context.close();
    }
  });
});
