import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { Client } from 'pg';
import type { DynamoDbServer } from '../../../drill/stand-ins/dynamodb-server';
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
import { listen, TEST_ENV } from '../support/http';
import { startDynamo, startPostgres, type TestPostgres } from '../support/stores';

/** The five services, in the order they start. */
export const SERVICE_NAMES = ['catalog', 'orders', 'carts', 'checkout', 'ui'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The shop under test: the five services in this process over a real Postgres and dynalite. */
export interface ShopUnderTest {
  readonly apps: Readonly<Record<ServiceName, ServiceApp>>;
  readonly urls: Readonly<Record<ServiceName, string>>;
  /**
   * A digest of everything the services store: every row of the catalog and orders tables (heartbeats left out)
   * and every item of the carts and checkout tables. Equal digests: nothing was written.
   */
  storeDigest(): Promise<string>;
  /** Runs one query on the orders database. */
  ordersQuery<T extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

const DIGESTED_TABLES = {
  catalog: ['products', 'tags', 'product_tags'],
  orders: ['orders', 'order_items', 'shipping_addresses', 'order_events'],
} as const;

async function tableDigest(db: Client, tables: readonly string[]): Promise<string> {
  // Every column of every row, in a stable order: a changed, added or removed row changes the digest.
  const parts = tables.map((t) => `(SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM ${t} x)`);
  const { rows } = await db.query<{ d: string }>(`SELECT concat_ws(',', ${parts.join(', ')}) AS d`);
  return rows[0]!.d;
}

/**
 * Starts Postgres (migrated and seeded) and dynalite, then the five services in this process the way
 * `startShopServices` builds them (each from its own config loader), on free ports, with heartbeats off so that
 * nothing writes to the stores except the requests under test. Chaos endpoints stay on (the local default),
 * since they are routes of every service.
 */
export async function startShopUnderTest(): Promise<ShopUnderTest> {
  const started: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const close of started.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const [pg, dynamo]: [TestPostgres, DynamoDbServer] = await Promise.all([startPostgres(), startDynamo()]);
    started.push(
      () => pg.stop(),
      () => dynamo.stop(),
    );
    const catalogDb = new Client({ connectionString: pg.urls.catalog });
    const ordersDb = new Client({ connectionString: pg.urls.orders });
    // Kept open for the whole run: a session the server ends between two queries is an 'error' event, an uncaught
    // exception without a listener; the next query rejects instead.
    for (const db of [catalogDb, ordersDb]) db.on('error', () => undefined);
    await Promise.all([catalogDb.connect(), ordersDb.connect()]);
    started.push(
      () => catalogDb.end(),
      () => ordersDb.end(),
    );
    const dynamoClient = dynamo.client();
    started.push(async () => dynamoClient.destroy());

    const env = { ...TEST_ENV, HEARTBEAT_ENABLED: 'false', CHAOS_ENABLED: 'true' };
    const apps: Partial<Record<ServiceName, ServiceApp>> = {};
    const urls: Partial<Record<ServiceName, string>> = {};
    const start = async (name: ServiceName, app: ServiceApp) => {
      apps[name] = app;
      started.push(() => app.close());
      urls[name] = await listen(app);
      return urls[name];
    };
    const catalogUrl = await start(
      'catalog',
      await buildCatalogApp(loadCatalogConfig({ ...env, DATABASE_URL: pg.urls.catalog })),
    );
    const ordersUrl = await start(
      'orders',
      await buildOrdersApp(loadOrdersConfig({ ...env, DATABASE_URL: pg.urls.orders })),
    );
    const cartsUrl = await start(
      'carts',
      await buildCartsApp(loadCartsConfig({ ...env, DYNAMODB_ENDPOINT: dynamo.endpoint, CATALOG_URL: catalogUrl })),
    );
    const checkoutUrl = await start(
      'checkout',
      await buildCheckoutApp(loadCheckoutConfig({ ...env, DYNAMODB_ENDPOINT: dynamo.endpoint, ORDERS_URL: ordersUrl })),
    );
    await start(
      'ui',
      await buildUiApp(
        loadUiConfig({
          ...env,
          CATALOG_URL: catalogUrl,
          CARTS_URL: cartsUrl,
          ORDERS_URL: ordersUrl,
          CHECKOUT_URL: checkoutUrl,
        }),
      ),
    );

    const scanDigest = async (table: string) => {
      const items: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await dynamoClient.send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start as never }),
        );
        for (const item of page.Items ?? []) items.push(JSON.stringify(Object.entries(item).sort()));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return createHash('sha256').update(items.sort().join('\n')).digest('hex');
    };

    return {
      apps: apps as Record<ServiceName, ServiceApp>,
      urls: urls as Record<ServiceName, string>,
      storeDigest: async () =>
        (
          await Promise.all([
            tableDigest(catalogDb, DIGESTED_TABLES.catalog),
            tableDigest(ordersDb, DIGESTED_TABLES.orders),
            scanDigest('carts'),
            scanDigest('checkout'),
          ])
        ).join(';'),
      ordersQuery: async <T extends Record<string, unknown>>(sql: string, values: unknown[] = []) =>
        (await ordersDb.query<T>(sql, values)).rows,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
