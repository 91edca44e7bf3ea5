import { type DevStack, startDevStack } from '../../drill/dev';
import { startFrontDoor } from '../../drill/front-door';
import { buildUiApp } from '../../services/ui/app';
import { loadUiConfig } from '../../services/ui/config';
import { call, listen, TEST_ENV } from './support/http';

let stack: DevStack;
let ui: string;

const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';
const MUG = '01a21b3d-b6ba-707b-9b8e-148fae29e3ad';
const ADDRESS = {
  firstName: 'Katherine',
  lastName: 'Johnson',
  email: 'katherine@example.com',
  address1: '1 Langley Blvd',
  city: 'Hampton',
  state: 'VA',
  zip: '23681',
  deliveryOptionToken: 'standard',
};
/** The canary's token, as the stacks give it to the ui and the canary (SYNTHETIC_SHOPPER_TOKEN). */
const SYNTHETIC_TOKEN = 'test-synthetic-shopper-token-0123456789abcdef';
/** The key the ui signs customer cookies with (CUSTOMER_COOKIE_SECRET; on AWS from Secrets Manager). */
const COOKIE_SECRET = 'test-customer-cookie-secret-0123456789abcdef';

/** A browser-like visitor: keeps the cookie the shop gives it, does not follow redirects. */
class Visitor {
  cookie: string | undefined;

  /** Headers sent with every request (the canary sends its token on each). */
  constructor(private readonly always: Record<string, string> = {}) {}

  async get(path: string, headers: Record<string, string> = {}) {
    return this.send('GET', path, undefined, headers);
  }

  async post(path: string, form: Record<string, string>) {
    return this.postWith(path, form, {});
  }

  async postWith(path: string, form: Record<string, string>, headers: Record<string, string>) {
    return this.send('POST', path, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
  }

  /** Posts a form body exactly as given (already URL-encoded). */
  async postRaw(path: string, body: string) {
    return this.send('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded' });
  }

  private async send(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
    const answer = await call(ui, method, path, {
      ...(body === undefined ? {} : { body }),
      headers: {
        accept: 'text/html',
        ...this.always,
        ...headers,
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
    });
    const set = answer.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return answer;
  }
}

beforeAll(async () => {
  stack = await startDevStack({
    ports: { ui: 0, catalog: 0, carts: 0, orders: 0, checkout: 0 },
    region: 'test-ui-1',
    logLevel: 'silent',
    env: {
      HEARTBEAT_ENABLED: 'false',
      SYNTHETIC_SHOPPER_TOKEN: SYNTHETIC_TOKEN,
      CUSTOMER_COOKIE_SECRET: COOKIE_SECRET,
    },
  });
  ui = stack.urls.ui;
});

afterAll(async () => {
  await stack?.stop();
});

describe('visitors and pages', () => {
  test('the first visit sets an httpOnly, SameSite=Lax customer cookie; later visits keep it', async () => {
    const visitor = new Visitor();
    const home = await visitor.get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('set-cookie')).toMatch(
      /^customer_id=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/,
    );
    const again = await visitor.get('/cart');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  test('a tampered cookie is replaced by a new id', async () => {
    const visitor = new Visitor();
    visitor.cookie = 'customer_id=../../etc';
    const page = await visitor.get('/cart');
    expect(page.headers.get('set-cookie')).toMatch(/^customer_id=[0-9a-f-]{36}\.[A-Za-z0-9_-]{43};/);
  });

  // Issue 14, review m4: the cookie is signed (HMAC-SHA256 with CUSTOMER_COOKIE_SECRET); an unsigned or tampered one
  // is a new visitor, so nobody can choose or guess their way into another customer's cart, checkout and orders.
  describe('the signed customer cookie', () => {
    const idOf = (cookie: string) => /^customer_id=([0-9a-f-]{36})\./.exec(cookie)![1]!;

    test.each([
      ['a bare uuid (the old unsigned cookie)', (_: string, id: string) => id],
      ['the all-zero uuid', () => '00000000-0000-0000-0000-000000000000'],
      [
        'a signature with one character changed',
        (value: string) => value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A'),
      ],
      [
        'another id with a valid signature of this one',
        (value: string) => `11111111-2222-4333-8444-555555555555${value.slice(36)}`,
      ],
      ['the signature alone', (value: string) => value.slice(37)],
      ['an uppercase copy', (value: string) => value.toUpperCase()],
      ['a valid cookie plus a suffix', (value: string) => `${value}x`],
    ])(
      'GIVEN %s as the cookie WHEN a form is posted THEN it is a new visitor, and the named cart is untouched',
      async (_, forge) => {
        const owner = new Visitor();
        await owner.post('/cart', { productId: MUG, quantity: '1' });
        const value = owner.cookie!.slice('customer_id='.length);
        const target = idOf(owner.cookie!);
        const forged = forge(value, target);
        const attacker = new Visitor();
        attacker.cookie = `customer_id=${forged}`;
        const answer = await attacker.post('/cart', { productId: PACK, quantity: '5' });
        expect(answer.status).toBe(303);
        expect(answer.headers.get('set-cookie')).toMatch(/^customer_id=[0-9a-f-]{36}\./);
        expect(idOf(attacker.cookie!)).not.toBe(target);
        const cart = (await call(stack.urls.carts, 'GET', `/carts/${target}`)).json();
        expect(cart.items.map((i: { itemId: string; quantity: number }) => [i.itemId, i.quantity])).toEqual([[MUG, 1]]);
      },
    );

    test('GIVEN two uis with the same CUSTOMER_COOKIE_SECRET (two Regions) THEN a cookie of one is accepted by the other; with another secret, or none (generated at start), it is not', async () => {
      const backends = {
        CATALOG_URL: stack.urls.catalog,
        CARTS_URL: stack.urls.carts,
        ORDERS_URL: stack.urls.orders,
        CHECKOUT_URL: stack.urls.checkout,
      };
      const visitor = new Visitor();
      await visitor.get('/');
      for (const [secret, accepted] of [
        [COOKIE_SECRET, true],
        ['another-cookie-secret-0123456789-abcdefghij', false],
        [undefined, false],
      ] as const) {
        const other = await buildUiApp(
          loadUiConfig({ ...TEST_ENV, ...backends, ...(secret ? { CUSTOMER_COOKIE_SECRET: secret } : {}) }),
        );
        try {
          const base = await listen(other);
          const answer = await call(base, 'GET', '/cart', { headers: { cookie: visitor.cookie! } });
          expect(answer.status).toBe(200);
          expect(answer.headers.get('set-cookie') === null).toBe(accepted);
        } finally {
          await other.close();
        }
      }
    });

    test.each([
      ['too short', 'short-secret'],
      ['with a space', `${COOKIE_SECRET} x`],
    ])('GIVEN a CUSTOMER_COOKIE_SECRET %s THEN the ui refuses to start, without printing it', (_, secret) => {
      expect(() =>
        loadUiConfig({
          ...TEST_ENV,
          CATALOG_URL: ui,
          CARTS_URL: ui,
          ORDERS_URL: ui,
          CHECKOUT_URL: ui,
          CUSTOMER_COOKIE_SECRET: secret,
        }),
      ).toThrow(
        'invalid configuration: CUSTOMER_COOKIE_SECRET=(hidden, secret): accepted: 32 to 256 printable ASCII characters without spaces, or unset (a random secret is generated at start)',
      );
    });
  });

  test.each(['/', '/catalog', '/catalog?tag=kitchen&page=1', `/catalog/${PACK}`, '/cart', '/orders'])(
    '%s is server-rendered HTML that shows the serving Region',
    async (path) => {
      const page = await new Visitor().get(path);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(page.text).toContain('Served from <strong>test-ui-1</strong>');
    },
  );

  test('the home page features products and the catalog pages through all of them', async () => {
    const home = await new Visitor().get('/');
    expect(home.text).toContain('Trail Runner Backpack');
    const first = await new Visitor().get('/catalog');
    const second = await new Visitor().get('/catalog?page=2');
    const names = (text: string) =>
      [...text.matchAll(/<a href="\/catalog\/[0-9a-f-]{36}">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(names(first.text)).toHaveLength(12);
    expect(names(second.text)).toEqual(['Travel Pillow', 'Wool Beanie']);
    expect(first.text).toContain('Page 1 of 2');
  });

  test('an unknown product is a 404 page; a malformed id is a 400 page naming it; API clients get JSON', async () => {
    const visitor = new Visitor();
    const unknown = await visitor.get('/catalog/01a21b3d-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This product is not in the catalog.');
    expect(unknown.text).toContain('Served from <strong>test-ui-1</strong>');
    const malformed = await visitor.get('/catalog/nope');
    expect(malformed.status).toBe(400);
    // Issue 14: the page speaks to the shopper; the validation message stays in the API's JSON.
    expect(malformed.text).toContain('This product link is not valid.');
    expect(malformed.text).not.toContain('params.productId');
    expect(malformed.text).not.toContain('expected string');
    const json = await visitor.get('/catalog/nope', { accept: 'application/json' });
    expect(json.json()).toMatchObject({
      statusCode: 400,
      field: 'params.productId',
      message: 'params.productId: expected string to match \'uuid\' format (received "nope")',
    });
  });

  // Issue 14: error pages speak to shoppers (what they can do), not in the API's terms.
  test.each([
    ['an unknown address', '/nope', 404, 'There is no page at this address.', /no route for/],
    ['a catalog page number out of range', '/catalog?page=0', 400, 'This catalog page does not exist.', /query\./],
    ['a malformed order link', '/orders/not-an-order', 400, 'There is no such order among yours.', /params\./],
    ['a malformed orders cursor', '/orders?cursor=%25%25', 400, 'Start again from My orders', /query\.|pattern/],
  ])(
    'GIVEN %s THEN the error page says what to do, without field paths or schema words',
    async (_, path, status, says, not) => {
      const answer = await new Visitor().get(path);
      expect(answer.status).toBe(status);
      expect(answer.text).toContain(says);
      expect(answer.text).not.toMatch(not);
      expect(answer.text).not.toMatch(/expected (string|integer|number)/);
    },
  );

  test('GIVEN a backend that answers 5xx THEN the 503 page tells the shopper to try again shortly', async () => {
    await call(stack.urls.catalog, 'POST', '/chaos/status/500');
    try {
      const answer = await new Visitor().get('/catalog');
      expect(answer.status).toBe(503);
      expect(answer.text).toContain('Part of the shop is not available right now. Please try again in a minute.');
      expect(answer.text).not.toContain('catalog is unavailable');
    } finally {
      await call(stack.urls.catalog, 'DELETE', '/chaos/status');
    }
  });

  // Issue 14, review m6: error pages carry the headers of every page; m7: HSTS over HTTPS.
  describe('security headers', () => {
    const PAGE_HEADERS = {
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'referrer-policy': 'same-origin',
    };
    const headersOf = (answer: { headers: Headers }) =>
      Object.fromEntries(Object.keys(PAGE_HEADERS).map((name) => [name, answer.headers.get(name)]));

    test.each([
      ['400', 'GET', '/catalog/not-a-uuid', undefined],
      ['404', 'GET', '/nope', undefined],
      ['404 (product)', 'GET', '/catalog/01a21b3d-0000-7000-8000-000000000000', undefined],
      ['413', 'POST', '/checkout', { firstName: 'x'.repeat(20_000) }],
    ] as const)(
      'GIVEN a browser WHEN it gets a %s error page THEN the page carries the page headers',
      async (_, method, path, form) => {
        const visitor = new Visitor();
        const answer = method === 'GET' ? await visitor.get(path) : await visitor.post(path, form!);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(headersOf(answer)).toEqual(PAGE_HEADERS);
      },
    );

    test('GIVEN a checkout that changed since the review WHEN the order is placed THEN the 409 page carries the page headers', async () => {
      const visitor = new Visitor();
      await visitor.post('/cart', { productId: PACK, quantity: '1' });
      await visitor.post('/checkout', ADDRESS);
      const stale = await visitor.post('/checkout/submit', { version: '999' });
      expect(stale.status).toBe(409);
      expect(headersOf(stale)).toEqual(PAGE_HEADERS);
    });

    test('GIVEN a backend that answers 5xx WHEN a page needs it THEN the 503 page carries the page headers', async () => {
      await call(stack.urls.catalog, 'POST', '/chaos/status/500');
      try {
        const answer = await new Visitor().get('/catalog');
        expect(answer.status).toBe(503);
        expect(headersOf(answer)).toEqual(PAGE_HEADERS);
      } finally {
        await call(stack.urls.catalog, 'DELETE', '/chaos/status');
      }
    });

    test.each([
      ['the stylesheet', '/assets/site.css', 'text/css; charset=utf-8'],
      ['the time script', '/assets/local-time.js', 'text/javascript; charset=utf-8'],
      ['a JSON error', '/catalog/nope', 'application/json; charset=utf-8'],
      ['the readiness', '/ready', 'application/json; charset=utf-8'],
    ])('GIVEN %s THEN it is sent with nosniff, so a browser never reads it as another type', async (_, path, type) => {
      const answer = await call(ui, 'GET', path, { headers: { accept: 'application/json' } });
      expect(answer.headers.get('content-type')).toBe(type);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    });

    test('GIVEN HTTPS at the load balancer (X-Forwarded-Proto: https) THEN pages and error pages carry HSTS; over HTTP they do not', async () => {
      const visitor = new Visitor();
      for (const path of ['/', '/nope']) {
        const secure = await visitor.get(path, { 'x-forwarded-proto': 'https' });
        expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000');
        expect((await visitor.get(path)).headers.get('strict-transport-security')).toBeNull();
      }
    });
  });

  test('product images are generated SVGs', async () => {
    const image = await call(ui, 'GET', '/assets/products/trail-backpack.svg');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/svg+xml');
    expect(image.text).toContain('Trail Backpack');
    expect((await call(ui, 'GET', '/assets/products/..%2Fsecret.svg')).status).toBe(404);
  });
});

describe('cart', () => {
  test('each visitor has their own cart', async () => {
    const alice = new Visitor();
    const bob = new Visitor();
    await alice.get('/');
    await bob.get('/');
    const added = await alice.post('/cart/items', { productId: PACK, quantity: '2' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/cart');
    expect((await alice.get('/cart')).text).toContain('data-testid="cart-total">$178.00');
    expect((await bob.get('/cart')).text).toContain('Your cart is empty');
  });

  test('GIVEN the product page’s add-to-cart form WHEN it is posted twice (a double click, a retry after a 503) THEN the cart adds once; a new render of the page adds again (issue 14: a write must not land twice)', async () => {
    const visitor = new Visitor();
    const page = (await visitor.get(`/catalog/${PACK}`)).text;
    const addId = /name="addId" value="([0-9a-f-]{36})"/.exec(page)?.[1] ?? '';
    expect(addId).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 2; i++) {
      expect((await visitor.post('/cart', { productId: PACK, quantity: '1', addId })).status).toBe(303);
    }
    expect((await visitor.get('/cart')).text).toContain('data-testid="cart-total">$89.00');
    const again = /name="addId" value="([0-9a-f-]{36})"/.exec((await visitor.get(`/catalog/${PACK}`)).text)?.[1] ?? '';
    expect(again).not.toBe(addId);
    await visitor.post('/cart', { productId: PACK, quantity: '1', addId: again });
    expect((await visitor.get('/cart')).text).toContain('data-testid="cart-total">$178.00');
  });

  test('GIVEN a checkout form whose escapes are not UTF-8 (%FF) or malformed (%G1) THEN it is a 400 and nothing is saved; UTF-8 escapes (%C3%A9) are decoded (issue 14: never silently U+FFFD)', async () => {
    const visitor = new Visitor();
    await visitor.get('/');
    await visitor.post('/cart', { productId: PACK, quantity: '1' });
    const address = 'lastName=L&email=r%40example.com&address1=1+Rue&city=Paris&state=IDF&zip=75001';
    for (const first of ['A%FF', 'A%G1']) {
      expect((await visitor.postRaw('/checkout', `firstName=${first}&${address}`)).status).toBe(400);
    }
    expect((await visitor.get('/checkout')).text).not.toContain('value="A');
    const page = await visitor.postRaw(
      '/checkout',
      'firstName=Ren%C3%A9e&lastName=L&email=r%40example.com&address1=1+Rue&city=Paris&state=IDF&zip=75001',
    );
    expect(page.status).toBe(303);
    expect((await visitor.get('/checkout')).text).toContain('value="Renée"');
  });

  test('quantities can be changed and lines removed', async () => {
    const visitor = new Visitor();
    await visitor.post('/cart/items', { productId: PACK, quantity: '1' });
    await visitor.post('/cart/items', { productId: MUG, quantity: '1' });
    await visitor.post(`/cart/items/${MUG}/quantity`, { quantity: '3' });
    expect((await visitor.get('/cart')).text).toContain('data-testid="cart-total">$131.00');
    await visitor.post(`/cart/items/${PACK}/quantity`, { quantity: '0' });
    await visitor.post(`/cart/items/${MUG}/remove`, {});
    expect((await visitor.get('/cart')).text).toContain('Your cart is empty');
  });

  test.each([
    [{ productId: PACK, quantity: '0' }, 400, 'Please choose a quantity from 1 to 1000.'],
    [{ productId: PACK, quantity: '-1' }, 400, 'Please choose a quantity from 1 to 1000.'],
    [{ productId: PACK, quantity: 'lots' }, 400, 'Please choose a quantity from 1 to 1000.'],
    [{ productId: 'pack', quantity: '1' }, 400, 'This product is not in the catalog'],
    [{ productId: '01a21b3d-0000-7000-8000-000000000000', quantity: '1' }, 400, 'This product is not in the catalog'],
  ])('adding %j is refused with a page saying what to do, and the cart stays empty', async (form, status, message) => {
    const visitor = new Visitor();
    const answer = await visitor.post('/cart/items', form);
    expect(answer.status).toBe(status);
    expect(answer.text).toContain(message);
    expect(answer.text).not.toMatch(/body\.|expected |received/);
    expect((await visitor.get('/cart')).text).toContain('Your cart is empty');
  });
});

// Issue 14, review m5: a form post from another site is refused; the shop's own forms keep working (browser.test.ts).
describe('cross-site form posts', () => {
  const host = () => new URL(ui).host;
  const cartLines = async (visitor: Visitor) =>
    (await visitor.get('/cart')).text.match(/name="quantity" value="\d+"/g) ?? [];

  test.each([
    [
      'Origin of another site and Sec-Fetch-Site: cross-site',
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ],
    ['Origin of another site', { origin: 'https://evil.example' }],
    ['Origin: null (a sandboxed frame, a data: page)', { origin: 'null' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
    ['a Referer of another site and no Origin', { referer: 'https://evil.example/page' }],
    ['our host over http while the shop is served over https', { 'x-forwarded-proto': 'https', origin: 'http://HOST' }],
  ])('GIVEN %s WHEN a form is posted THEN it is refused with a 403 page and nothing changes', async (_, raw) => {
    const headers = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.replace('HOST', host())]));
    const visitor = new Visitor();
    await visitor.get('/');
    const answer = await visitor.postWith('/cart', { productId: PACK, quantity: '5' }, headers);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(answer.text).toContain('another site');
    expect(await cartLines(visitor)).toEqual([]);
  });

  test("GIVEN the drill's front door in front of the ui WHEN a browser posts a form with the front door's Origin THEN it is accepted (the front door passes the Host on as X-Forwarded-Host)", async () => {
    const door = await startFrontDoor({ targets: { a: ui }, activeRegion: () => 'a' });
    try {
      const answer = await call(door.url, 'POST', '/cart', {
        body: new URLSearchParams({ productId: PACK, quantity: '1' }).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: new URL(door.url).origin,
          'sec-fetch-site': 'same-origin',
        },
      });
      expect(answer.status).toBe(303);
      const forged = await call(door.url, 'POST', '/cart', {
        body: new URLSearchParams({ productId: PACK, quantity: '1' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ui },
      });
      expect(forged.status).toBe(403);
    } finally {
      await door.close();
    }
  });

  test.each([
    ['/cart', { productId: PACK, quantity: '1' }],
    ['/cart/items', { productId: PACK, quantity: '1' }],
    [`/cart/items/${PACK}/quantity`, { quantity: '2' }],
    [`/cart/items/${PACK}/remove`, {}],
    ['/checkout', ADDRESS],
    ['/checkout/submit', { version: '1' }],
  ])('GIVEN a cross-site Origin WHEN %s is posted THEN it is a 403', async (path, form) => {
    const answer = await new Visitor().postWith(path, form, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(answer.status).toBe(403);
  });

  test.each([
    ['its own Origin and Sec-Fetch-Site: same-origin', { origin: 'http://HOST', 'sec-fetch-site': 'same-origin' }],
    ['its own https Origin behind the load balancer', { origin: 'https://HOST', 'x-forwarded-proto': 'https' }],
    [
      'Sec-Fetch-Site: none (typed by the user) and its own Referer',
      { 'sec-fetch-site': 'none', referer: 'http://HOST/cart' },
    ],
    ['no Origin, Sec-Fetch-Site or Referer (not a browser)', {}],
  ])('GIVEN %s WHEN a form is posted THEN it is accepted', async (_, raw) => {
    const headers = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.replace('HOST', host())]));
    const visitor = new Visitor();
    const answer = await visitor.postWith('/cart', { productId: PACK, quantity: '1' }, headers);
    expect(answer.status).toBe(303);
    expect(await cartLines(visitor)).toHaveLength(1);
  });
});

describe('checkout and orders', () => {
  async function reviewed(visitor: Visitor, address = ADDRESS): Promise<string> {
    await visitor.post('/cart/items', { productId: PACK, quantity: '1' });
    const saved = await visitor.post('/checkout', address);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/checkout/review');
    const review = await visitor.get('/checkout/review');
    expect(review.status).toBe(200);
    return /name="version" value="(\d+)"/.exec(review.text)![1]!;
  }

  test('buying: address, review, place order, confirmation; the cart empties and the order is listed', async () => {
    const visitor = new Visitor();
    const version = await reviewed(visitor);
    const placed = await visitor.post('/checkout/submit', { version });
    expect(placed.status).toBe(303);
    const location = placed.headers.get('location')!;
    expect(location).toMatch(/^\/orders\/[0-9a-f-]{36}\?placed=1$/);
    const confirmation = await visitor.get(location);
    expect(confirmation.status).toBe(200);
    expect(confirmation.text).toContain('Thank you! Your order has been placed.');
    expect(confirmation.text).toContain('<td>Trail Runner Backpack</td>');
    expect(confirmation.text).toContain('data-testid="order-total">$98.45');
    expect(confirmation.text).toContain('Served from <strong>test-ui-1</strong>');
    expect((await visitor.get('/cart')).text).toContain('Your cart is empty');
    const orderId = /\/orders\/([0-9a-f-]{36})/.exec(location)![1]!;
    expect((await visitor.get('/orders')).text).toContain(`href="/orders/${orderId}"`);
    // Another visitor cannot see it.
    expect((await new Visitor().get(`/orders/${orderId}`)).status).toBe(404);
  });

  // Issue 14, review M3: placing an order removes the lines that were ordered, and only those.
  describe('the cart after "Place order"', () => {
    const lines = async (visitor: Visitor) =>
      [
        ...(await visitor.get('/cart')).text.matchAll(
          /href="\/catalog\/([0-9a-f-]{36})">[^<]*<\/a><\/td>\s*<td><form[^>]*>\s*<input type="number" name="quantity" value="(\d+)"/g,
        ),
      ]
        .map((m) => [m[1], Number(m[2])])
        .sort();
    const orderOf = async (location: string) =>
      (await call(stack.urls.orders, 'GET', `/orders/${/\/orders\/([0-9a-f-]{36})/.exec(location)![1]}`)).json();

    test('GIVEN a line added and a quantity raised after the review WHEN the order is placed THEN the cart keeps them, less what was ordered', async () => {
      const visitor = new Visitor();
      const version = await reviewed(visitor); // 1 × PACK reviewed
      await visitor.post('/cart', { productId: MUG, quantity: '4' });
      await visitor.post(`/cart/items/${PACK}/quantity`, { quantity: '3' });
      const placed = await visitor.post('/checkout/submit', { version });
      expect(placed.status).toBe(303);
      const order = await orderOf(placed.headers.get('location')!);
      expect(order.items.map((i: { productId: string; quantity: number }) => [i.productId, i.quantity])).toEqual([
        [PACK, 1],
      ]);
      expect(await lines(visitor)).toEqual(
        [
          [PACK, 2],
          [MUG, 4],
        ].sort(),
      );
    });

    test('GIVEN 20 concurrent "Place order" posts WHEN they all answer THEN one order, and its lines are taken out of the cart once', async () => {
      const visitor = new Visitor();
      const version = await reviewed(visitor); // 1 × PACK reviewed
      await visitor.post(`/cart/items/${PACK}/quantity`, { quantity: '5' });
      await visitor.post('/cart', { productId: MUG, quantity: '2' });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => visitor.post('/checkout/submit', { version })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(303));
      expect(new Set(answers.map((a) => a.headers.get('location'))).size).toBe(1);
      expect(await lines(visitor)).toEqual(
        [
          [PACK, 4],
          [MUG, 2],
        ].sort(),
      );
      // A later retry of the same form (the browser's back button and "Place order" again) takes nothing more out.
      const retry = await visitor.post('/checkout/submit', { version });
      expect(retry.headers.get('location')).toBe(answers[0]!.headers.get('location'));
      expect(await lines(visitor)).toEqual(
        [
          [PACK, 4],
          [MUG, 2],
        ].sort(),
      );
    });

    test('GIVEN exactly the reviewed lines in the cart WHEN the order is placed THEN the cart is empty', async () => {
      const visitor = new Visitor();
      const version = await reviewed(visitor);
      await visitor.post('/checkout/submit', { version });
      expect((await visitor.get('/cart')).text).toContain('Your cart is empty');
    });
  });

  // Issue 14: an order number a person can read (stable, derived from the order id, findable by support) and times
  // in the shopper's time zone (an ISO <time> the browser shows in its own zone; UTC without scripts).
  test('GIVEN a placed order THEN its confirmation and the orders list show a short order number and a <time> the browser localizes', async () => {
    const visitor = new Visitor();
    const placed = await visitor.post('/checkout/submit', { version: await reviewed(visitor) });
    const location = placed.headers.get('location')!;
    const orderId = /\/orders\/([0-9a-f-]{36})/.exec(location)![1]!;
    const number = orderId
      .replaceAll('-', '')
      .slice(-12)
      .toUpperCase()
      .replace(/^(.{4})(.{4})(.{4})$/, '$1-$2-$3');
    const order = (await call(stack.urls.orders, 'GET', `/orders/${orderId}`)).json();
    for (const page of [await visitor.get(location), await visitor.get('/orders')]) {
      expect(page.text).toMatch(new RegExp(`class="order-number" data-testid="order-number">${number}<`));
      expect(page.text).toContain(`<time datetime="${new Date(order.createdAt).toISOString()}" data-local-time>`);
      expect(page.text).toContain('<script src="/assets/local-time.js" defer></script>');
    }
    const confirmation = await visitor.get(location);
    expect(confirmation.text).toMatch(
      /<h1>Order <span class="order-number" data-testid="order-number">[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}<\/span><\/h1>/,
    );
    expect(confirmation.text).toMatch(/<time [^>]*>\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC<\/time>/);
    const script = await call(ui, 'GET', '/assets/local-time.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.text).toContain('data-local-time');
  });

  test('a double-clicked "Place order" places one order', async () => {
    const visitor = new Visitor();
    const version = await reviewed(visitor);
    const [a, b] = await Promise.all([
      visitor.post('/checkout/submit', { version }),
      visitor.post('/checkout/submit', { version }),
    ]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.get('location')).toBe(b.headers.get('location'));
  });

  test('a rejected address shows the form again with the reason, in the visitor’s terms', async () => {
    const visitor = new Visitor();
    await visitor.post('/cart/items', { productId: PACK, quantity: '1' });
    const rejected = await visitor.post('/checkout', { ...ADDRESS, email: 'not-an-email' });
    expect(rejected.status).toBe(400);
    expect(rejected.text).toContain('Please check the email address: it is not one we can send to.');
    expect(rejected.text).not.toMatch(/expected string|shippingAddress/);
    expect(rejected.text).toContain('value="Katherine"');
  });

  test('reviewing a checkout that changed since is refused, not placed', async () => {
    const visitor = new Visitor();
    const version = await reviewed(visitor);
    await visitor.post('/checkout', { ...ADDRESS, deliveryOptionToken: 'priority' });
    const stale = await visitor.post('/checkout/submit', { version });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Your checkout changed after you reviewed it.');
  });

  test('whatever a visitor types is escaped on every page', async () => {
    const visitor = new Visitor();
    await reviewed(visitor, { ...ADDRESS, firstName: '<script>alert(1)</script>' });
    const review = await visitor.get('/checkout/review');
    expect(review.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(review.text).not.toContain('<script>');
  });

  // Issue 12, review M2: the canary's synthetic shopper places real orders, marked synthetic end to end. Only a request
  // carrying the canary's token (the ui's SYNTHETIC_SHOPPER_TOKEN, a secret) is a synthetic shopper's.
  describe('the synthetic shopper', () => {
    const syntheticOf = async (location: string) => {
      const orderId = /\/orders\/([0-9a-f-]{36})/.exec(location)![1]!;
      return (await call(stack.urls.orders, 'GET', `/orders/${orderId}`)).json().synthetic;
    };

    test('GIVEN the canary token in x-synthetic-shopper WHEN it places an order THEN the order is synthetic and its confirmation says so', async () => {
      const canary = new Visitor({ 'x-synthetic-shopper': SYNTHETIC_TOKEN });
      const placed = await canary.post('/checkout/submit', { version: await reviewed(canary) });
      expect(placed.status).toBe(303);
      const location = placed.headers.get('location')!;
      expect(await syntheticOf(location)).toBe(true);
      expect((await canary.get(location)).text).toContain('data-testid="synthetic-order"');
    });

    test('GIVEN no token WHEN a shopper places an order THEN it is a real order, shown without the mark', async () => {
      const shopper = new Visitor();
      const location = (await shopper.post('/checkout/submit', { version: await reviewed(shopper) })).headers.get(
        'location',
      )!;
      expect(await syntheticOf(location)).toBe(false);
      expect((await shopper.get(location)).text).not.toContain('data-testid="synthetic-order"');
    });

    test.each([
      ['a wrong token', { 'x-synthetic-shopper': `${SYNTHETIC_TOKEN.slice(0, -1)}x` }],
      ['an empty token', { 'x-synthetic-shopper': '' }],
      ['the token with a prefix', { 'x-synthetic-shopper': `x${SYNTHETIC_TOKEN}` }],
    ])(
      'GIVEN %s WHEN a shopper claims to be synthetic THEN every page is a 403 and nothing is placed',
      async (_, headers) => {
        const shopper = new Visitor();
        const version = await reviewed(shopper);
        for (const [method, path] of [
          ['GET', '/'],
          ['POST', '/checkout/submit'],
        ] as const) {
          const answer =
            method === 'GET' ? await shopper.get(path, headers) : await shopper.postWith(path, { version }, headers);
          expect(answer.status).toBe(403);
          expect(answer.text).toContain('x-synthetic-shopper');
        }
        expect((await call(ui, 'GET', '/orders', { headers: { cookie: shopper.cookie! } })).text).toContain(
          'No orders yet.',
        );
      },
    );

    test('GIVEN a ui without a token WHEN anyone presents one THEN it is a 403', async () => {
      const backends = {
        CATALOG_URL: stack.urls.catalog,
        CARTS_URL: stack.urls.carts,
        ORDERS_URL: stack.urls.orders,
        CHECKOUT_URL: stack.urls.checkout,
      };
      const plain = await buildUiApp(loadUiConfig({ ...TEST_ENV, ...backends }));
      try {
        const base = await listen(plain);
        expect((await call(base, 'GET', '/')).status).toBe(200);
        const claimed = await call(base, 'GET', '/', { headers: { 'x-synthetic-shopper': SYNTHETIC_TOKEN } });
        expect(claimed.status).toBe(403);
      } finally {
        await plain.close();
      }
    });

    test.each([
      ['too short', 'short-token'],
      ['with a space', `${SYNTHETIC_TOKEN} x`],
    ])('GIVEN a SYNTHETIC_SHOPPER_TOKEN %s THEN the ui refuses to start, without printing it', (_, token) => {
      expect(() =>
        loadUiConfig({
          ...TEST_ENV,
          CATALOG_URL: ui,
          CARTS_URL: ui,
          ORDERS_URL: ui,
          CHECKOUT_URL: ui,
          SYNTHETIC_SHOPPER_TOKEN: token,
        }),
      ).toThrow(
        'invalid configuration: SYNTHETIC_SHOPPER_TOKEN=(hidden, secret): accepted: 32 to 256 printable ASCII characters without spaces, or unset',
      );
    });

    test('GIVEN a form field synthetic WHEN a shopper places an order THEN it is refused (400) and nothing is placed', async () => {
      const shopper = new Visitor();
      const version = await reviewed(shopper);
      const forged = await shopper.post('/checkout/submit', { version, synthetic: 'true' });
      expect(forged.status).toBe(400);
      expect((await shopper.get('/checkout/review')).status).toBe(200);
    });
  });

  // Issue 14, review m8: the load balancer answers /health/ready with a 404; the runbooks probe /ready through it.
  test('GIVEN the public readiness /ready THEN it says ready or not, and nothing about the backends', async () => {
    const ready = await call(ui, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });
    expect(ready.headers.get('cache-control')).toBe('no-store');
    await call(stack.urls.orders, 'POST', '/chaos/health');
    try {
      // The answer is kept for up to a second (the probes of the internet share one round of backend checks).
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const down = await call(ui, 'GET', '/ready');
      expect(down.status).toBe(503);
      expect(down.json()).toEqual({ status: 'unavailable' });
      expect(down.text).not.toContain('orders');
    } finally {
      await call(stack.urls.orders, 'DELETE', '/chaos/health');
    }
  });

  test.each(['/%74opology', '/health/%72eady', '/%63haos/status', '/topolog%79'])(
    'GIVEN an internal endpoint written with percent-encoding (%s), which a path pattern at the load balancer may not match (unverified) THEN the ui answers 404',
    async (path) => {
      const answer = await call(ui, 'GET', path);
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain('"instance"');
    },
  );

  test('the ui is ready only when every backend is', async () => {
    expect((await call(ui, 'GET', '/health/ready')).json()).toEqual({
      status: 'ok',
      service: 'ui',
      region: 'test-ui-1',
      checks: { catalog: 'ok', carts: 'ok', orders: 'ok', checkout: 'ok' },
    });
    await call(stack.urls.orders, 'POST', '/chaos/health');
    try {
      const ready = await call(ui, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json().checks.orders).toBe('failed: HTTP_503');
    } finally {
      await call(stack.urls.orders, 'DELETE', '/chaos/health');
    }
  });
});
