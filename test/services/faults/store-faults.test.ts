import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { PostgresServer } from '../../../drill/stand-ins/postgres-server';
import { buildCartsApp } from '../../../services/carts/app';
import { loadCartsConfig } from '../../../services/carts/config';
import { buildCatalogApp } from '../../../services/catalog/app';
import { loadCatalogConfig } from '../../../services/catalog/config';
import { buildCheckoutApp } from '../../../services/checkout/app';
import { loadCheckoutConfig } from '../../../services/checkout/config';
import { buildOrdersApp } from '../../../services/orders/app';
import { loadOrdersConfig } from '../../../services/orders/config';
import type { ServiceApp } from '../../../services/platform/service-app';
import { buildUiApp } from '../../../services/ui/app';
import { loadUiConfig } from '../../../services/ui/config';
import { type Answer, type CallOptions, call, listen, TEST_ENV } from '../support/http';
import { startPostgres, type TestPostgres } from '../support/stores';
import { waitFor } from '../support/wait';
import { DynaliteProcess, freezePostgres, stopPostgres, thawPostgres } from './support/store-processes';

// Each store is stopped and frozen (SIGSTOP) while the five services run in this process; every request must end
// in a 503 with Retry-After within the store's budget (the short timeouts below), never a 500 or a hang, and the
// services recover once the store is back.

const PG_TIMEOUTS = { DB_CONNECT_TIMEOUT_MS: '500', DB_STATEMENT_TIMEOUT_MS: '400', DB_QUERY_TIMEOUT_MS: '600' };
const DYNAMODB_TIMEOUTS = {
  DYNAMODB_CONNECT_TIMEOUT_MS: '300',
  DYNAMODB_REQUEST_TIMEOUT_MS: '400',
  DYNAMODB_MAX_ATTEMPTS: '2',
};
/** The longest a request may take against a frozen store with the timeouts above (budgets plus slack for 2 busy cores). */
const FROZEN_BUDGET_MS = 4_000;

const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';
const ADDRESS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  address1: '1 Test Street',
  city: 'Testville',
  state: 'TS',
  zip: '12345',
};
const { zip, ...rest } = ADDRESS;
const ORDER_ADDRESS = { ...rest, zipCode: zip };

let dir: string;
let pg: TestPostgres;
let postgres: PostgresServer;
let dynamo: DynaliteProcess;
let db: Client | undefined;
const apps: ServiceApp[] = [];
const url = { catalog: '', carts: '', orders: '', checkout: '', ui: '' };

let customers = 0;
const newCustomer = () => `fault-${++customers}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shop-faults-'));
  [pg, dynamo] = await Promise.all([startPostgres(), DynaliteProcess.start(path.join(dir, 'dynalite'))]);
  postgres = pg.server;
  const start = async (name: keyof typeof url, app: Promise<ServiceApp>) => {
    const built = await app;
    apps.push(built);
    url[name] = await listen(built);
  };
  const pgEnv = { ...TEST_ENV, ...PG_TIMEOUTS, HEARTBEAT_ENABLED: 'false' };
  await start('catalog', buildCatalogApp(loadCatalogConfig({ ...pgEnv, DATABASE_URL: pg.urls.catalog })));
  await start('orders', buildOrdersApp(loadOrdersConfig({ ...pgEnv, DATABASE_URL: pg.urls.orders })));
  const dynamoEnv = { ...TEST_ENV, ...DYNAMODB_TIMEOUTS, DYNAMODB_ENDPOINT: dynamo.endpoint };
  await start(
    'carts',
    buildCartsApp(loadCartsConfig({ ...dynamoEnv, CATALOG_URL: url.catalog, PRODUCT_CACHE_TTL_MS: '0' })),
  );
  await start('checkout', buildCheckoutApp(loadCheckoutConfig({ ...dynamoEnv, ORDERS_URL: url.orders })));
  await start(
    'ui',
    buildUiApp(
      loadUiConfig({
        ...TEST_ENV,
        CATALOG_URL: url.catalog,
        CARTS_URL: url.carts,
        ORDERS_URL: url.orders,
        CHECKOUT_URL: url.checkout,
      }),
    ),
  );
});

afterAll(async () => {
  for (const app of apps.reverse()) await app.close();
  await db?.end();
  await dynamo?.kill();
  await postgres?.stop();
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One request, timed; a request still running after 10 s fails the test instead of hanging it. */
async function timed(base: string, method: string, route: string, options: CallOptions = {}) {
  const started = Date.now();
  const answer = await Promise.race([
    call(base, method, route, options),
    new Promise<never>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`${method} ${route}: no answer within 10 s`)), 10_000).unref(),
    ),
  ]);
  return { answer, ms: Date.now() - started };
}

/** THEN the answer is a 503 with Retry-After whose message names the store. */
function expectUnavailable(answer: Answer, store: RegExp): void {
  expect({ status: answer.status, text: answer.text }).toEqual({ status: 503, text: expect.stringMatching(store) });
  expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(answer.json().message).toMatch(/retry/);
}

const orderBody = (key: string, customerId: string) => ({
  idempotencyKey: key,
  customerId,
  items: [{ productId: PACK, name: 'Trail Runner Backpack', quantity: 1, unitPrice: 89 }],
  shippingAddress: ORDER_ADDRESS,
  shipping: 5,
  tax: 1,
});

async function ordersWithKey(key: string): Promise<string[]> {
  if (!db) {
    db = new Client({ connectionString: pg.urls.orders });
    await db.connect();
  }
  return (await db.query('SELECT id FROM orders WHERE idempotency_key = $1', [key])).rows.map((r) => r.id);
}

describe('Postgres stopped (fast shutdown), then started again', () => {
  const customer = newCustomer();
  let restart: () => Promise<PostgresServer>;
  let toDelete: string;

  test('GIVEN a checkout ready to submit WHEN Postgres stops THEN catalog and orders answer 503 naming the database', async () => {
    expect(
      (
        await call(url.checkout, 'POST', `/checkout/${customer}/update`, {
          json: {
            items: [{ id: PACK, name: 'Trail Runner Backpack', quantity: 1, price: 89 }],
            shippingAddress: ADDRESS,
          },
        })
      ).status,
    ).toBe(200);
    const placed = await call(url.orders, 'POST', '/orders', { json: orderBody('stopped-0', customer) });
    expect(placed.status).toBe(201);
    toDelete = placed.json().id;
    restart = await stopPostgres(pg);

    const [list, product, place, orders] = await Promise.all([
      timed(url.catalog, 'GET', '/catalog/products?page=2&size=3'),
      timed(url.catalog, 'GET', `/catalog/products/${PACK}`),
      timed(url.orders, 'POST', '/orders', { json: orderBody('stopped-1', customer) }),
      timed(url.orders, 'GET', `/orders?customerId=${customer}`),
    ]);
    expectUnavailable(list.answer, /Postgres database catalog/);
    expectUnavailable(product.answer, /Postgres database catalog/);
    expectUnavailable(place.answer, /Postgres database orders/);
    expectUnavailable(orders.answer, /Postgres database orders/);
    expectUnavailable(await call(url.orders, 'DELETE', `/orders/${toDelete}`), /Postgres database orders/);
    // carts looks the product up in the catalog, which cannot answer.
    const add = await timed(url.carts, 'POST', `/carts/${customer}/items`, { json: { itemId: PACK, quantity: 1 } });
    expectUnavailable(add.answer, /catalog is unavailable/);
  });

  test('WHEN the checkout is submitted THEN 503 with Retry-After (orders is unavailable), and the ui shows its 503 page', async () => {
    const { answer } = await timed(url.checkout, 'POST', `/checkout/${customer}/submit`);
    expectUnavailable(answer, /orders/);
    const page = await call(url.ui, 'GET', '/catalog', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  test('WHEN Postgres is back THEN reads work and the refused submit, retried, places exactly one order', async () => {
    postgres = await restart();
    const list = await waitFor('catalog to answer 200', async () => {
      const answer = await call(url.catalog, 'GET', '/catalog/products?page=2&size=3');
      return answer.status === 200 ? answer : undefined;
    });
    expect(list.json()).toHaveLength(3);
    const submitted = await call(url.checkout, 'POST', `/checkout/${customer}/submit`);
    expect(submitted.status).toBe(201);
    const again = await call(url.checkout, 'POST', `/checkout/${customer}/submit`);
    expect(again.json().orderId).toBe(submitted.json().orderId);
    // The DELETE refused during the outage, retried: 204 once, then 404 (it is deleted either way).
    expect((await call(url.orders, 'DELETE', `/orders/${toDelete}`)).status).toBe(204);
    expect((await call(url.orders, 'DELETE', `/orders/${toDelete}`)).status).toBe(404);
    const orders = (await call(url.orders, 'GET', `/orders?customerId=${customer}`)).json().orders;
    expect(orders.map((o: { id: string }) => o.id)).toEqual([submitted.json().orderId]);
  });
});

describe('Postgres frozen (SIGSTOP on the postmaster and its backends), then resumed', () => {
  test('GIVEN warm pools WHEN Postgres freezes THEN catalog and orders answer 503 within their budget; the POST that landed late is the one a retry with its key returns', async () => {
    const customer = newCustomer();
    // Warm pools: the frozen requests go out on connections that were open before the freeze.
    expect((await call(url.orders, 'POST', '/orders', { json: orderBody('frozen-warm', customer) })).status).toBe(201);
    expect((await call(url.catalog, 'GET', '/catalog/products?page=1&size=4')).status).toBe(200);
    const checkout = {
      items: [{ id: PACK, name: 'Trail Runner Backpack', quantity: 1, price: 89 }],
      shippingAddress: ADDRESS,
    };
    expect((await call(url.checkout, 'POST', `/checkout/${customer}/update`, { json: checkout })).status).toBe(200);

    const pids = await freezePostgres(postgres);
    const results: Array<{ answer: Answer; ms: number }> = [];
    try {
      // The POST first, alone, so that it takes the orders pool's open connection.
      results.push(await timed(url.orders, 'POST', '/orders', { json: orderBody('frozen-1', customer) }));
      results.push(
        ...(await Promise.all([
          timed(url.catalog, 'GET', '/catalog/products?page=3&size=4'),
          timed(url.orders, 'GET', `/orders?customerId=${customer}&limit=5`),
          timed(url.checkout, 'POST', `/checkout/${customer}/submit`),
          timed(url.ui, 'GET', '/catalog?page=2', { headers: { accept: 'text/html' } }),
        ])),
      );
    } finally {
      thawPostgres(pids);
    }
    const [place, list, orders, submit, page] = results;
    expectUnavailable(place!.answer, /Postgres database orders/);
    expectUnavailable(list!.answer, /Postgres database catalog/);
    expectUnavailable(orders!.answer, /Postgres database orders/);
    expectUnavailable(submit!.answer, /orders/);
    expect(page!.answer.status).toBe(503);
    for (const r of results) expect(r.ms).toBeLessThan(FROZEN_BUDGET_MS);

    // The INSERT was already in the frozen backend's socket: it commits once the backend runs again, after the
    // client was told 503. A retry with the same key must return that order, not place a second one.
    const landed = await waitFor('the refused order to land', async () => {
      const ids = await ordersWithKey('frozen-1');
      return ids.length > 0 ? ids : undefined;
    });
    const retry = await call(url.orders, 'POST', '/orders', { json: orderBody('frozen-1', customer) });
    expect(retry.status).toBe(200);
    expect(retry.json().id).toBe(landed[0]);
    expect(await ordersWithKey('frozen-1')).toEqual(landed);
    expect((await call(url.catalog, 'GET', '/catalog/products?page=3&size=4')).status).toBe(200);
  });
});

describe('DynamoDB (dynalite) killed, then started again on the same data', () => {
  const customer = newCustomer();

  test('GIVEN a cart and a checkout WHEN dynalite is killed THEN carts and checkout answer 503 naming the table, the ui its 503 page', async () => {
    expect(
      (await call(url.carts, 'POST', `/carts/${customer}/items`, { json: { itemId: PACK, quantity: 2 } })).status,
    ).toBe(201);
    await dynamo.kill();

    const [cart, add, checkout, update] = await Promise.all([
      timed(url.carts, 'GET', `/carts/${customer}`),
      timed(url.carts, 'POST', `/carts/${customer}/items`, { json: { itemId: PACK, quantity: 1 } }),
      timed(url.checkout, 'GET', `/checkout/${customer}`),
      timed(url.checkout, 'POST', `/checkout/${customer}/update`, {
        json: { items: [{ id: PACK, name: 'Trail Runner Backpack', quantity: 1, price: 89 }] },
      }),
    ]);
    expectUnavailable(cart.answer, /DynamoDB table carts/);
    expectUnavailable(add.answer, /DynamoDB table carts/);
    expectUnavailable(checkout.answer, /DynamoDB table checkout/);
    expectUnavailable(update.answer, /DynamoDB table checkout/);
    expectUnavailable(await call(url.carts, 'DELETE', `/carts/${customer}/items/${PACK}`), /DynamoDB table carts/);
    const page = await call(url.ui, 'GET', '/cart', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
  });

  test('WHEN dynalite is back THEN the cart is intact and writes work', async () => {
    const items = [{ id: PACK, name: 'Trail Runner Backpack', quantity: 1, price: 89 }];
    await dynamo.restart();
    const cart = await waitFor('carts to answer 200', async () => {
      const answer = await call(url.carts, 'GET', `/carts/${customer}`);
      return answer.status === 200 ? answer : undefined;
    });
    expect(cart.json().items.map((i: { quantity: number }) => i.quantity)).toEqual([2]);
    // Retries of the refused writes: the line's DELETE removes it; the update saves one new version.
    expect((await call(url.carts, 'DELETE', `/carts/${customer}/items/${PACK}`)).status).toBe(202);
    expect((await call(url.carts, 'GET', `/carts/${customer}`)).json().items).toEqual([]);
    const updated = await call(url.checkout, 'POST', `/checkout/${customer}/update`, { json: { items } });
    expect({ status: updated.status, version: updated.json().version }).toEqual({ status: 200, version: 1 });
  });
});

describe('DynamoDB (dynalite) frozen, then resumed', () => {
  test('GIVEN a line of 3 WHEN dynalite freezes THEN an add answers 503 within its budget, and its retry with the same Idempotency-Key adds once', async () => {
    const customer = newCustomer();
    const add = (quantity: number, key: string) =>
      timed(url.carts, 'POST', `/carts/${customer}/items`, {
        json: { itemId: PACK, quantity },
        headers: { 'idempotency-key': key },
      });
    expect((await add(3, 'add-0')).answer.status).toBe(201);

    dynamo.freeze();
    let results: Array<{ answer: Answer; ms: number }>;
    try {
      results = await Promise.all([
        add(1, 'add-1'),
        timed(url.carts, 'GET', `/carts/${customer}`),
        timed(url.checkout, 'POST', `/checkout/${customer}/submit`),
        timed(url.ui, 'GET', '/cart', { headers: { accept: 'text/html' } }),
      ]);
    } finally {
      dynamo.thaw();
    }
    const [added, cart, submit, page] = results;
    expectUnavailable(added!.answer, /DynamoDB table carts/);
    expectUnavailable(cart!.answer, /DynamoDB table carts/);
    expectUnavailable(submit!.answer, /DynamoDB table checkout/);
    expect(page!.answer.status).toBe(503);
    for (const r of results) expect(r.ms).toBeLessThan(FROZEN_BUDGET_MS);

    // The add may have landed after the 503 (dynalite reads the request once it runs again); the retry with
    // the same key must leave the line at 4 either way, however many attempts reached the store.
    const retried = await add(1, 'add-1');
    expect([200, 201]).toContain(retried.answer.status);
    expect(retried.answer.json().quantity).toBe(4);
    const line = (await call(url.carts, 'GET', `/carts/${customer}`)).json().items[0];
    expect(line.quantity).toBe(4);
  });
});

describe('what a retry of a cart add does (services/README.md, "Failures and retries")', () => {
  const add = (customer: string, quantity: number, key?: string) =>
    call(url.carts, 'POST', `/carts/${customer}/items`, {
      json: { itemId: PACK, quantity },
      ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
    });

  test('GIVEN an add applied with a key WHEN it is sent again with that key THEN 200 with the line, nothing added', async () => {
    const customer = newCustomer();
    expect((await add(customer, 2, 'k-1')).status).toBe(201);
    const again = await add(customer, 2, 'k-1');
    expect({ status: again.status, quantity: again.json().quantity }).toEqual({ status: 200, quantity: 2 });
    const other = await add(customer, 2, 'k-2');
    expect({ status: other.status, quantity: other.json().quantity }).toEqual({ status: 201, quantity: 4 });
    // Without a key every add is a new one.
    expect((await add(customer, 1)).json().quantity).toBe(5);
    expect((await add(customer, 1)).json().quantity).toBe(6);
  });

  test('GIVEN a PATCH of the line WHEN an earlier key is sent again THEN it adds (a PATCH sets an absolute quantity and forgets the keys)', async () => {
    const customer = newCustomer();
    expect((await add(customer, 2, 'k-1')).status).toBe(201);
    const patched = await call(url.carts, 'PATCH', `/carts/${customer}/items`, { json: { itemId: PACK, quantity: 1 } });
    expect(patched.status).toBe(202);
    expect((await add(customer, 2, 'k-1')).json().quantity).toBe(3);
  });

  test('GIVEN a key that is not 1-128 printable ASCII characters THEN 400 naming the header, nothing added', async () => {
    const customer = newCustomer();
    const answer = await add(customer, 1, 'has space');
    expect({ status: answer.status, field: answer.json().field }).toEqual({
      status: 400,
      field: 'headers.idempotency-key',
    });
    expect((await call(url.carts, 'GET', `/carts/${customer}`)).json().items).toEqual([]);
  });
});
