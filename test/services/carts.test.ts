import type { DynamoDbServer } from '../../drill/stand-ins/dynamodb-server';
import { buildCartsApp } from '../../services/carts/app';
import { loadCartsConfig } from '../../services/carts/config';
import { buildCatalogApp } from '../../services/catalog/app';
import { loadCatalogConfig } from '../../services/catalog/config';
import type { ServiceApp } from '../../services/platform/service-app';
import { call, listen, TEST_ENV } from './support/http';
import { startDynamo, startPostgres, type TestPostgres } from './support/stores';

let pg: TestPostgres;
let dynamo: DynamoDbServer;
let catalog: ServiceApp;
let carts: ServiceApp;
let base: string;

const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';
const MUG = '01a21b3d-b6ba-707b-9b8e-148fae29e3ad';
const UNKNOWN = '01a21b3d-0000-7000-8000-000000000000';
const PACK_LINE = {
  itemId: PACK,
  name: 'Trail Runner Backpack',
  unitPrice: 89,
  imageUrl: '/assets/products/trail-backpack.svg',
};

let customers = 0;
const newCustomer = () => `cart-customer-${++customers}`;

beforeAll(async () => {
  [pg, dynamo] = await Promise.all([startPostgres(), startDynamo()]);
  catalog = await buildCatalogApp(
    loadCatalogConfig({ ...TEST_ENV, DATABASE_URL: pg.urls.catalog, HEARTBEAT_ENABLED: 'false' }),
  );
  const catalogUrl = await listen(catalog);
  carts = await buildCartsApp(
    loadCartsConfig({ ...TEST_ENV, DYNAMODB_ENDPOINT: dynamo.endpoint, CATALOG_URL: catalogUrl }),
  );
  base = await listen(carts);
});

afterAll(async () => {
  await carts?.close();
  await catalog?.close();
  await dynamo?.stop();
  await pg?.stop();
});

const add = (customer: string, body: unknown) => call(base, 'POST', `/carts/${customer}/items`, { json: body });

describe('POST /carts/{customerId}/items', () => {
  test('adds a product at the catalog’s name and price (a client-sent price is ignored)', async () => {
    const customer = newCustomer();
    const response = await add(customer, { itemId: PACK, quantity: 2, unitPrice: 1 });
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({ ...PACK_LINE, quantity: 2, totalCost: 178 });
  });

  test('adding the same product again adds to its quantity', async () => {
    const customer = newCustomer();
    await add(customer, { itemId: PACK, quantity: 2 });
    const again = await add(customer, { itemId: PACK, quantity: 3 });
    expect(again.json()).toMatchObject({ quantity: 5, totalCost: 445 });
  });

  test('100 concurrent adds of quantity 1 leave quantity 100 (one atomic ADD each, no read-then-write)', async () => {
    const customer = newCustomer();
    const answers = await Promise.all(Array.from({ length: 100 }, () => add(customer, { itemId: MUG, quantity: 1 })));
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    const line = (await call(base, 'GET', `/carts/${customer}/items/${MUG}`)).json();
    expect(line).toMatchObject({ quantity: 100, totalCost: 1400 });
  });

  test('a line never exceeds 1000 units: the add that would is a 409 and changes nothing', async () => {
    const customer = newCustomer();
    await add(customer, { itemId: PACK, quantity: 1000 });
    const over = await add(customer, { itemId: PACK, quantity: 1 });
    expect(over.status).toBe(409);
    expect(over.json()).toMatchObject({ field: 'body.quantity' });
    expect((await call(base, 'GET', `/carts/${customer}/items/${PACK}`)).json().quantity).toBe(1000);
  });

  test('an unknown product is a 400 naming itemId, and nothing is written', async () => {
    const customer = newCustomer();
    const response = await add(customer, { itemId: UNKNOWN, quantity: 1 });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      field: 'body.itemId',
      message: `body.itemId: no product ${UNKNOWN} in the catalog`,
    });
    expect((await call(base, 'GET', `/carts/${customer}`)).json()).toEqual({
      customerId: customer,
      items: [],
      total: 0,
    });
  });

  test.each([
    ['quantity 0', { itemId: PACK, quantity: 0 }, 'body.quantity'],
    ['a negative quantity', { itemId: PACK, quantity: -3 }, 'body.quantity'],
    ['quantity over 1000', { itemId: PACK, quantity: 1001 }, 'body.quantity'],
    ['a quantity as a string', { itemId: PACK, quantity: '1' }, 'body.quantity'],
    ['a fractional quantity', { itemId: PACK, quantity: 0.5 }, 'body.quantity'],
    ['no itemId', { quantity: 1 }, 'body.itemId'],
    ['a malformed itemId', { itemId: 'pack', quantity: 1 }, 'body.itemId'],
    ['an unknown field', { itemId: PACK, quantity: 1, note: 'gift' }, 'body.note'],
    ['no body at all', undefined, 'body'],
  ])('%s is a 400 naming the field, and nothing is written', async (_case, body, field) => {
    const customer = newCustomer();
    const response =
      body === undefined ? await call(base, 'POST', `/carts/${customer}/items`) : await add(customer, body);
    expect(response.status).toBe(400);
    expect(response.json().field).toBe(field);
    expect((await call(base, 'GET', `/carts/${customer}/items`)).json()).toEqual([]);
  });

  test('a malformed customer id in the path is a 400', async () => {
    const response = await add('not%20valid', { itemId: PACK, quantity: 1 });
    expect(response.status).toBe(400);
    expect(response.json().field).toBe('params.customerId');
    expect((await add('x'.repeat(65), { itemId: PACK, quantity: 1 })).status).toBe(400);
  });

  test('an oversized body is a 413', async () => {
    const response = await call(base, 'POST', `/carts/${newCustomer()}/items`, {
      body: JSON.stringify({ itemId: PACK, quantity: 1, pad: 'x'.repeat(70_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
  });
});

describe('reading and changing a cart', () => {
  test('GET /carts/{id} and /items list the lines with totals; carts are separate per customer', async () => {
    const customer = newCustomer();
    const other = newCustomer();
    await add(customer, { itemId: PACK, quantity: 1 });
    await add(customer, { itemId: MUG, quantity: 2 });
    await add(other, { itemId: MUG, quantity: 7 });
    const cart = (await call(base, 'GET', `/carts/${customer}`)).json();
    expect(cart).toEqual({
      customerId: customer,
      items: [
        { ...PACK_LINE, quantity: 1, totalCost: 89 },
        {
          itemId: MUG,
          name: 'Enamel Camp Mug',
          quantity: 2,
          unitPrice: 14,
          totalCost: 28,
          imageUrl: '/assets/products/camp-mug.svg',
        },
      ].sort((a, b) => a.itemId.localeCompare(b.itemId)),
      total: 117,
    });
    expect((await call(base, 'GET', `/carts/${customer}/items`)).json()).toEqual(cart.items);
    expect((await call(base, 'GET', `/carts/${other}`)).json().items).toEqual([
      expect.objectContaining({ itemId: MUG, quantity: 7 }),
    ]);
  });

  test('GET one item: 200 when in the cart, 404 when not, 400 when malformed', async () => {
    const customer = newCustomer();
    await add(customer, { itemId: PACK, quantity: 1 });
    expect((await call(base, 'GET', `/carts/${customer}/items/${PACK}`)).status).toBe(200);
    const missing = await call(base, 'GET', `/carts/${customer}/items/${MUG}`);
    expect(missing.status).toBe(404);
    expect(missing.json().field).toBe('params.itemId');
    expect((await call(base, 'GET', `/carts/${customer}/items/mug`)).status).toBe(400);
  });

  test('PATCH sets the quantity of a line (202); a line not in the cart is 404 and nothing is written', async () => {
    const customer = newCustomer();
    await add(customer, { itemId: PACK, quantity: 4 });
    const patched = await call(base, 'PATCH', `/carts/${customer}/items`, { json: { itemId: PACK, quantity: 1 } });
    expect(patched.status).toBe(202);
    expect(patched.json()).toEqual({ ...PACK_LINE, quantity: 1, totalCost: 89 });
    const absent = await call(base, 'PATCH', `/carts/${customer}/items`, { json: { itemId: MUG, quantity: 1 } });
    expect(absent.status).toBe(404);
    expect((await call(base, 'GET', `/carts/${customer}/items`)).json()).toHaveLength(1);
    const zero = await call(base, 'PATCH', `/carts/${customer}/items`, { json: { itemId: PACK, quantity: 0 } });
    expect(zero.status).toBe(400);
    expect(zero.json().field).toBe('body.quantity');
  });

  test('DELETE an item removes that line; DELETE the cart empties it; other carts are untouched', async () => {
    const customer = newCustomer();
    const other = newCustomer();
    await add(customer, { itemId: PACK, quantity: 1 });
    await add(customer, { itemId: MUG, quantity: 1 });
    await add(other, { itemId: PACK, quantity: 1 });
    expect((await call(base, 'DELETE', `/carts/${customer}/items/${PACK}`)).status).toBe(202);
    expect(
      (await call(base, 'GET', `/carts/${customer}/items`)).json().map((i: { itemId: string }) => i.itemId),
    ).toEqual([MUG]);
    const cleared = await call(base, 'DELETE', `/carts/${customer}`);
    expect(cleared.status).toBe(202);
    expect(cleared.json()).toEqual({ customerId: customer, items: [], total: 0 });
    expect((await call(base, 'GET', `/carts/${customer}`)).json().items).toEqual([]);
    expect((await call(base, 'GET', `/carts/${other}`)).json().items).toHaveLength(1);
  });
});

describe('dependencies', () => {
  test('health and topology name the table and the catalog', async () => {
    expect((await call(base, 'GET', '/health/ready')).json()).toMatchObject({
      status: 'ok',
      checks: { dynamodb: 'ok' },
    });
    expect((await call(base, 'GET', '/topology')).json()).toMatchObject({
      service: 'carts',
      store: { kind: 'dynamodb', table: 'carts', endpoint: dynamo.endpoint },
    });
  });

  test('when the catalog is unreachable an add is a 503 and nothing is written', async () => {
    const isolated = await buildCartsApp(
      loadCartsConfig({ ...TEST_ENV, DYNAMODB_ENDPOINT: dynamo.endpoint, CATALOG_URL: 'http://127.0.0.1:1' }),
    );
    const url = await listen(isolated);
    const customer = newCustomer();
    try {
      const response = await call(url, 'POST', `/carts/${customer}/items`, { json: { itemId: PACK, quantity: 1 } });
      expect(response.status).toBe(503);
      expect(response.json().message).toBe('catalog is unavailable; retry later');
      expect((await call(url, 'GET', `/carts/${customer}`)).json().items).toEqual([]);
    } finally {
      await isolated.close();
    }
  });
});
