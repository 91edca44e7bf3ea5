import { Client } from 'pg';
import type { DynamoDbServer } from '../../drill/stand-ins/dynamodb-server';
import { buildCartsApp } from '../../services/carts/app';
import { loadCartsConfig } from '../../services/carts/config';
import { buildCatalogApp } from '../../services/catalog/app';
import { loadCatalogConfig } from '../../services/catalog/config';
import { buildCheckoutApp } from '../../services/checkout/app';
import { loadCheckoutConfig } from '../../services/checkout/config';
import { buildOrdersApp } from '../../services/orders/app';
import { loadOrdersConfig } from '../../services/orders/config';
import type { ServiceApp } from '../../services/platform/service-app';
import {
  assertLimitsAgree,
  MAX_LINE_QUANTITY,
  MAX_LINES,
  MAX_ORDER_TOTAL_CENTS,
  MAX_STORED_AMOUNT_CENTS,
  MAX_UNIT_PRICE_CENTS,
} from '../../services/platform/shapes';
import { call, listen, TEST_ENV } from './support/http';
import { startDynamo, startPostgres, type TestPostgres } from './support/stores';

// One set of limits for carts, checkout and orders (services/platform/shapes/limits.ts, issue 14 B3/B4): whatever
// the edge accepts is an order the orders service and its numeric(12, 2) columns take.

let pg: TestPostgres;
let dynamo: DynamoDbServer;
let catalogDb: Client;
let ordersDb: Client;
const apps: ServiceApp[] = [];
let cartsUrl: string;
let checkoutUrl: string;

/** Products priced at the limit, one per line of the largest cart, with the longest name a line takes. */
const TOP_PRODUCTS = Array.from({ length: MAX_LINES + 1 }, (_, i) => ({
  id: `01a21b3d-0000-7000-8000-${String(i).padStart(12, '0')}`,
  name: `${String(i).padStart(3, '0')} ${'n'.repeat(196)}`,
}));
const TOO_DEAR = '01a21b3d-0000-7000-9000-000000000001';
const TOO_LONG = '01a21b3d-0000-7000-9000-000000000002';
const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';

const LONGEST_ADDRESS = {
  firstName: 'f'.repeat(100),
  lastName: 'l'.repeat(100),
  email: `${'e'.repeat(64)}@${'d'.repeat(181)}.example`,
  address1: 'a'.repeat(200),
  address2: 'b'.repeat(200),
  city: 'c'.repeat(100),
  state: 's'.repeat(100),
  zip: 'Z'.repeat(12),
};

beforeAll(async () => {
  [pg, dynamo] = await Promise.all([startPostgres(), startDynamo()]);
  catalogDb = new Client({ connectionString: pg.urls.catalog });
  ordersDb = new Client({ connectionString: pg.urls.orders });
  await Promise.all([catalogDb.connect(), ordersDb.connect()]);
  const products = [
    ...TOP_PRODUCTS.map((p) => [p.id, p.name, MAX_UNIT_PRICE_CENTS / 100]),
    [TOO_DEAR, 'Gold-plated yacht', MAX_UNIT_PRICE_CENTS / 100 + 0.01],
    [TOO_LONG, 'x'.repeat(201), 1],
  ];
  for (const [id, name, price] of products) {
    await catalogDb.query(
      `INSERT INTO products (id, name, description, price, image_url) VALUES ($1, $2, 'limits test', $3, '/x.svg')`,
      [id, name, price],
    );
  }
  const start = async (app: ServiceApp) => {
    apps.push(app);
    return listen(app);
  };
  const catalogUrl = await start(
    await buildCatalogApp(
      loadCatalogConfig({ ...TEST_ENV, DATABASE_URL: pg.urls.catalog, HEARTBEAT_ENABLED: 'false' }),
    ),
  );
  const ordersUrl = await start(
    await buildOrdersApp(loadOrdersConfig({ ...TEST_ENV, DATABASE_URL: pg.urls.orders, HEARTBEAT_ENABLED: 'false' })),
  );
  cartsUrl = await start(
    await buildCartsApp(loadCartsConfig({ ...TEST_ENV, DYNAMODB_ENDPOINT: dynamo.endpoint, CATALOG_URL: catalogUrl })),
  );
  checkoutUrl = await start(
    await buildCheckoutApp(
      loadCheckoutConfig({ ...TEST_ENV, DYNAMODB_ENDPOINT: dynamo.endpoint, ORDERS_URL: ordersUrl }),
    ),
  );
}, 120_000);

afterAll(async () => {
  for (const app of apps.reverse()) await app.close();
  await catalogDb?.end();
  await ordersDb?.end();
  await dynamo?.stop();
  await pg?.stop();
});

const add = (customer: string, itemId: string, quantity: number) =>
  call(cartsUrl, 'POST', `/carts/${customer}/items`, { json: { itemId, quantity } });

describe('the limits agree', () => {
  test('the largest order the limits allow fits numeric(12, 2), and limits that would not stop the service', () => {
    expect(MAX_ORDER_TOTAL_CENTS).toBeLessThanOrEqual(MAX_STORED_AMOUNT_CENTS);
    expect(() => assertLimitsAgree()).not.toThrow();
    expect(() => assertLimitsAgree({ orderTotalCents: 1_000_000_000_000, storedAmountCents: 999_999_999_999 })).toThrow(
      /the shop's limits disagree: the largest order total is 1000000000000 cents/,
    );
  });
});

describe('the largest cart, end to end', () => {
  test(`GIVEN a cart of ${MAX_LINES} lines × ${MAX_LINE_QUANTITY} units at $${MAX_UNIT_PRICE_CENTS / 100} WHEN it goes through the checkout with the longest address and priority shipping THEN the order is placed in Postgres to the cent`, async () => {
    const customer = 'largest-cart';
    for (const product of TOP_PRODUCTS.slice(0, MAX_LINES)) {
      expect((await add(customer, product.id, MAX_LINE_QUANTITY)).status).toBe(201);
    }
    const cart = (await call(cartsUrl, 'GET', `/carts/${customer}`)).json();
    expect(cart.items).toHaveLength(MAX_LINES);
    expect(cart.total).toBe(5_000_000_000);

    // What the ui does: the cart's lines become the checkout's items.
    const update = await call(checkoutUrl, 'POST', `/checkout/${customer}/update`, {
      json: {
        items: cart.items.map((i: { itemId: string; name: string; quantity: number; unitPrice: number }) => ({
          id: i.itemId,
          name: i.name,
          quantity: i.quantity,
          price: i.unitPrice,
        })),
        shippingAddress: LONGEST_ADDRESS,
        deliveryOptionToken: 'priority',
      },
    });
    expect(update.status).toBe(200);
    expect(update.json()).toMatchObject({
      subtotal: 5_000_000_000,
      shipping: 15,
      tax: 250_000_000,
      total: 5_250_000_015,
    });

    const submitted = await call(checkoutUrl, 'POST', `/checkout/${customer}/submit`);
    expect(submitted.status).toBe(201);
    const { rows } = await ordersDb.query(
      `SELECT o.total::text, o.tax::text, o.shipping::text, count(i.id)::int AS lines, sum(i.quantity)::int AS units
       FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1 GROUP BY o.id`,
      [submitted.json().orderId],
    );
    expect(rows).toEqual([
      { total: '5250000015.00', tax: '250000000.00', shipping: '15.00', lines: MAX_LINES, units: MAX_LINES * 1000 },
    ]);
  }, 120_000);
});

describe('POST /carts/{customerId}/items at the limits', () => {
  test(`GIVEN a cart of ${MAX_LINES} lines WHEN another product is added THEN it is a 409 naming body.itemId and the cart keeps ${MAX_LINES} lines; more of a product already there is still added`, async () => {
    const customer = 'full-cart';
    for (const product of TOP_PRODUCTS.slice(0, MAX_LINES)) {
      expect((await add(customer, product.id, 1)).status).toBe(201);
    }
    const refused = await add(customer, TOP_PRODUCTS[MAX_LINES]!.id, 1);
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({
      field: 'body.itemId',
      message: `body.itemId: the cart holds ${MAX_LINES} products already, the most an order takes; nothing was added`,
    });
    const items = (await call(cartsUrl, 'GET', `/carts/${customer}/items`)).json();
    expect(items).toHaveLength(MAX_LINES);
    expect(items.map((i: { itemId: string }) => i.itemId)).not.toContain(TOP_PRODUCTS[MAX_LINES]!.id);
    expect((await add(customer, TOP_PRODUCTS[0]!.id, 1)).status).toBe(201);
  }, 60_000);

  test.each([
    [
      'priced above the most a unit may cost',
      TOO_DEAR,
      `body.itemId: ${TOO_DEAR} costs 50000.01, above the 50000 a unit may cost; it cannot be ordered`,
    ],
    [
      'whose name is longer than an order line takes',
      TOO_LONG,
      `body.itemId: ${TOO_LONG} has a name an order cannot take (name: expected string length less or equal to 200 (received "${'x'.repeat(56)}...)); it cannot be ordered`,
    ],
  ])(
    'GIVEN a catalog product %s WHEN added THEN it is a 409 naming body.itemId and nothing is written',
    async (_case, itemId, message) => {
      const customer = `unsellable-${itemId}`;
      const refused = await add(customer, itemId, 1);
      expect(refused.status).toBe(409);
      expect(refused.json()).toMatchObject({ field: 'body.itemId', message });
      expect((await call(cartsUrl, 'GET', `/carts/${customer}/items`)).json()).toEqual([]);
    },
  );

  test('a seeded product is still added (the limits leave the shop as it was)', async () => {
    expect((await add('seeded-product', PACK, 1)).status).toBe(201);
  });
});
