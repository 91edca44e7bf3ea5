import { createServer, type Server } from 'node:http';
import { Client } from 'pg';
import type { DynamoDbServer } from '../../drill/stand-ins/dynamodb-server';
import { buildCheckoutApp } from '../../services/checkout/app';
import { CheckoutRepository } from '../../services/checkout/checkout-repository';
import { loadCheckoutConfig } from '../../services/checkout/config';
import type { PricedCheckout } from '../../services/checkout/pricing';
import { buildOrdersApp } from '../../services/orders/app';
import { loadOrdersConfig } from '../../services/orders/config';
import { createDocumentClient } from '../../services/platform/dynamodb';
import type { ServiceApp } from '../../services/platform/service-app';
import { call, listen, TEST_ENV } from './support/http';
import { startDynamo, startPostgres, type TestPostgres } from './support/stores';

let pg: TestPostgres;
let dynamo: DynamoDbServer;
let db: Client;
let orders: ServiceApp;
let ordersUrl: string;
let checkout: ServiceApp;
let base: string;

const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';
const MUG = '01a21b3d-b6ba-707b-9b8e-148fae29e3ad';
const ITEMS = [
  { id: PACK, name: 'Trail Runner Backpack', quantity: 1, price: 89 },
  { id: MUG, name: 'Enamel Camp Mug', quantity: 2, price: 14.25 },
];
const ADDRESS = {
  firstName: 'Grace',
  lastName: 'Hopper',
  email: 'grace@example.com',
  address1: '1 Navy Way',
  city: 'Arlington',
  state: 'VA',
  zip: '22201',
};

let customers = 0;
const newCustomer = () => `checkout-customer-${++customers}`;

async function ordersOf(customerId: string): Promise<Array<{ id: string; idempotency_key: string; total: string }>> {
  return (
    await db.query('SELECT id, idempotency_key, total::text FROM orders WHERE customer_id = $1 ORDER BY created_at', [
      customerId,
    ])
  ).rows;
}

const update = (customer: string, body: unknown) => call(base, 'POST', `/checkout/${customer}/update`, { json: body });
const submit = (customer: string) => call(base, 'POST', `/checkout/${customer}/submit`);

beforeAll(async () => {
  [pg, dynamo] = await Promise.all([startPostgres(), startDynamo()]);
  db = new Client({ connectionString: pg.urls.orders });
  await db.connect();
  orders = await buildOrdersApp(
    loadOrdersConfig({ ...TEST_ENV, DATABASE_URL: pg.urls.orders, HEARTBEAT_ENABLED: 'false' }),
  );
  ordersUrl = await listen(orders);
  checkout = await buildCheckoutApp(
    loadCheckoutConfig({ ...TEST_ENV, DYNAMODB_ENDPOINT: dynamo.endpoint, ORDERS_URL: ordersUrl }),
  );
  base = await listen(checkout);
});

afterAll(async () => {
  await checkout?.close();
  await orders?.close();
  await db?.end();
  await dynamo?.stop();
  await pg?.stop();
});

describe('GET /checkout/{customerId} and POST .../update', () => {
  test('there is no checkout until the first update', async () => {
    const response = await call(base, 'GET', `/checkout/${newCustomer()}`);
    expect(response.status).toBe(404);
    expect(response.json().field).toBe('params.customerId');
  });

  test('an update prices the checkout: subtotal, standard shipping, no tax before an address', async () => {
    const customer = newCustomer();
    const response = await update(customer, { items: ITEMS });
    expect(response.status).toBe(200);
    const view = response.json();
    expect(view).toEqual({
      customerId: customer,
      checkoutId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      version: 1,
      status: 'open',
      items: [
        { id: PACK, name: 'Trail Runner Backpack', quantity: 1, price: 89, totalCost: 89 },
        { id: MUG, name: 'Enamel Camp Mug', quantity: 2, price: 14.25, totalCost: 28.5 },
      ],
      deliveryOptionToken: 'standard',
      shippingRates: {
        shipmentId: view.checkoutId,
        rates: [
          { name: 'Standard (5 days)', amount: 5, token: 'standard', estimatedDays: 5 },
          { name: 'Priority (2 days)', amount: 15, token: 'priority', estimatedDays: 2 },
        ],
      },
      subtotal: 117.5,
      shipping: 5,
      tax: 0,
      total: 122.5,
      orderId: null,
      updatedAt: expect.any(String),
    });
    expect((await call(base, 'GET', `/checkout/${customer}`)).json()).toEqual(view);
  });

  test('with an address and priority delivery: 5 % tax (rounded down), priority shipping, next version', async () => {
    const customer = newCustomer();
    const first = (await update(customer, { items: ITEMS })).json();
    const second = (
      await update(customer, { items: ITEMS, shippingAddress: ADDRESS, deliveryOptionToken: 'priority' })
    ).json();
    expect(second).toMatchObject({
      checkoutId: first.checkoutId,
      version: 2,
      shippingAddress: ADDRESS,
      subtotal: 117.5,
      shipping: 15,
      tax: 5.87,
      total: 138.37,
    });
  });

  test.each([
    ['no items', { items: [] }, 'body.items'],
    ['a negative quantity', { items: [{ ...ITEMS[0], quantity: -1 }] }, 'body.items[0].quantity'],
    ['a price as a string', { items: [{ ...ITEMS[0], price: '89' }] }, 'body.items[0].price'],
    ['a price with three decimals', { items: [{ ...ITEMS[0], price: 1.001 }] }, 'body.items[0].price'],
    ['a malformed product id', { items: [{ ...ITEMS[0], id: 'x' }] }, 'body.items[0].id'],
    ['the same product twice', { items: [ITEMS[0], ITEMS[0]] }, 'body.items[1].id'],
    [
      'an address without zip',
      { items: ITEMS, shippingAddress: { ...ADDRESS, zip: undefined } },
      'body.shippingAddress.zip',
    ],
    ['a bad email', { items: ITEMS, shippingAddress: { ...ADDRESS, email: 'grace' } }, 'body.shippingAddress.email'],
    ['an unknown delivery option', { items: ITEMS, deliveryOptionToken: 'drone' }, 'body.deliveryOptionToken'],
    ['an unknown field', { items: ITEMS, coupon: 'x' }, 'body.coupon'],
    ['a NUL in an item name', { items: [{ ...ITEMS[0], name: 'a\u0000b' }] }, 'body.items[0].name'],
    ['a lone surrogate in an item name', { items: [{ ...ITEMS[0], name: 'x\ud800y' }] }, 'body.items[0].name'],
    ...(['firstName', 'lastName', 'address1', 'address2', 'city', 'state'] as const).map(
      (name): [string, unknown, string] => [
        `a NUL in shippingAddress.${name}`,
        { items: ITEMS, shippingAddress: { ...ADDRESS, [name]: 'A\u0000' } },
        `body.shippingAddress.${name}`,
      ],
    ),
    [
      'a lone surrogate in the first address line',
      { items: ITEMS, shippingAddress: { ...ADDRESS, address1: '\udfff' } },
      'body.shippingAddress.address1',
    ],
    [
      'a NUL in the email',
      { items: ITEMS, shippingAddress: { ...ADDRESS, email: 'g\u0000@example.com' } },
      'body.shippingAddress.email',
    ],
    [
      'a price above the $50,000 a unit may cost (B4: the tax of a large subtotal passed the orders limit)',
      { items: [{ ...ITEMS[0], quantity: 1000, price: 1_000_000 }], shippingAddress: ADDRESS },
      'body.items[0].price',
    ],
    [
      '101 lines',
      {
        items: Array.from({ length: 101 }, (_, i) => ({
          ...ITEMS[0],
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        })),
      },
      'body.items',
    ],
  ])('%s is a 400 naming the field, and nothing is written', async (_case, body, field) => {
    const customer = newCustomer();
    const response = await update(customer, body);
    expect(response.status).toBe(400);
    expect(response.json().field).toBe(field);
    expect((await call(base, 'GET', `/checkout/${customer}`)).status).toBe(404);
  });

  test('a malformed customer id is a 400', async () => {
    expect((await update('bad%24id', { items: ITEMS })).status).toBe(400);
  });
});

describe('POST /checkout/{customerId}/submit', () => {
  test('places one order with the checkout’s items and charges, then answers the same order on every retry', async () => {
    const customer = newCustomer();
    const open = (await update(customer, { items: ITEMS, shippingAddress: ADDRESS })).json();
    const first = await submit(customer);
    expect(first.status).toBe(201);
    const submitted = first.json();
    expect(submitted).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'grace@example.com',
      items: open.items,
      subtotal: 117.5,
      shipping: 5,
      tax: 5.87,
      total: 128.37,
    });
    const again = await submit(customer);
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(submitted);
    expect(await ordersOf(customer)).toEqual([
      { id: submitted.orderId, idempotency_key: `checkout-${open.checkoutId}-v1`, total: '128.37' },
    ]);
    const order = (await call(ordersUrl, 'GET', `/orders/${submitted.orderId}`)).json();
    expect(order).toMatchObject({
      customerId: customer,
      subtotal: 117.5,
      shipping: 5,
      tax: 5.87,
      total: 128.37,
      shippingAddress: { firstName: 'Grace', lastName: 'Hopper', zipCode: '22201', email: 'grace@example.com' },
    });
    expect(order.items.map((i: { productId: string; quantity: number }) => [i.productId, i.quantity])).toEqual([
      [PACK, 1],
      [MUG, 2],
    ]);
    expect((await call(base, 'GET', `/checkout/${customer}`)).json()).toMatchObject({
      status: 'submitted',
      orderId: submitted.orderId,
    });
  });

  test('five concurrent submits of one checkout create exactly one order and all answer it', async () => {
    const customer = newCustomer();
    await update(customer, { items: ITEMS, shippingAddress: ADDRESS });
    const answers = await Promise.all(Array.from({ length: 5 }, () => submit(customer)));
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const orderIds = new Set(answers.map((a) => a.json().orderId));
    expect(orderIds.size).toBe(1);
    expect((await ordersOf(customer)).map((o) => o.id)).toEqual([...orderIds]);
  });

  test('a checkout changed after its order was placed is a new version and submits a second order', async () => {
    const customer = newCustomer();
    await update(customer, { items: ITEMS, shippingAddress: ADDRESS });
    const first = (await submit(customer)).json();
    const changed = (await update(customer, { items: [ITEMS[0]], shippingAddress: ADDRESS })).json();
    expect(changed).toMatchObject({ version: 2, status: 'open', orderId: null });
    const second = await submit(customer);
    expect(second.status).toBe(201);
    expect(second.json().orderId).not.toBe(first.orderId);
    expect((await ordersOf(customer)).map((o) => o.idempotency_key)).toEqual([
      `checkout-${changed.checkoutId}-v1`,
      `checkout-${changed.checkoutId}-v2`,
    ]);
  });

  test('without an address the submit is a 409 naming shippingAddress, and no order is placed', async () => {
    const customer = newCustomer();
    await update(customer, { items: ITEMS });
    const response = await submit(customer);
    expect(response.status).toBe(409);
    expect(response.json()).toMatchObject({ field: 'shippingAddress' });
    expect(await ordersOf(customer)).toEqual([]);
  });

  test('without a checkout the submit is a 404', async () => {
    expect((await submit(newCustomer())).status).toBe(404);
  });

  test('while orders is down the submit is a 503; a later retry places exactly one order', async () => {
    const customer = newCustomer();
    await update(customer, { items: ITEMS, shippingAddress: ADDRESS });
    await call(ordersUrl, 'POST', '/chaos/status/503');
    try {
      const failed = await submit(customer);
      expect(failed.status).toBe(503);
      expect(failed.json().message).toBe('orders is unavailable; retry later');
    } finally {
      await call(ordersUrl, 'DELETE', '/chaos/status');
    }
    expect(await ordersOf(customer)).toEqual([]);
    const retried = await submit(customer);
    expect(retried.status).toBe(201);
    expect(await submit(customer).then((a) => a.json().orderId)).toBe(retried.json().orderId);
    expect(await ordersOf(customer)).toHaveLength(1);
  });

  test('an order placed whose answer was lost is found, not duplicated, by the retry', async () => {
    const customer = newCustomer();
    const open = (await update(customer, { items: ITEMS, shippingAddress: ADDRESS })).json();
    // The orders service placed it (say the answer timed out): the checkout does not know the order id yet.
    const placed = await call(ordersUrl, 'POST', '/orders', {
      json: {
        idempotencyKey: `checkout-${open.checkoutId}-v1`,
        customerId: customer,
        items: ITEMS.map((i) => ({ productId: i.id, name: i.name, quantity: i.quantity, unitPrice: i.price })),
        shipping: 5,
        tax: 5.87,
        shippingAddress: { ...ADDRESS, zip: undefined, zipCode: ADDRESS.zip },
      },
    });
    expect(placed.status).toBe(201);
    const submitted = await submit(customer);
    expect(submitted.status).toBe(200);
    expect(submitted.json().orderId).toBe(placed.json().id);
    expect(await ordersOf(customer)).toHaveLength(1);
  });
});

// The ui marks the canary's synthetic shopper's submits (issue 12, review M2); the checkout passes the mark on to
// the order it places and adds nothing of its own.
describe('synthetic submits', () => {
  const syntheticOf = async (customer: string) =>
    (await db.query('SELECT synthetic FROM orders WHERE customer_id = $1', [customer])).rows.map((r) => r.synthetic);

  test('GIVEN a submit with synthetic: true THEN the order placed is synthetic; a retry answers the same order', async () => {
    const customer = newCustomer();
    await update(customer, { items: ITEMS, shippingAddress: ADDRESS });
    const first = await call(base, 'POST', `/checkout/${customer}/submit`, { json: { synthetic: true } });
    const again = await call(base, 'POST', `/checkout/${customer}/submit`, { json: { synthetic: true } });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.json().orderId).toBe(first.json().orderId);
    expect(await syntheticOf(customer)).toEqual([true]);
  });

  test('GIVEN a submit without a body or with synthetic: false THEN the order is real', async () => {
    const [bare, unmarked] = [newCustomer(), newCustomer()];
    for (const customer of [bare, unmarked]) await update(customer, { items: ITEMS, shippingAddress: ADDRESS });
    expect((await submit(bare)).status).toBe(201);
    expect((await call(base, 'POST', `/checkout/${unmarked}/submit`, { json: { synthetic: false } })).status).toBe(201);
    expect([await syntheticOf(bare), await syntheticOf(unmarked)]).toEqual([[false], [false]]);
  });

  test('GIVEN a submit body with anything else THEN it is a 400 naming the field and no order is placed', async () => {
    const customer = newCustomer();
    await update(customer, { items: ITEMS, shippingAddress: ADDRESS });
    const answer = await call(base, 'POST', `/checkout/${customer}/submit`, { json: { synthetic: 'yes' } });
    expect(answer.status).toBe(400);
    expect(answer.json().field).toBe('body.synthetic');
    expect(await ordersOf(customer)).toEqual([]);
  });
});

describe('health', () => {
  test('ready checks the table; topology names it and the orders service', async () => {
    expect((await call(base, 'GET', '/health/ready')).json()).toMatchObject({
      status: 'ok',
      checks: { dynamodb: 'ok' },
    });
    expect((await call(base, 'GET', '/topology')).json()).toMatchObject({
      service: 'checkout',
      store: { kind: 'dynamodb', table: 'checkout' },
      dependencies: { orders: ordersUrl },
    });
  });
});

// Checkouts stored before the text and limit checks existed (issue 14, B2 and B4): written straight into the table,
// as the old update wrote them. A submit must say which field to change, not answer 503 or 502 for ever.
describe('a stored checkout the orders service cannot take', () => {
  let repository: CheckoutRepository;
  beforeAll(() => {
    const config = loadCheckoutConfig({ ...TEST_ENV, DYNAMODB_ENDPOINT: dynamo.endpoint, ORDERS_URL: ordersUrl });
    repository = new CheckoutRepository(createDocumentClient(config.dynamodb), config.table);
  });

  const priced = (overrides: Partial<PricedCheckout> = {}): PricedCheckout => ({
    items: [{ id: PACK, name: 'Trail Runner Backpack', quantity: 1, priceCents: 8900 }],
    shippingAddress: ADDRESS,
    deliveryOptionToken: 'standard',
    subtotalCents: 8900,
    shippingCents: 500,
    taxCents: 445,
    totalCents: 9845,
    ...overrides,
  });

  test.each([
    [
      'a NUL in an item name',
      priced({ items: [{ id: PACK, name: 'a\u0000b', quantity: 1, priceCents: 8900 }] }),
      'items[0].name',
    ],
    [
      'a NUL in the first name',
      priced({ shippingAddress: { ...ADDRESS, firstName: 'A\u0000' } }),
      'shippingAddress.firstName',
    ],
    [
      'a subtotal whose tax is past the orders limit',
      priced({
        items: Array.from({ length: 11 }, (_, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          name: 'x',
          quantity: 1000,
          priceCents: 100_000_000,
        })),
        subtotalCents: 1_100_000_000_000,
        taxCents: 55_000_000_000,
        totalCents: 1_155_000_000_500,
      }),
      'items[0].price',
    ],
  ])(
    'GIVEN a stored checkout with %s WHEN submitted THEN every submit is a 409 naming the field, and an update that fixes it places the order',
    async (_case, stored, field) => {
      const customer = newCustomer();
      await repository.save(customer, stored);
      for (let attempt = 0; attempt < 2; attempt++) {
        const refused = await submit(customer);
        expect(refused.status).toBe(409);
        expect(refused.json()).toMatchObject({ field });
        expect(refused.json().message).toMatch(
          new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: .+; change it with POST /checkout/${customer}/update$`),
        );
      }
      expect(await ordersOf(customer)).toEqual([]);
      expect((await update(customer, { items: ITEMS, shippingAddress: ADDRESS })).status).toBe(200);
      expect((await submit(customer)).status).toBe(201);
      expect(await ordersOf(customer)).toHaveLength(1);
    },
  );
});

describe('an orders service that refuses the order', () => {
  let refusing: Server;
  let refusal: { status: number; body: unknown };
  let viaRefusing: ServiceApp;
  let viaRefusingUrl: string;
  beforeAll(async () => {
    refusing = createServer((_request, response) => {
      response.writeHead(refusal.status, { 'content-type': 'application/json' }).end(JSON.stringify(refusal.body));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const address = refusing.address() as { port: number };
    viaRefusing = await buildCheckoutApp(
      loadCheckoutConfig({
        ...TEST_ENV,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        ORDERS_URL: `http://127.0.0.1:${address.port}`,
      }),
    );
    viaRefusingUrl = await listen(viaRefusing);
  });
  afterAll(async () => {
    await viaRefusing?.close();
    await new Promise((resolve) => refusing?.close(resolve));
  });

  test.each([
    ['body.shippingAddress.zipCode', 'shippingAddress.zip'],
    ['body.shippingAddress.city', 'shippingAddress.city'],
    ['body.items[0].unitPrice', 'items[0].price'],
    ['body.items[0].productId', 'items[0].id'],
    ['body.items[0].name', 'items[0].name'],
    ['body.tax', 'items'],
  ])(
    'GIVEN orders answers 400 naming %s WHEN submitted THEN a 409 names the checkout field %s and does not echo the orders API',
    async (ordersField, field) => {
      refusal = {
        status: 400,
        body: { statusCode: 400, message: `${ordersField}: internal wording (received 1)`, field: ordersField },
      };
      const customer = newCustomer();
      await call(viaRefusingUrl, 'POST', `/checkout/${customer}/update`, {
        json: { items: ITEMS, shippingAddress: ADDRESS },
      });
      const answer = await call(viaRefusingUrl, 'POST', `/checkout/${customer}/submit`);
      expect(answer.status).toBe(409);
      expect(answer.json()).toMatchObject({ field });
      expect(answer.text).not.toContain('body.');
      expect(answer.text).not.toContain('internal wording');
    },
  );

  test('GIVEN orders answers 400 naming no field WHEN submitted THEN a 502 says the orders service refused, without its words', async () => {
    refusal = { status: 400, body: { statusCode: 400, message: 'body: internal wording' } };
    const customer = newCustomer();
    await call(viaRefusingUrl, 'POST', `/checkout/${customer}/update`, {
      json: { items: ITEMS, shippingAddress: ADDRESS },
    });
    const answer = await call(viaRefusingUrl, 'POST', `/checkout/${customer}/submit`);
    expect(answer.status).toBe(502);
    expect(answer.text).not.toContain('internal wording');
  });
});
