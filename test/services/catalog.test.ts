import { Client } from 'pg';
import { buildCatalogApp } from '../../services/catalog/app';
import { loadCatalogConfig } from '../../services/catalog/config';
import type { ServiceApp } from '../../services/platform/service-app';
import { call, listen, TEST_ENV } from './support/http';
import { startPostgres, type TestPostgres } from './support/stores';

let pg: TestPostgres;
let db: Client;
let app: ServiceApp;
let base: string;

const NAMES_BY_NAME = [
  'Bamboo Cutting Board',
  'Canvas Tote Bag',
  'Cast Iron Skillet',
  'Compact Binoculars',
  'Enamel Camp Mug',
  'Insulated Water Bottle',
  'LED Headlamp',
  'Leather Card Wallet',
  'Merino Wool Socks',
  'Packable Rain Jacket',
  'Pour-Over Coffee Kit',
  'Trail Runner Backpack',
  'Travel Pillow',
  'Wool Beanie',
];

async function productId(name: string): Promise<string> {
  return (await db.query<{ id: string }>('SELECT id FROM products WHERE name = $1', [name])).rows[0]!.id;
}

beforeAll(async () => {
  pg = await startPostgres();
  db = new Client({ connectionString: pg.urls.catalog });
  await db.connect();
  // No cache: these tests change rows and expect to see it at once.
  app = await buildCatalogApp(
    loadCatalogConfig({
      ...TEST_ENV,
      DATABASE_URL: pg.urls.catalog,
      CATALOG_CACHE_TTL_MS: '0',
      HEARTBEAT_ENABLED: 'false',
    }),
  );
  base = await listen(app);
});

afterAll(async () => {
  await app?.close();
  await db?.end();
  await pg?.stop();
});

describe('GET /catalog/products', () => {
  test('the first page holds 10 products by name, each with its price, image and tags', async () => {
    const response = await call(base, 'GET', '/catalog/products');
    expect(response.status).toBe(200);
    const products = response.json();
    expect(products.map((p: { name: string }) => p.name)).toEqual(NAMES_BY_NAME.slice(0, 10));
    expect(products[0]).toEqual({
      id: await productId('Bamboo Cutting Board'),
      name: 'Bamboo Cutting Board',
      description: 'A large end-grain board with a juice groove, gentle on knife edges.',
      price: 34,
      imageUrl: '/assets/products/cutting-board.svg',
      tags: [{ name: 'kitchen', displayName: 'Kitchen' }],
    });
  });

  test('pages are disjoint and together hold the whole seeded catalog (at least 12 products with images)', async () => {
    const pages = await Promise.all(
      [1, 2, 3].map(async (page) => (await call(base, 'GET', `/catalog/products?page=${page}&size=5`)).json()),
    );
    expect(pages.map((p) => p.length)).toEqual([5, 5, 4]);
    const all = pages.flat();
    expect(all.map((p: { name: string }) => p.name)).toEqual(NAMES_BY_NAME);
    expect(new Set(all.map((p: { id: string }) => p.id)).size).toBe(14);
    for (const p of all) expect(p.imageUrl).toMatch(/^\/assets\/products\/[a-z0-9-]+\.svg$/);
    expect((await call(base, 'GET', '/catalog/products?page=4&size=5')).json()).toEqual([]);
  });

  test('tags filter to the products carrying any of them', async () => {
    const kitchen = (await call(base, 'GET', '/catalog/products?tags=kitchen&size=100')).json();
    expect(kitchen.map((p: { name: string }) => p.name)).toEqual([
      'Bamboo Cutting Board',
      'Cast Iron Skillet',
      'Enamel Camp Mug',
      'Insulated Water Bottle',
      'Pour-Over Coffee Kit',
    ]);
    const either = (await call(base, 'GET', '/catalog/products?tags=apparel,travel&size=100')).json();
    expect(either.map((p: { name: string }) => p.name)).toEqual([
      'Canvas Tote Bag',
      'Compact Binoculars',
      'Merino Wool Socks',
      'Packable Rain Jacket',
      'Trail Runner Backpack',
      'Travel Pillow',
      'Wool Beanie',
    ]);
    expect((await call(base, 'GET', '/catalog/products?tags=no-such-tag')).json()).toEqual([]);
  });

  test.each([
    ['price_asc', ['Enamel Camp Mug', 'Merino Wool Socks', 'Travel Pillow']],
    ['price_desc', ['Compact Binoculars', 'Packable Rain Jacket', 'Trail Runner Backpack']],
    ['name_desc', ['Wool Beanie', 'Travel Pillow', 'Trail Runner Backpack']],
  ])('order=%s sorts accordingly', async (order, firstThree) => {
    const products = (await call(base, 'GET', `/catalog/products?order=${order}&size=3`)).json();
    expect(products.map((p: { name: string }) => p.name)).toEqual(firstThree);
  });

  test.each([
    ['size=0', 'query.size', 'query.size: expected integer to be greater or equal to 1 (received 0)'],
    ['size=101', 'query.size', 'query.size: expected integer to be less or equal to 100 (received 101)'],
    ['page=0', 'query.page', 'query.page: expected integer to be greater or equal to 1 (received 0)'],
    ['page=two', 'query.page', 'query.page: expected integer (received "two")'],
    [
      'order=random',
      'query.order',
      'query.order: expected one of name, name_asc, name_desc, price, price_asc, price_desc (received "random")',
    ],
    [
      'tags=Kitchen',
      'query.tags',
      `query.tags: expected string to match '^[a-z0-9-]{1,40}(,[a-z0-9-]{1,40}){0,9}$' (received "Kitchen")`,
    ],
    ['limit=5', 'query.limit', 'query.limit: is not an accepted property'],
    ['page=1.5', 'query.page', 'query.page: expected integer (received "1.5")'],
    ['size=1.5', 'query.size', 'query.size: expected integer (received "1.5")'],
    ['page=2e0', 'query.page', 'query.page: expected integer (received "2e0")'],
    ['size=0x10', 'query.size', 'query.size: expected integer (received "0x10")'],
    [
      'tags=kitchen%00',
      'query.tags',
      `query.tags: expected string to match '^[a-z0-9-]{1,40}(,[a-z0-9-]{1,40}){0,9}$' (received "kitchen\\u0000")`,
    ],
    [
      'order=name%00',
      'query.order',
      'query.order: expected one of name, name_asc, name_desc, price, price_asc, price_desc (received "name\\u0000")',
    ],
  ])('?%s is a 400 naming the parameter', async (query, field, message) => {
    const response = await call(base, 'GET', `/catalog/products?${query}`);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, field, message });
  });
});

describe('GET /catalog/products/{id}', () => {
  test('answers the product', async () => {
    const id = await productId('Compact Binoculars');
    const response = await call(base, 'GET', `/catalog/products/${id}`);
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ id, name: 'Compact Binoculars', price: 149 });
  });

  test('an unknown id is a 404, a malformed one a 400', async () => {
    const unknown = await call(base, 'GET', '/catalog/products/00000000-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ field: 'params.id' });
    const malformed = await call(base, 'GET', '/catalog/products/42');
    expect(malformed.status).toBe(400);
    expect(malformed.json().message).toBe(`params.id: expected string to match 'uuid' format (received "42")`);
  });
});

describe('GET /catalog/size and /catalog/tags', () => {
  test('size counts all products, or those with the tags', async () => {
    expect((await call(base, 'GET', '/catalog/size')).json()).toEqual({ size: 14 });
    expect((await call(base, 'GET', '/catalog/size?tags=kitchen')).json()).toEqual({ size: 5 });
    expect((await call(base, 'GET', '/catalog/size?tags=bad%20tag')).status).toBe(400);
  });

  test('tags lists every tag by name', async () => {
    expect((await call(base, 'GET', '/catalog/tags')).json()).toEqual([
      { name: 'accessories', displayName: 'Accessories' },
      { name: 'apparel', displayName: 'Apparel' },
      { name: 'featured', displayName: 'Featured' },
      { name: 'kitchen', displayName: 'Kitchen' },
      { name: 'outdoor', displayName: 'Outdoor' },
      { name: 'travel', displayName: 'Travel' },
    ]);
  });
});

describe('soft deletes and the row trigger', () => {
  test('a soft-deleted product disappears from every answer but stays in the table', async () => {
    const id = await productId('Travel Pillow');
    await db.query('UPDATE products SET deleted_at = now() WHERE id = $1', [id]);
    try {
      expect((await call(base, 'GET', `/catalog/products/${id}`)).status).toBe(404);
      expect((await call(base, 'GET', '/catalog/size')).json()).toEqual({ size: 13 });
      const names = (await call(base, 'GET', '/catalog/products?size=100')).json().map((p: { name: string }) => p.name);
      expect(names).not.toContain('Travel Pillow');
      expect((await db.query('SELECT count(*)::int AS n FROM products')).rows[0].n).toBe(14);
    } finally {
      await db.query('UPDATE products SET deleted_at = NULL WHERE id = $1', [id]);
    }
  });

  test('inserts start at version 1; every update bumps version and updated_at; a replay keeps both', async () => {
    const id = '01a21b3d-0000-7000-8000-0000000000aa';
    await db.query(
      `INSERT INTO products (id, name, description, price, image_url, version, updated_at)
       VALUES ($1, 'Trigger Test', 'x', 1, '/assets/products/t.svg', 99, '2000-01-01')`,
      [id],
    );
    const read = async () =>
      (
        await db.query<{ version: number; updated_at: Date }>(
          'SELECT version, updated_at FROM products WHERE id = $1',
          [id],
        )
      ).rows[0]!;
    const inserted = await read();
    expect(inserted.version).toBe(1);
    expect(inserted.updated_at.getFullYear()).toBeGreaterThan(2000);
    await db.query('UPDATE products SET price = 2 WHERE id = $1', [id]);
    const updated = await read();
    expect(updated.version).toBe(2);
    expect(updated.updated_at.getTime()).toBeGreaterThanOrEqual(inserted.updated_at.getTime());
    await db.query('BEGIN');
    await db.query("SET LOCAL shop.replay = 'on'");
    await db.query("UPDATE products SET price = 3, version = 7, updated_at = '2001-02-03T00:00:00Z' WHERE id = $1", [
      id,
    ]);
    await db.query('COMMIT');
    const replayed = await read();
    expect(replayed.version).toBe(7);
    expect(replayed.updated_at.toISOString()).toBe('2001-02-03T00:00:00.000Z');
    await db.query('DELETE FROM products WHERE id = $1', [id]);
  });
});

describe('caching', () => {
  test('with a TTL, an answer is reused until it expires', async () => {
    const cached = await buildCatalogApp(
      loadCatalogConfig({
        ...TEST_ENV,
        DATABASE_URL: pg.urls.catalog,
        CATALOG_CACHE_TTL_MS: '400',
        HEARTBEAT_ENABLED: 'false',
      }),
    );
    const url = await listen(cached);
    const id = await productId('Wool Beanie');
    try {
      expect((await call(url, 'GET', `/catalog/products/${id}`)).json().price).toBe(26);
      await db.query('UPDATE products SET price = 27 WHERE id = $1', [id]);
      expect((await call(url, 'GET', `/catalog/products/${id}`)).json().price).toBe(26);
      await new Promise((r) => setTimeout(r, 450));
      expect((await call(url, 'GET', `/catalog/products/${id}`)).json().price).toBe(27);
    } finally {
      await db.query('UPDATE products SET price = 26 WHERE id = $1', [id]);
      await cached.close();
    }
  });
});

describe('health and topology', () => {
  test('/health, /health/ready and /topology describe the instance and its store', async () => {
    expect((await call(base, 'GET', '/health')).json()).toEqual({ status: 'ok', service: 'catalog', region: 'test-1' });
    expect((await call(base, 'GET', '/health/ready')).json()).toEqual({
      status: 'ok',
      service: 'catalog',
      region: 'test-1',
      checks: { postgres: 'ok' },
    });
    const topology = (await call(base, 'GET', '/topology')).json();
    expect(topology).toMatchObject({
      service: 'catalog',
      region: 'test-1',
      draining: false,
      store: { kind: 'postgres', host: '127.0.0.1', port: pg.server.port, database: 'catalog' },
      heartbeat: { role: 'disabled' },
    });
    expect(JSON.stringify(topology)).not.toMatch(/password/i);
  });

  test('/health/ready is 503 naming the store when Postgres cannot be reached, while /health stays 200', async () => {
    const lost = await buildCatalogApp(
      loadCatalogConfig({
        ...TEST_ENV,
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/catalog',
        HEARTBEAT_ENABLED: 'false',
      }),
    );
    const url = await listen(lost);
    try {
      const ready = await call(url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', checks: { postgres: 'failed: ECONNREFUSED' } });
      expect((await call(url, 'GET', '/health')).status).toBe(200);
      const products = await call(url, 'GET', '/catalog/products');
      // A store outage is a 503 the client may retry (review M1), never a 500; the driver's words stay in the log.
      expect(products.status).toBe(503);
      expect(products.headers.get('retry-after')).toBe('2');
      expect(products.json().message).toBe('Postgres database catalog is unreachable; retry later');
      expect(products.text).not.toContain('ECONNREFUSED');
    } finally {
      await lost.close();
    }
  });
});
