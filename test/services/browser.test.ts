import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Cookie, chromium, type Locator } from 'playwright-core';
import { type CanaryRun, CanaryRunner } from '../../drill/canary/run-canary';
import { type DevStack, startDevStack } from '../../drill/dev';
import { call } from './support/http';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const browserTest = hasChromium ? test : test.skip;
const name = 'headless Chromium buys a product through the ui of the dev stack and sees the order';
/** The synthetic shopper's token: the ui's SYNTHETIC_SHOPPER_TOKEN, and the canary's secret. */
const TOKEN = 'browser-test-synthetic-shopper-token-0123456789';
const SECRET_ID = 'shop-test/synthetic-shopper';

let stack: DevStack;

beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startDevStack({
    ports: { ui: 0, catalog: 0, carts: 0, orders: 0, checkout: 0 },
    region: 'browser-test-1',
    logLevel: 'silent',
    env: { HEARTBEAT_ENABLED: 'false', SYNTHETIC_SHOPPER_TOKEN: TOKEN },
  });
});

afterAll(async () => {
  await stack?.stop();
});

browserTest(
  hasChromium ? name : `${name} — SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`,
  async () => {
    const profile = await mkdtemp(path.join(tmpdir(), 'shop-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // Issue 14: times are shown in the shopper's time zone, the browser's.
      timezoneId: 'Asia/Tokyo',
      locale: 'en-US',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(stack.urls.ui);
      await expectText(page.getByTestId('region'), 'Served from browser-test-1');

      await page.getByRole('link', { name: 'Browse the catalog' }).click();
      await page.getByRole('link', { name: 'Compact Binoculars' }).first().click();
      await expectText(page.locator('h1'), 'Compact Binoculars');
      await page.getByLabel('Quantity').fill('2');
      await page.getByRole('button', { name: 'Add to cart' }).click();

      await page.waitForURL('**/cart');
      await expectText(page.getByTestId('cart-total'), '$298.00');
      await page.getByRole('link', { name: 'Proceed to checkout' }).click();

      await page.waitForURL('**/checkout');
      const fields: Record<string, string> = {
        'First name': 'Mary',
        'Last name': 'Jackson',
        Email: 'mary@example.com',
        Address: '4 Wind Tunnel Rd',
        City: 'Hampton',
        State: 'VA',
        'ZIP code': '23666',
      };
      for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByLabel('Delivery').selectOption('priority');
      await page.getByRole('button', { name: 'Review order' }).click();

      await page.waitForURL('**/checkout/review');
      // 298.00 + 15.00 priority shipping + 14.90 tax (5 %)
      await expectText(page.getByTestId('checkout-total'), '$327.90');
      await page.getByRole('button', { name: 'Place order' }).click();

      await page.waitForURL('**/orders/*?placed=1');
      await expectText(page.getByRole('status'), 'Thank you! Your order has been placed.');
      await expectText(page.getByTestId('order-total'), '$327.90');
      await expectText(page.getByTestId('region'), 'Served from browser-test-1');
      const orderId = (await page.getByTestId('order-id').textContent())!.trim();
      // Issue 14: a short order number, and the time in the browser's zone (Tokyo, UTC+9), not UTC.
      const number = (await page.getByTestId('order-number').textContent())!.trim();
      expect(number).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
      expect(orderId.replaceAll('-', '').toUpperCase().endsWith(number.replaceAll('-', ''))).toBe(true);
      const placedAt = page.locator('time[data-local-time]').first();
      await page.waitForFunction("!document.querySelector('time[data-local-time]').textContent.endsWith('UTC')");
      expect(await placedAt.getAttribute('title')).toBe('Asia/Tokyo');
      const iso = (await placedAt.getAttribute('datetime'))!;
      const inTokyo = new Intl.DateTimeFormat('en-US', {
        timeZone: 'Asia/Tokyo',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
      }).format(new Date(iso));
      const spaces = (text: string) => text.replace(/\s+/gu, ' ');
      expect(spaces((await placedAt.textContent())!)).toBe(spaces(inTokyo));
      expect(inTokyo).toContain('GMT+9');

      await page.getByRole('link', { name: 'All my orders' }).click();
      await page.waitForURL('**/orders');
      expect(await page.getByRole('link', { name: number }).count()).toBe(1);
      await page.getByRole('link', { name: 'Cart', exact: true }).click();
      await expectText(page.locator('main'), 'Your cart is empty');

      // The order is real: the orders service has it, for the customer in the browser's cookie.
      // The cookie is `<customer id>.<signature>` (issue 14, review m4).
      const customerId = (await browser.cookies()).find((c) => c.name === 'customer_id')!.value.split('.')[0];
      const order = (await call(stack.urls.orders, 'GET', `/orders/${orderId}`)).json();
      expect(order).toMatchObject({ id: orderId, customerId, status: 'placed', total: 327.9 });
      expect(order.items).toEqual([
        expect.objectContaining({ name: 'Compact Binoculars', quantity: 2, unitPrice: 149 }),
      ]);
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    }
  },
);

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.first().waitFor();
  expect(await locator.first().textContent()).toContain(text);
}

// Issue 12, review M2: the canary's journey places an order as the synthetic shopper. The script the stacks deploy to
// CloudWatch Synthetics runs here unmodified, as the drill runs it (drill/canary: Chromium, and stand-ins for the
// Synthetics modules and for Secrets Manager, from which the canary reads its token), against this file's dev stack.
const journeyName = 'the canary journey places a synthetic order, a new one per run, through the ui of the dev stack';
(hasChromium ? describe : describe.skip)(
  hasChromium ? journeyName : `${journeyName} — SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`,
  () => {
    const STEPS = ['home', 'catalog', 'product', 'add-to-cart', 'cart', 'checkout', 'place-order', 'confirmation'];
    let runner: CanaryRunner;
    const runs: CanaryRun[] = [];
    const environment = { SYNTHETIC_SHOPPER_SECRET_ID: SECRET_ID };
    const orderIdOf = (run: CanaryRun) =>
      /order ([0-9a-f-]{36}) placed/.exec(run.log.map((l) => l.message).join('\n'))?.[1];

    beforeAll(async () => {
      runner = CanaryRunner.start({ chromiumPath: CHROMIUM, track: () => () => undefined });
      for (let i = 0; i < 2; i++) {
        runs.push(await runner.run(stack.urls.ui, { environment, secrets: { [SECRET_ID]: TOKEN } }));
      }
    }, 120_000);

    afterAll(async () => {
      await runner?.close();
    });

    test('GIVEN the token WHEN the journey runs twice THEN each run passes every step, home to the confirmation', () => {
      for (const run of runs) {
        expect({ error: run.error, steps: run.steps.map((s) => [s.name, s.status]) }).toEqual({
          error: null,
          steps: STEPS.map((step) => [step, 'passed']),
        });
      }
    });

    test('THEN each run placed its own order, synthetic, for a customer of its own', async () => {
      const orders = [];
      for (const run of runs) {
        const id = orderIdOf(run);
        expect(id).toBeDefined();
        orders.push((await call(stack.urls.orders, 'GET', `/orders/${id}`)).json());
      }
      expect(orders.map((o) => o.synthetic)).toEqual([true, true]);
      expect(new Set(orders.map((o) => o.id)).size).toBe(2);
      expect(new Set(orders.map((o) => o.customerId)).size).toBe(2);
      // The idempotency key is the checkout version's: one per run, never reused by a later run.
      expect(new Set(orders.map((o) => o.idempotencyKey)).size).toBe(2);
      for (const order of orders) expect(order.idempotencyKey).toMatch(/^checkout-.+-v\d+$/);
    });

    test('GIVEN the cookie and a cart line an earlier run left WHEN the journey runs THEN it passes and places a new order of its own', async () => {
      // An interrupted earlier run: same browser (cookies kept), which put something in the cart and stopped.
      const leftover = runs[1]!;
      const earlier = (await call(stack.urls.orders, 'GET', `/orders/${orderIdOf(leftover)}`)).json();
      const MUG = '01a21b3d-b6ba-707b-9b8e-148fae29e3ad';
      expect(
        (
          await call(stack.urls.carts, 'POST', `/carts/${earlier.customerId}/items`, {
            json: { itemId: MUG, quantity: 1 },
          })
        ).status,
      ).toBe(201);
      const run = await runner.run(stack.urls.ui, { environment, secrets: { [SECRET_ID]: TOKEN }, keepCookies: true });
      expect({ error: run.error, status: run.status }).toEqual({ error: null, status: 'passed' });
      const order = (await call(stack.urls.orders, 'GET', `/orders/${orderIdOf(run)}`)).json();
      expect(order).toMatchObject({ customerId: earlier.customerId, synthetic: true });
      expect(order.id).not.toBe(earlier.id);
      expect(order.idempotencyKey).not.toBe(earlier.idempotencyKey);
      expect(order.items.map((i: { productId: string }) => i.productId)).toContain(MUG);
    });

    test('GIVEN a token the ui does not accept WHEN the journey runs THEN it fails at home and places nothing', async () => {
      const run = await runner.run(stack.urls.ui, { environment, secrets: { [SECRET_ID]: `${TOKEN}-stale` } });
      expect(run.status).toBe('failed');
      expect(run.steps.map((s) => [s.name, s.status])).toEqual([['home', 'failed']]);
      expect(run.error).toContain('HTTP 403');
      expect(orderIdOf(run)).toBeUndefined();
    });

    test('GIVEN no secret to read the token from WHEN the journey runs THEN it fails before any page, naming the variable', async () => {
      const run = await runner.run(stack.urls.ui, { environment: {}, secrets: {} });
      expect(run.status).toBe('failed');
      expect(run.steps).toEqual([]);
      expect(run.error).toContain('SYNTHETIC_SHOPPER_SECRET_ID');
    });
  },
);

// Issue 14: the pages changed for shoppers (order confirmation with and without the synthetic notice, the orders list,
// error pages) at a desktop and a phone width, saved as screenshots for a person to look at (.local/ui-screenshots,
// or UI_SCREENSHOT_DIR), and checked for what a person would notice first: nothing wider than the screen, the
// shopper's message on error pages. And a form posted from another site is refused in a real browser (review m5).
const lookName = 'the changed pages at 1280 and 390 px, and a cross-site form post, in headless Chromium';
(hasChromium ? describe : describe.skip)(
  hasChromium ? lookName : `${lookName} — SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`,
  () => {
    const SHOTS = process.env.UI_SCREENSHOT_DIR ?? path.join(__dirname, '..', '..', '.local', 'ui-screenshots');
    const WIDTHS = [
      ['desktop', 1280, 800],
      ['phone', 390, 844],
    ] as const;
    let browser: Browser;
    let placedUrl: string;
    let syntheticUrl: string;
    /** The cookies of the visitor who placed each order, by its confirmation URL. */
    const visitorCookies = new Map<string, Cookie[]>();

    beforeAll(async () => {
      await mkdir(SHOTS, { recursive: true });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
      });
      placedUrl = await placeOrder({});
      syntheticUrl = await placeOrder({ 'x-synthetic-shopper': TOKEN });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
    });

    /** Buys one product through the forms in a fresh context; returns the confirmation's URL. */
    async function placeOrder(headers: Record<string, string>): Promise<string> {
      const context = await browser.newContext({ extraHTTPHeaders: headers });
      try {
        const page = await context.newPage();
        await page.goto(`${stack.urls.ui}/catalog/01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed`);
        await page.getByRole('button', { name: 'Add to cart' }).click();
        await page.waitForURL('**/cart');
        await page.goto(`${stack.urls.ui}/checkout`);
        const fields: Record<string, string> = {
          'First name': 'Dorothy',
          'Last name': 'Vaughan',
          Email: 'dorothy@example.com',
          Address: '1 West Computing Way',
          City: 'Hampton',
          State: 'VA',
          'ZIP code': '23666',
        };
        for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
        await page.getByRole('button', { name: 'Review order' }).click();
        await page.waitForURL('**/checkout/review');
        await page.getByRole('button', { name: 'Place order' }).click();
        await page.waitForURL('**/orders/*?placed=1');
        visitorCookies.set(page.url(), await context.cookies());
        return page.url();
      } finally {
        await context.close();
      }
    }

    interface Look {
      readonly name: string;
      readonly url: () => string;
      readonly status: number;
      readonly says: string;
      /** The visitor's cookies come from the order placed at this URL. */
      readonly ordered?: () => string;
      readonly headers?: Record<string, string>;
    }
    const looks: readonly Look[] = [
      {
        name: 'order-confirmation',
        url: () => placedUrl,
        ordered: () => placedUrl,
        status: 200,
        says: 'Thank you! Your order has been placed.',
      },
      {
        name: 'order-synthetic',
        url: () => syntheticUrl,
        ordered: () => syntheticUrl,
        status: 200,
        says: 'Synthetic order',
        headers: { 'x-synthetic-shopper': TOKEN },
      },
      {
        name: 'orders-list',
        url: () => `${stack.urls.ui}/orders`,
        ordered: () => placedUrl,
        status: 200,
        says: 'My orders',
      },
      {
        name: 'error-404',
        url: () => `${stack.urls.ui}/no-such-page`,
        status: 404,
        says: 'There is no page at this address.',
      },
      {
        name: 'error-400',
        url: () => `${stack.urls.ui}/catalog/not-a-product`,
        status: 400,
        says: 'This product link is not valid.',
      },
    ];
    const cases = WIDTHS.flatMap(([device, width, height]) => looks.map((look) => ({ device, width, height, look })));

    test.each(cases)(
      'GIVEN a $device ($width px) WHEN it shows $look.name THEN the page fits the width and says what it should',
      async ({ device, width, height, look }) => {
        const context = await browser.newContext({
          viewport: { width, height },
          timezoneId: 'America/New_York',
          ...(look.headers ? { extraHTTPHeaders: look.headers } : {}),
        });
        try {
          // The orders list and confirmations belong to the visitor who ordered: that visitor's cookie.
          if (look.ordered) await context.addCookies(visitorCookies.get(look.ordered()) ?? []);
          const page = await context.newPage();
          const response = await page.goto(look.url());
          expect(response?.status()).toBe(look.status);
          await expectText(page.locator('main'), look.says);
          const overflow = await page.evaluate(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          expect(overflow).toBeLessThanOrEqual(0);
          // Nor is a table cut off inside its scroll box (the order's total must be in view).
          const hidden = await page.evaluate(
            "[...document.querySelectorAll('.table-scroll')].map((box) => box.scrollWidth - box.clientWidth)",
          );
          expect(hidden).toEqual((hidden as number[]).map(() => 0));
          // The order number is one line, not broken at a hyphen (an inline box has one client rect per line).
          for (const number of await page.getByTestId('order-number').all()) {
            expect(await number.evaluate((element) => element.getClientRects().length)).toBe(1);
          }
          const file = path.join(SHOTS, `${look.name}-${device}.png`);
          await page.screenshot({ path: file, fullPage: true });
          expect((await stat(file)).size).toBeGreaterThan(5_000);
        } finally {
          await context.close();
        }
      },
    );

    test('GIVEN a page of another site with a form that posts to the shop WHEN it is submitted THEN the shop answers with its 403 page and the cart is unchanged', async () => {
      const shop = new URL(stack.urls.ui);
      // Another site: localhost is not 127.0.0.1 (another site, not only another origin).
      const evil = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(`<!doctype html><form id="f" method="post" action="${shop.origin}/cart">
<input name="productId" value="01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed"><input name="quantity" value="5">
<button>Win a prize</button></form>`);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${stack.urls.ui}/`);
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${shop.origin}/cart` && r.request().method() === 'POST'),
          (async () => {
            await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
            await page.getByRole('button', { name: 'Win a prize' }).click();
          })(),
        ]);
        expect(response.status()).toBe(403);
        await expectText(page.locator('main'), 'This form was sent from another site');
        await page.screenshot({ path: path.join(SHOTS, 'error-403-cross-site-desktop.png'), fullPage: true });
        await page.goto(`${stack.urls.ui}/cart`);
        await expectText(page.locator('main'), 'Your cart is empty');
      } finally {
        await context.close();
        await new Promise((resolve) => evil.close(resolve));
      }
    });
  },
);
