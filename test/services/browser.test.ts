import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Locator } from 'playwright-core';
import { type DevStack, startDevStack } from '../../drill/dev';
import { call } from './support/http';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const browserTest = hasChromium ? test : test.skip;
const name = 'headless Chromium buys a product through the ui of the dev stack and sees the order';

let stack: DevStack;

beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startDevStack({
    ports: { ui: 0, catalog: 0, carts: 0, orders: 0, checkout: 0 },
    region: 'browser-test-1',
    logLevel: 'silent',
    env: { HEARTBEAT_ENABLED: 'false' },
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

      await page.getByRole('link', { name: 'All my orders' }).click();
      await page.waitForURL('**/orders');
      expect(await page.getByRole('link', { name: orderId }).count()).toBe(1);
      await page.getByRole('link', { name: 'Cart', exact: true }).click();
      await expectText(page.locator('main'), 'Your cart is empty');

      // The order is real: the orders service has it, for the customer in the browser's cookie.
      const customerId = (await browser.cookies()).find((c) => c.name === 'customer_id')!.value;
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
