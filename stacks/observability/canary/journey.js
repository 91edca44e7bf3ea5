// CloudWatch Synthetics canary (Node.js + Puppeteer runtime): the shopper journey home → catalog → product →
// add to cart → cart → checkout → place order → order confirmation, against TARGET_URL. Each step is a Synthetics
// step, so a failure names the step that broke. The pages: /, /catalog, /catalog/{id}, a POST /cart form, /cart,
// the /checkout address form, /checkout/review with "Place order", /orders/{id}?placed=1 (services/ui).
//
// It places a real order, as the shop's synthetic shopper: every request carries the `x-synthetic-shopper` header
// with the token read from Secrets Manager (SYNTHETIC_SHOPPER_SECRET_ID), which the ui also holds; the ui refuses a
// wrong token (403), and marks the orders of the right one synthetic, which business metrics leave out and a
// retention job deletes after a few days (services/README.md, "Synthetic shopper"). Without a token it places
// nothing. A run without the ui's cookie is a new customer; with a cookie left by an earlier run, the journey still
// holds (it asserts only that its own product is in the cart, the review and the order, and saving the address
// makes a new checkout version). Its order is placed once: "Place order" submits the reviewed checkout version,
// whose idempotency key the checkout service sends to orders.
//
// The same file runs unmodified in the local drill and tests (drill/canary), with stand-ins for the runtime modules.
// The module names of syn-nodejs-puppeteer-13.1 and later (CloudWatch Synthetics, runtime versions using Node.js and
// Puppeteer: "Synthetics → @aws/synthetics-puppeteer", "SyntheticsLogger → @aws/synthetics-logger").
const synthetics = require('@aws/synthetics-puppeteer');
const log = require('@aws/synthetics-logger');

const TIMEOUT_MS = 20000;
const SYNTHETIC_SHOPPER_HEADER = 'x-synthetic-shopper';
/** The synthetic shopper's address: example.com is reserved for examples (RFC 2606), so no mail goes anywhere. */
const SHOPPER = {
  firstName: 'Synthetic',
  lastName: 'Shopper',
  email: 'canary@example.com',
  address1: '1 Canary Way',
  city: 'Seattle',
  state: 'WA',
  zip: '98101',
  deliveryOptionToken: 'standard',
};

function targetUrl() {
  const target = process.env.TARGET_URL;
  if (!target || !/^https?:\/\//.test(target)) {
    throw new Error(`TARGET_URL: ${JSON.stringify(target)} is not a URL; accepted: http(s)://host`);
  }
  return target.replace(/\/+$/, '');
}

/** The synthetic shopper's token, from the Secrets Manager secret the stack names in SYNTHETIC_SHOPPER_SECRET_ID. */
async function syntheticShopperToken() {
  const secretId = process.env.SYNTHETIC_SHOPPER_SECRET_ID;
  if (!secretId) {
    throw new Error(
      'SYNTHETIC_SHOPPER_SECRET_ID is unset: the journey places orders only as the synthetic shopper; accepted: the name or ARN of the secret holding its token',
    );
  }
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const answer = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!answer.SecretString) throw new Error(`SYNTHETIC_SHOPPER_SECRET_ID=${secretId}: the secret holds no string`);
  return answer.SecretString;
}

/** Fills `values` into the form matching `selector` by field name, submits it and waits for the page it leads to. */
async function submitForm(page, selector, values, what) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: TIMEOUT_MS }),
    page.$eval(
      selector,
      (form, fields) => {
        for (const [name, value] of Object.entries(fields)) {
          const field = form.elements.namedItem(name);
          if (!field) throw new Error(`no field ${name}`);
          field.value = value;
        }
        form.requestSubmit();
      },
      values,
    ),
  ]);
  if (response && response.status() >= 400) throw new Error(`${what}: HTTP ${response.status()}`);
  return response;
}

async function textOf(page, selector, what) {
  const text = await page.$eval(selector, (element) => element.textContent.trim()).catch(() => undefined);
  if (text === undefined) throw new Error(`${what}: no ${selector} on the page`);
  return text;
}

async function open(page, url) {
  const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: TIMEOUT_MS });
  if (!response) throw new Error(`GET ${url}: no response`);
  if (response.status() >= 400) throw new Error(`GET ${url}: HTTP ${response.status()}`);
  return response;
}

const journey = async () => {
  const base = targetUrl();
  const token = await syntheticShopperToken();
  const page = await synthetics.getPage();
  await page.setExtraHTTPHeaders({ [SYNTHETIC_SHOPPER_HEADER]: token });
  if (process.env.IGNORE_CERTIFICATE_ERRORS === 'true') {
    // The local canary calls the load balancer by its own DNS name, which the certificate (issued for the
    // shop's global name) never matches; it checks the Region's serving path, not the certificate.
    const session = await page.target().createCDPSession();
    await session.send('Security.setIgnoreCertificateErrors', { ignore: true });
  }
  let productUrl;
  let productId;
  let productName;
  let orderId;

  await synthetics.executeStep('home', async () => {
    await open(page, `${base}/`);
    await page.waitForSelector('a[href="/catalog"]', { timeout: TIMEOUT_MS });
  });

  await synthetics.executeStep('catalog', async () => {
    await open(page, `${base}/catalog`);
    const links = await page.$$eval('a[href*="/catalog/"]', (anchors) => anchors.map((a) => a.href));
    productUrl = links.find((href) => /\/catalog\/[^/?#]+$/.test(new URL(href).pathname));
    if (!productUrl) throw new Error('catalog: no product link (a[href*="/catalog/<id>"]) on the page');
    productId = new URL(productUrl).pathname.split('/').pop();
    log.info(`catalog: opening product ${productId}`);
  });

  await synthetics.executeStep('product', async () => {
    await open(page, productUrl);
    await page.waitForSelector('form[action$="/cart"]', { timeout: TIMEOUT_MS });
    productName = await textOf(page, 'h1', 'product');
  });

  await synthetics.executeStep('add-to-cart', async () => {
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: TIMEOUT_MS }),
      page.$eval('form[action$="/cart"]', (form) => form.requestSubmit()),
    ]);
    if (response && response.status() >= 400) throw new Error(`POST /cart: HTTP ${response.status()}`);
  });

  await synthetics.executeStep('cart', async () => {
    await open(page, `${base}/cart`);
    const html = await page.content();
    if (!html.includes(productId)) throw new Error(`cart: product ${productId} is not in the cart`);
    await page.waitForSelector('a[href="/checkout"]', { timeout: TIMEOUT_MS });
  });

  await synthetics.executeStep('checkout', async () => {
    await open(page, `${base}/checkout`);
    await page.waitForSelector('form[action$="/checkout"]', { timeout: TIMEOUT_MS });
    await submitForm(page, 'form[action$="/checkout"]', SHOPPER, 'POST /checkout');
    if (!new URL(page.url()).pathname.endsWith('/checkout/review')) {
      throw new Error(`checkout: the address form led to ${page.url()}, not /checkout/review`);
    }
    await page.waitForSelector('form[action$="/checkout/submit"]', { timeout: TIMEOUT_MS });
    const reviewed = await page.$$eval('table tbody td:first-child', (cells) => cells.map((c) => c.textContent.trim()));
    if (!reviewed.includes(productName)) throw new Error(`checkout: ${productName} is not in the order to review`);
  });

  await synthetics.executeStep('place-order', async () => {
    await submitForm(page, 'form[action$="/checkout/submit"]', {}, 'POST /checkout/submit');
    const match = /\/orders\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname);
    if (!match) throw new Error(`place-order: "Place order" led to ${page.url()}, not an order's page`);
    orderId = match[1];
    log.info(`place-order: order ${orderId} placed`);
  });

  await synthetics.executeStep('confirmation', async () => {
    const notice = await textOf(page, '[role="status"]', 'confirmation');
    if (!notice.includes('Your order has been placed')) throw new Error(`confirmation: the notice says "${notice}"`);
    const shown = await textOf(page, '[data-testid="order-id"]', 'confirmation');
    if (shown !== orderId) throw new Error(`confirmation: shows order ${shown}, placed ${orderId}`);
    const status = await textOf(page, '[data-testid="order-status"]', 'confirmation');
    if (status !== 'placed') throw new Error(`confirmation: order ${orderId} is ${status}, not placed`);
    const lines = await page.$$eval('table tbody td:first-child', (cells) => cells.map((c) => c.textContent.trim()));
    if (!lines.includes(productName)) throw new Error(`confirmation: ${productName} is not in order ${orderId}`);
    // The mark the ui shows only for synthetic orders: without it this order would count as a real one.
    await textOf(page, '[data-testid="synthetic-order"]', `confirmation: order ${orderId} is not marked synthetic;`);
  });
};

exports.handler = async () => journey();
