import { Client } from 'pg';
import { buildOrdersApp } from '../../services/orders/app';
import { loadOrdersConfig } from '../../services/orders/config';
import { purgeSyntheticOrders } from '../../services/orders/synthetic-order-retention';
import type { ServiceApp } from '../../services/platform/service-app';
import { call, listen, TEST_ENV } from './support/http';
import { SHIPPING_ADDRESS as ADDRESS } from './support/orders';
import { startPostgres, type TestPostgres } from './support/stores';

let pg: TestPostgres;
let db: Client;
let app: ServiceApp;
let base: string;

const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';
const MUG = '01a21b3d-b6ba-707b-9b8e-148fae29e3ad';

let keys = 0;
function newOrder(overrides: Record<string, unknown> = {}) {
  keys += 1;
  return {
    idempotencyKey: `test-key-${keys}`,
    customerId: 'customer-1',
    items: [
      { productId: PACK, name: 'Trail Runner Backpack', quantity: 2, unitPrice: 89 },
      { productId: MUG, name: 'Enamel Camp Mug', quantity: 3, unitPrice: 14.25 },
    ],
    shippingAddress: ADDRESS,
    ...overrides,
  };
}

async function counts(): Promise<Record<string, number>> {
  const { rows } = await db.query(`SELECT
    (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_items) AS items,
    (SELECT count(*)::int FROM shipping_addresses) AS addresses, (SELECT count(*)::int FROM order_events) AS events`);
  return rows[0];
}

beforeAll(async () => {
  pg = await startPostgres();
  db = new Client({ connectionString: pg.urls.orders });
  await db.connect();
  app = await buildOrdersApp(
    loadOrdersConfig({ ...TEST_ENV, DATABASE_URL: pg.urls.orders, HEARTBEAT_ENABLED: 'false' }),
  );
  base = await listen(app);
});

afterAll(async () => {
  await app?.close();
  await db?.end();
  await pg?.stop();
});

describe('POST /orders', () => {
  test('places the order with its items, address and outbox event in one go (201)', async () => {
    const before = await counts();
    const body = newOrder();
    const response = await call(base, 'POST', '/orders', { json: body });
    expect(response.status).toBe(201);
    const order = response.json();
    expect(order).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      customerId: 'customer-1',
      status: 'placed',
      subtotal: 220.75,
      shipping: 0,
      tax: 0,
      total: 220.75,
      currency: 'USD',
      idempotencyKey: body.idempotencyKey,
      synthetic: false,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
      updatedAt: order.createdAt,
      version: 1,
      items: [
        {
          id: expect.any(String),
          productId: PACK,
          name: 'Trail Runner Backpack',
          quantity: 2,
          unitPrice: 89,
          totalCost: 178,
        },
        {
          id: expect.any(String),
          productId: MUG,
          name: 'Enamel Camp Mug',
          quantity: 3,
          unitPrice: 14.25,
          totalCost: 42.75,
        },
      ],
      shippingAddress: ADDRESS,
    });
    expect(response.headers.get('location')).toBe(`/orders/${order.id}`);
    expect(await counts()).toEqual({
      orders: before.orders + 1,
      items: before.items + 2,
      addresses: before.addresses + 1,
      events: before.events + 1,
    });
    const event = (await db.query('SELECT type, payload FROM order_events WHERE order_id = $1', [order.id])).rows[0];
    expect(event).toEqual({
      type: 'OrderPlaced',
      payload: {
        orderId: order.id,
        customerId: 'customer-1',
        idempotencyKey: body.idempotencyKey,
        subtotal: 220.75,
        shipping: 0,
        tax: 0,
        total: 220.75,
        currency: 'USD',
        synthetic: false,
        items: [
          { productId: PACK, quantity: 2, unitPrice: 89 },
          { productId: MUG, quantity: 3, unitPrice: 14.25 },
        ],
      },
    });
  });

  test('the answer of a new order is what a later read returns (an empty second address line is no line)', async () => {
    const placed = await call(base, 'POST', '/orders', {
      json: newOrder({ shippingAddress: { ...ADDRESS, address2: '' } }),
    });
    expect(placed.status).toBe(201);
    expect(placed.json().shippingAddress).toEqual(ADDRESS);
    expect((await call(base, 'GET', `/orders/${placed.json().id}`)).json()).toEqual(placed.json());
    const withLine = await call(base, 'POST', '/orders', {
      json: newOrder({ shippingAddress: { ...ADDRESS, address2: 'Flat 2' } }),
    });
    expect((await call(base, 'GET', `/orders/${withLine.json().id}`)).json()).toEqual(withLine.json());
    expect(withLine.json().shippingAddress.address2).toBe('Flat 2');
  });

  test('shipping and tax are charged on top of the items', async () => {
    const response = await call(base, 'POST', '/orders', { json: newOrder({ shipping: 15, tax: 11.03 }) });
    expect(response.status).toBe(201);
    expect(response.json()).toMatchObject({ subtotal: 220.75, shipping: 15, tax: 11.03, total: 246.78 });
    const row = (
      await db.query('SELECT total::text, shipping::text, tax::text FROM orders WHERE id = $1', [response.json().id])
    ).rows[0];
    expect(row).toEqual({ total: '246.78', shipping: '15.00', tax: '11.03' });
  });

  test('the same idempotency key again returns the same order (200) and writes nothing', async () => {
    const body = newOrder();
    const first = await call(base, 'POST', '/orders', { json: body });
    const before = await counts();
    const again = await call(base, 'POST', '/orders', { json: body });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await counts()).toEqual(before);
  });

  test('five concurrent posts with one key create exactly one order and all answer it', async () => {
    const body = newOrder();
    const before = await counts();
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(base, 'POST', '/orders', { json: body })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(await counts()).toEqual({
      orders: before.orders + 1,
      items: before.items + 2,
      addresses: before.addresses + 1,
      events: before.events + 1,
    });
  });

  test('the key may come as the Idempotency-Key header instead', async () => {
    const { idempotencyKey, ...body } = newOrder();
    const first = await call(base, 'POST', '/orders', { json: body, headers: { 'idempotency-key': idempotencyKey } });
    const again = await call(base, 'POST', '/orders', { json: body, headers: { 'idempotency-key': idempotencyKey } });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(first.json().idempotencyKey).toBe(idempotencyKey);
    expect(again.json().id).toBe(first.json().id);
  });

  test('a key reused for a different order is a 409 and writes nothing', async () => {
    const body = newOrder();
    await call(base, 'POST', '/orders', { json: body });
    const before = await counts();
    const other = await call(base, 'POST', '/orders', { json: { ...body, customerId: 'someone-else' } });
    expect(other.status).toBe(409);
    expect(other.json()).toMatchObject({ field: 'body.idempotencyKey' });
    const changed = await call(base, 'POST', '/orders', { json: { ...body, items: [body.items[0]] } });
    expect(changed.status).toBe(409);
    const charged = await call(base, 'POST', '/orders', { json: { ...body, shipping: 5 } });
    expect(charged.status).toBe(409);
    expect(await counts()).toEqual(before);
  });

  const { idempotencyKey: _unused, ...withoutKey } = newOrder();
  const item = { productId: PACK, name: 'Pack', quantity: 1, unitPrice: 1 };
  test.each([
    [
      'no idempotency key anywhere',
      withoutKey,
      {},
      'body.idempotencyKey',
      'body.idempotencyKey: is required (in the body or as the Idempotency-Key header)',
    ],
    [
      'body and header keys that differ',
      newOrder({ idempotencyKey: 'one' }),
      { 'idempotency-key': 'two' },
      'body.idempotencyKey',
      'body.idempotencyKey: differs from the Idempotency-Key header; send one or make them equal',
    ],
    ['a key with spaces', newOrder({ idempotencyKey: 'has space' }), {}, 'body.idempotencyKey', undefined],
    [
      'a missing customerId',
      { ...newOrder(), customerId: undefined },
      {},
      'body.customerId',
      'body.customerId: is required',
    ],
    ['a malformed customerId', newOrder({ customerId: 'a b' }), {}, 'body.customerId', undefined],
    [
      'no items',
      newOrder({ items: [] }),
      {},
      'body.items',
      'body.items: expected array length to be greater or equal to 1 (received [])',
    ],
    [
      'a negative quantity',
      newOrder({ items: [{ ...item, quantity: -1 }] }),
      {},
      'body.items[0].quantity',
      'body.items[0].quantity: expected integer to be greater or equal to 1 (received -1)',
    ],
    [
      'a quantity as a string',
      newOrder({ items: [{ ...item, quantity: '2' }] }),
      {},
      'body.items[0].quantity',
      'body.items[0].quantity: expected integer (received "2")',
    ],
    [
      'a fractional quantity',
      newOrder({ items: [{ ...item, quantity: 1.5 }] }),
      {},
      'body.items[0].quantity',
      'body.items[0].quantity: expected integer (received 1.5)',
    ],
    [
      'a negative price',
      newOrder({ items: [{ ...item, unitPrice: -0.01 }] }),
      {},
      'body.items[0].unitPrice',
      'body.items[0].unitPrice: expected number to be greater or equal to 0 (received -0.01)',
    ],
    [
      'a price with three decimals',
      newOrder({ items: [{ ...item, unitPrice: 1.005 }] }),
      {},
      'body.items[0].unitPrice',
      'body.items[0].unitPrice: must have at most two decimals (received 1.005)',
    ],
    [
      'a malformed product id',
      newOrder({ items: [{ ...item, productId: 'pack' }] }),
      {},
      'body.items[0].productId',
      `body.items[0].productId: expected string to match 'uuid' format (received "pack")`,
    ],
    [
      'the same product twice',
      newOrder({ items: [item, { ...item, quantity: 2 }] }),
      {},
      'body.items[1].productId',
      `body.items[1].productId: ${PACK} appears twice; send one line per product`,
    ],
    [
      'a bad email',
      newOrder({ shippingAddress: { ...ADDRESS, email: 'ada' } }),
      {},
      'body.shippingAddress.email',
      `body.shippingAddress.email: expected string to match 'email' format (received "ada")`,
    ],
    [
      'a missing address',
      { ...newOrder(), shippingAddress: undefined },
      {},
      'body.shippingAddress',
      'body.shippingAddress: is required',
    ],
    ['an unknown field', newOrder({ coupon: 'FREE' }), {}, 'body.coupon', 'body.coupon: is not an accepted property'],
    [
      'a negative tax',
      newOrder({ tax: -1 }),
      {},
      'body.tax',
      'body.tax: expected number to be greater or equal to 0 (received -1)',
    ],
    [
      'shipping as a string',
      newOrder({ shipping: '5' }),
      {},
      'body.shipping',
      'body.shipping: expected number (received "5")',
    ],
    [
      'a NUL (U+0000) in an item name',
      newOrder({ items: [{ ...item, name: 'a\u0000b' }] }),
      {},
      'body.items[0].name',
      'body.items[0].name: contains U+0000 (NUL) at index 1, which cannot be stored; remove it (received "a\\u0000b")',
    ],
    [
      'a NUL in the first name',
      newOrder({ shippingAddress: { ...ADDRESS, firstName: 'A\u0000' } }),
      {},
      'body.shippingAddress.firstName',
      undefined,
    ],
    [
      'a NUL as the first address line',
      newOrder({ shippingAddress: { ...ADDRESS, address1: '\u0000' } }),
      {},
      'body.shippingAddress.address1',
      undefined,
    ],
    [
      'a NUL in the second address line',
      newOrder({ shippingAddress: { ...ADDRESS, address2: 'flat\u0000' } }),
      {},
      'body.shippingAddress.address2',
      undefined,
    ],
    [
      'a NUL in the email',
      newOrder({ shippingAddress: { ...ADDRESS, email: 'a\u0000@example.com' } }),
      {},
      'body.shippingAddress.email',
      'body.shippingAddress.email: contains U+0000 (NUL) at index 1, which cannot be stored; remove it (received "a\\u0000@example.com")',
    ],
    ...(['lastName', 'city', 'state'] as const).map(
      (name): [string, unknown, Record<string, string>, string, undefined] => [
        `a NUL in ${name}`,
        newOrder({ shippingAddress: { ...ADDRESS, [name]: 'x\u0000' } }),
        {},
        `body.shippingAddress.${name}`,
        undefined,
      ],
    ),
    [
      'a lone UTF-16 surrogate in an item name (Postgres would store U+FFFD)',
      newOrder({ items: [{ ...item, name: 'x\ud800y' }] }),
      {},
      'body.items[0].name',
      'body.items[0].name: contains a lone UTF-16 surrogate (U+D800) at index 1, which is not Unicode text; send well-formed text (received "x\\ud800y")',
    ],
    [
      'a lone low surrogate in the city',
      newOrder({ shippingAddress: { ...ADDRESS, city: '\udc00' } }),
      {},
      'body.shippingAddress.city',
      undefined,
    ],
    [
      'a total past numeric(12, 2): 11 lines of 1000 at $1,000,000',
      newOrder({
        items: Array.from({ length: 11 }, (_, i) => ({
          ...item,
          productId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          quantity: 1000,
          unitPrice: 1_000_000,
        })),
      }),
      {},
      'body.items[0].unitPrice',
      'body.items[0].unitPrice: expected number to be less or equal to 50000 (received 1000000)',
    ],
    [
      'a tax above the limit',
      newOrder({ tax: 500_000_000.01 }),
      {},
      'body.tax',
      'body.tax: expected number to be less or equal to 500000000 (received 500000000.01)',
    ],
    [
      'a shipping charge above the limit',
      newOrder({ shipping: 1_000_000.01 }),
      {},
      'body.shipping',
      'body.shipping: expected number to be less or equal to 1000000 (received 1000000.01)',
    ],
    [
      '101 lines',
      newOrder({
        items: Array.from({ length: 101 }, (_, i) => ({
          ...item,
          productId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        })),
      }),
      {},
      'body.items',
      undefined,
    ],
  ])('%s is a 400 naming the field and writes nothing', async (_case, json, headers, field, message) => {
    const before = await counts();
    const response = await call(base, 'POST', '/orders', { json, headers });
    expect(response.status).toBe(400);
    expect(response.json().field).toBe(field);
    if (message !== undefined) expect(response.json().message).toBe(message);
    expect(await counts()).toEqual(before);
  });

  test('an oversized body is a 413 and writes nothing', async () => {
    const before = await counts();
    const response = await call(base, 'POST', '/orders', {
      json: newOrder({ shippingAddress: { ...ADDRESS, address2: 'x'.repeat(70_000) } }),
    });
    expect(response.status).toBe(413);
    expect(await counts()).toEqual(before);
  });
});

describe('GET /orders?customerId=', () => {
  const customer = 'pager-customer';
  const placed: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      placed.push((await call(base, 'POST', '/orders', { json: newOrder({ customerId: customer }) })).json().id);
    }
    await call(base, 'POST', '/orders', { json: newOrder({ customerId: 'another-customer' }) });
  });

  test('pages through one customer’s orders, newest first, with a cursor', async () => {
    const first = (await call(base, 'GET', `/orders?customerId=${customer}&limit=2`)).json();
    expect(first.orders.map((o: { id: string }) => o.id)).toEqual([placed[4], placed[3]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (
      await call(base, 'GET', `/orders?customerId=${customer}&limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect(second.orders.map((o: { id: string }) => o.id)).toEqual([placed[2], placed[1]]);
    const third = (
      await call(base, 'GET', `/orders?customerId=${customer}&limit=2&cursor=${second.nextCursor}`)
    ).json();
    expect(third).toEqual({
      orders: [expect.objectContaining({ id: placed[0], customerId: customer })],
      nextCursor: null,
    });
  });

  test('the default page holds up to 20 orders, all of the customer', async () => {
    const page = (await call(base, 'GET', `/orders?customerId=${customer}`)).json();
    expect(page.orders).toHaveLength(5);
    expect(new Set(page.orders.map((o: { customerId: string }) => o.customerId))).toEqual(new Set([customer]));
    expect(page.nextCursor).toBeNull();
  });

  test.each([
    ['', 'query.customerId', 'query.customerId: is required'],
    [
      `customerId=${customer}&limit=0`,
      'query.limit',
      'query.limit: expected integer to be greater or equal to 1 (received 0)',
    ],
    [
      `customerId=${customer}&limit=101`,
      'query.limit',
      'query.limit: expected integer to be less or equal to 100 (received 101)',
    ],
    [
      `customerId=${customer}&cursor=bm9wZQ`,
      'query.cursor',
      'query.cursor: is not a cursor returned by this API as nextCursor',
    ],
    ['customerId=a%20b', 'query.customerId', undefined],
    [`customerId=${customer}&limit=1.5`, 'query.limit', 'query.limit: expected integer (received "1.5")'],
    [`customerId=${customer}&limit=1e1`, 'query.limit', 'query.limit: expected integer (received "1e1")'],
    [`customerId=${customer}&limit=0x10`, 'query.limit', 'query.limit: expected integer (received "0x10")'],
    ...[
      ['month 99', '9999-99-99T99:99:99.999999Z|00000000-0000-4000-8000-000000000000'],
      ['30 February', '2024-02-30T00:00:00.000000Z|00000000-0000-4000-8000-000000000000'],
      ['hour 24', '2024-01-01T24:00:00.000000Z|00000000-0000-4000-8000-000000000000'],
      ['36 dashes as the id', `2024-01-01T00:00:00.000000Z|${'-'.repeat(36)}`],
      ['an id with dashes out of place', '2024-01-01T00:00:00.000000Z|0000000000000000000000000000000000--'],
    ].map(([, decoded]): [string, string, string] => [
      `customerId=${customer}&cursor=${Buffer.from(decoded!).toString('base64url')}`,
      'query.cursor',
      'query.cursor: is not a cursor returned by this API as nextCursor',
    ]),
  ])('?%s is a 400 (never everyone’s orders)', async (query, field, message) => {
    const response = await call(base, 'GET', `/orders?${query}`);
    expect(response.status).toBe(400);
    expect(response.json().field).toBe(field);
    if (message !== undefined) expect(response.json().message).toBe(message);
  });
});

describe('GET /orders/{id} and soft deletes', () => {
  test('answers the order; unknown is 404; malformed is 400', async () => {
    const order = (await call(base, 'POST', '/orders', { json: newOrder() })).json();
    const found = await call(base, 'GET', `/orders/${order.id}`);
    expect(found.status).toBe(200);
    expect(found.json()).toEqual(order);
    expect((await call(base, 'GET', '/orders/01a21b3d-0000-7000-8000-000000000000')).status).toBe(404);
    const malformed = await call(base, 'GET', '/orders/123');
    expect(malformed.status).toBe(400);
    expect(malformed.json().field).toBe('params.id');
  });

  test('DELETE soft-deletes: the order is hidden, its row stays with a new version, an outbox event is written', async () => {
    const order = (await call(base, 'POST', '/orders', { json: newOrder({ customerId: 'deleting-customer' }) })).json();
    expect((await call(base, 'DELETE', `/orders/${order.id}`)).status).toBe(204);
    expect((await call(base, 'GET', `/orders/${order.id}`)).status).toBe(404);
    expect((await call(base, 'GET', '/orders?customerId=deleting-customer')).json().orders).toEqual([]);
    const row = (
      await db.query('SELECT deleted_at IS NOT NULL AS deleted, version FROM orders WHERE id = $1', [order.id])
    ).rows[0];
    expect(row).toEqual({ deleted: true, version: 2 });
    const events = (await db.query('SELECT type FROM order_events WHERE order_id = $1 ORDER BY id', [order.id])).rows;
    expect(events).toEqual([{ type: 'OrderPlaced' }, { type: 'OrderDeleted' }]);
    expect((await call(base, 'DELETE', `/orders/${order.id}`)).status).toBe(404);
  });

  test('re-using the key of a deleted order is a 409, not a resurrection', async () => {
    const body = newOrder();
    const order = (await call(base, 'POST', '/orders', { json: body })).json();
    await call(base, 'DELETE', `/orders/${order.id}`);
    const again = await call(base, 'POST', '/orders', { json: body });
    expect(again.status).toBe(409);
    expect(again.json().message).toBe('body.idempotencyKey: belongs to an order that has been deleted; use a new key');
  });

  test('an update through the trigger bumps version and updated_at', async () => {
    const order = (await call(base, 'POST', '/orders', { json: newOrder() })).json();
    await db.query("UPDATE orders SET status = 'paid' WHERE id = $1", [order.id]);
    const updated = (await call(base, 'GET', `/orders/${order.id}`)).json();
    expect(updated).toMatchObject({ status: 'paid', version: 2 });
    expect(updated.updatedAt > order.updatedAt).toBe(true);
  });
});

// Issue 16: a shopper changes an order's shipping address (the drill's and the game day's lost updates and conflicts).
describe('PUT /orders/{id}/shipping-address', () => {
  const MOVED = { ...ADDRESS, address1: '1 New Street', address2: 'Flat 2', city: 'Leeds', zipCode: 'LS1 1AA' };

  test('GIVEN an order WHEN its address is changed THEN the answer, the row (new version) and an outbox event show it', async () => {
    const order = (await call(base, 'POST', '/orders', { json: newOrder() })).json();
    const changed = await call(base, 'PUT', `/orders/${order.id}/shipping-address`, { json: MOVED });
    expect(changed.status).toBe(200);
    expect(changed.json()).toEqual({ ...order, shippingAddress: MOVED });
    const row = (
      await db.query('SELECT address1, address2, city, zip_code, version FROM shipping_addresses WHERE order_id = $1', [
        order.id,
      ])
    ).rows[0];
    expect(row).toEqual({
      address1: '1 New Street',
      address2: 'Flat 2',
      city: 'Leeds',
      zip_code: 'LS1 1AA',
      version: 2,
    });
    const events = (await db.query('SELECT type FROM order_events WHERE order_id = $1 ORDER BY id', [order.id])).rows;
    expect(events).toEqual([{ type: 'OrderPlaced' }, { type: 'ShippingAddressChanged' }]);
  });

  test('GIVEN no such order, or a deleted one WHEN its address is changed THEN 404 naming params.id, nothing written', async () => {
    const order = (await call(base, 'POST', '/orders', { json: newOrder() })).json();
    await call(base, 'DELETE', `/orders/${order.id}`);
    for (const id of [order.id, '01a21b3d-0000-7000-8000-000000000000']) {
      const before = await counts();
      const response = await call(base, 'PUT', `/orders/${id}/shipping-address`, { json: MOVED });
      expect(response.status).toBe(404);
      expect(response.json().field).toBe('params.id');
      expect(await counts()).toEqual(before);
    }
  });

  test.each([
    ['a malformed id', '/orders/123/shipping-address', MOVED, 'params.id'],
    ['no zip code', null, { ...MOVED, zipCode: undefined }, 'body.zipCode'],
    ['a bad email', null, { ...MOVED, email: 'not-an-email' }, 'body.email'],
    ['an unknown field', null, { ...MOVED, country: 'UK' }, 'body.country'],
  ])('GIVEN %s WHEN the address is changed THEN 400 naming the field', async (_name, url, json, field) => {
    const order = (await call(base, 'POST', '/orders', { json: newOrder() })).json();
    const response = await call(base, 'PUT', url ?? `/orders/${order.id}/shipping-address`, { json });
    expect(response.status).toBe(400);
    expect(response.json().field).toBe(field);
  });
});

// The canary's synthetic shopper places real orders (issue 12, review M2): they are stored like any other, marked
// `synthetic` end to end (row, answer, outbox event, log line) so business metrics can leave them out.
describe('synthetic orders', () => {
  test('GIVEN synthetic: true WHEN the order is placed THEN the row, the answer and the OrderPlaced event carry the mark', async () => {
    const placed = await call(base, 'POST', '/orders', { json: newOrder({ synthetic: true }) });
    expect(placed.status).toBe(201);
    expect(placed.json().synthetic).toBe(true);
    expect((await call(base, 'GET', `/orders/${placed.json().id}`)).json().synthetic).toBe(true);
    const row = (
      await db.query(
        `SELECT o.synthetic, e.payload->'synthetic' AS event FROM orders o JOIN order_events e ON e.order_id = o.id
          WHERE o.id = $1`,
        [placed.json().id],
      )
    ).rows[0];
    expect(row).toEqual({ synthetic: true, event: true });
  });

  test('GIVEN no mark WHEN the order is placed THEN it is a real order', async () => {
    const placed = (await call(base, 'POST', '/orders', { json: newOrder() })).json();
    const row = (await db.query('SELECT synthetic FROM orders WHERE id = $1', [placed.id])).rows[0];
    expect([placed.synthetic, row.synthetic]).toEqual([false, false]);
  });

  test('GIVEN a key used by a real order WHEN it comes again marked synthetic THEN it is a 409 (a different order)', async () => {
    const body = newOrder();
    await call(base, 'POST', '/orders', { json: body });
    const before = await counts();
    const marked = await call(base, 'POST', '/orders', { json: { ...body, synthetic: true } });
    expect(marked.status).toBe(409);
    expect(await counts()).toEqual(before);
  });

  test('GIVEN a synthetic value that is not a boolean WHEN posted THEN it is a 400 naming body.synthetic', async () => {
    const response = await call(base, 'POST', '/orders', { json: newOrder({ synthetic: 'yes' }) });
    expect(response.status).toBe(400);
    expect(response.json().field).toBe('body.synthetic');
  });

  test('WHEN an order is placed THEN one order.placed log line says whether it is synthetic; a retry logs none', async () => {
    const info = jest.spyOn(app.log, 'info');
    try {
      const body = newOrder({ synthetic: true });
      const placed = (await call(base, 'POST', '/orders', { json: body })).json();
      await call(base, 'POST', '/orders', { json: body });
      const real = (await call(base, 'POST', '/orders', { json: newOrder() })).json();
      const lines = info.mock.calls
        .map(([fields]) => fields as unknown as Record<string, unknown>)
        .filter((fields) => typeof fields === 'object' && fields?.['event'] === 'order.placed');
      expect(lines).toEqual([
        expect.objectContaining({ event: 'order.placed', orderId: placed.id, synthetic: true }),
        expect.objectContaining({ event: 'order.placed', orderId: real.id, synthetic: false }),
      ]);
    } finally {
      info.mockRestore();
    }
  });

  test('GIVEN an order written by code older than the column (migration 0004) THEN it is a real order', async () => {
    // Old tasks keep running during a deployment after the migration: their INSERT names no `synthetic` column.
    const id = '01a21b3d-0000-7000-8000-0000000000aa';
    await db.query(
      `INSERT INTO orders (id, customer_id, status, total, currency, idempotency_key)
       VALUES ($1, 'old-code', 'placed', 1, 'USD', 'old-code-key')`,
      [id],
    );
    expect((await db.query('SELECT synthetic FROM orders WHERE id = $1', [id])).rows[0]).toEqual({ synthetic: false });
  });
});

// Synthetic orders do not pile up: a retention job deletes those older than the retention, with every row they own.
// Real orders are never touched, however old.
describe('synthetic order retention', () => {
  async function placeAged(synthetic: boolean, daysAgo: number): Promise<string> {
    const order = (await call(base, 'POST', '/orders', { json: newOrder({ synthetic, customerId: 'aged' }) })).json();
    await db.query(`UPDATE orders SET created_at = now() - $2 * interval '1 day' WHERE id = $1`, [order.id, daysAgo]);
    return order.id;
  }
  const rowsOf = async (id: string) =>
    (
      await db.query(
        `SELECT (SELECT count(*)::int FROM orders WHERE id = $1) + (SELECT count(*)::int FROM order_items WHERE order_id = $1)
              + (SELECT count(*)::int FROM shipping_addresses WHERE order_id = $1)
              + (SELECT count(*)::int FROM order_events WHERE order_id = $1) AS n`,
        [id],
      )
    ).rows[0].n;

  test('GIVEN synthetic and real orders, old and recent WHEN the job runs THEN only old synthetic orders are gone, with their rows', async () => {
    const oldSynthetic = await placeAged(true, 8);
    const deletedSynthetic = await placeAged(true, 9);
    await call(base, 'DELETE', `/orders/${deletedSynthetic}`);
    const recentSynthetic = await placeAged(true, 6);
    const oldReal = await placeAged(false, 400);
    const before = await counts();

    const purged = await purgeSyntheticOrders(db, { retentionDays: 7, batchSize: 100 });

    expect(purged).toBe(2);
    expect([await rowsOf(oldSynthetic), await rowsOf(deletedSynthetic)]).toEqual([0, 0]);
    expect([await rowsOf(recentSynthetic), await rowsOf(oldReal)]).toEqual([5, 5]);
    // 2 orders: 2 + 4 items + 2 addresses + 3 events (one OrderDeleted)
    expect(await counts()).toEqual({
      orders: before.orders - 2,
      items: before.items - 4,
      addresses: before.addresses - 2,
      events: before.events - 3,
    });
  });

  test('GIVEN no SYNTHETIC_ORDER_RETENTION_DAYS WHEN the service runs THEN it keeps synthetic orders (a delete after a failover would be a difference in the missing-transaction report)', async () => {
    expect(loadOrdersConfig({ ...TEST_ENV, DATABASE_URL: pg.urls.orders }).syntheticOrderRetentionDays).toBe(0);
    const old = await placeAged(true, 3);
    const keeping = await buildOrdersApp(
      loadOrdersConfig({
        ...TEST_ENV,
        DATABASE_URL: pg.urls.orders,
        HEARTBEAT_ENABLED: 'false',
        SYNTHETIC_ORDER_RETENTION_INTERVAL_MS: '1000',
      }),
    );
    try {
      await keeping.ready();
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await rowsOf(old)).toBeGreaterThan(0);
    } finally {
      await keeping.close();
    }
    await purgeSyntheticOrders(db, { retentionDays: 2, batchSize: 100 });
  });

  test('GIVEN SYNTHETIC_ORDER_RETENTION_* WHEN the service runs THEN it deletes old synthetic orders by itself', async () => {
    const old = await placeAged(true, 3);
    const retaining = await buildOrdersApp(
      loadOrdersConfig({
        ...TEST_ENV,
        DATABASE_URL: pg.urls.orders,
        HEARTBEAT_ENABLED: 'false',
        SYNTHETIC_ORDER_RETENTION_DAYS: '2',
        SYNTHETIC_ORDER_RETENTION_INTERVAL_MS: '1000',
      }),
    );
    try {
      await retaining.ready();
      const deadline = Date.now() + 5_000;
      while ((await rowsOf(old)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await rowsOf(old)).toBe(0);
    } finally {
      await retaining.close();
    }
  });

  test('GIVEN more old synthetic orders than a batch WHEN the job runs THEN it deletes one batch at a time', async () => {
    for (let i = 0; i < 3; i++) await placeAged(true, 30);
    expect(await purgeSyntheticOrders(db, { retentionDays: 7, batchSize: 2 })).toBe(2);
    expect(await purgeSyntheticOrders(db, { retentionDays: 7, batchSize: 2 })).toBe(1);
    expect(await purgeSyntheticOrders(db, { retentionDays: 7, batchSize: 2 })).toBe(0);
  });
});

describe('limits and text that Postgres takes as sent', () => {
  test('GIVEN the largest order the limits allow (100 lines × 1000 × $50,000, the highest shipping and tax) WHEN posted THEN it is placed and stored to the cent', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      productId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: 'n'.repeat(200),
      quantity: 1000,
      unitPrice: 50_000,
    }));
    const response = await call(base, 'POST', '/orders', {
      json: newOrder({ customerId: 'largest-order', items, shipping: 1_000_000, tax: 500_000_000 }),
    });
    expect(response.status).toBe(201);
    expect(response.json()).toMatchObject({ subtotal: 5_000_000_000, total: 5_501_000_000 });
    const { rows } = await db.query('SELECT total::text, tax::text FROM orders WHERE id = $1', [response.json().id]);
    expect(rows).toEqual([{ total: '5501000000.00', tax: '500000000.00' }]);
  });

  test('GIVEN names with emoji, control characters and markup WHEN posted THEN they are stored and read back verbatim', async () => {
    const name = '😀 <b>x</b>\r\n\u001b[1m\u202e';
    const placed = await call(base, 'POST', '/orders', {
      json: newOrder({ items: [{ productId: PACK, name, quantity: 1, unitPrice: 1 }] }),
    });
    expect(placed.status).toBe(201);
    const read = await call(base, 'GET', `/orders/${placed.json().id}`);
    expect(read.json().items[0].name).toBe(name);
  });
});

describe('idempotency keys and the shipping address', () => {
  test('GIVEN an order WHEN its key comes again with another address THEN it is a 409 naming body.idempotencyKey and writes nothing', async () => {
    const body = newOrder();
    expect((await call(base, 'POST', '/orders', { json: body })).status).toBe(201);
    const before = await counts();
    for (const shippingAddress of [
      { ...ADDRESS, address1: '2 Other Road' },
      { ...ADDRESS, address2: 'Flat 3' },
      { ...ADDRESS, zipCode: 'SW1Y 4JJ' },
      { ...ADDRESS, email: 'other@example.com' },
    ]) {
      const again = await call(base, 'POST', '/orders', { json: { ...body, shippingAddress } });
      expect(again.status).toBe(409);
      expect(again.json()).toMatchObject({
        field: 'body.idempotencyKey',
        message: 'body.idempotencyKey: was already used for a different order; use a new key',
      });
    }
    expect(await counts()).toEqual(before);
  });

  test('GIVEN an order without a second address line WHEN it comes again with an empty one THEN it is the same order (200)', async () => {
    const body = newOrder();
    const first = await call(base, 'POST', '/orders', { json: body });
    const again = await call(base, 'POST', '/orders', {
      json: { ...body, shippingAddress: { ...ADDRESS, address2: '' } },
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.json().id).toBe(first.json().id);
  });
});
