import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReplicatedPostgres } from '../../drill/stand-ins/replicated-postgres';
import { migrate } from '../../services/db/migrate';
import { withClient } from '../../services/db/with-client';
import { buildOrdersApp } from '../../services/orders/app';
import { loadOrdersConfig } from '../../services/orders/config';
import type { ServiceApp } from '../../services/platform/service-app';
import { call, listen } from './support/http';
import { SHIPPING_ADDRESS } from './support/orders';
import { waitFor } from './support/wait';

const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';

async function rows<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(sql)).rows);
}

async function placeOrder(base: string, key: string): Promise<{ status: number; id: string }> {
  const answer = await call(base, 'POST', '/orders', {
    json: {
      idempotencyKey: key,
      customerId: 'customer-1',
      items: [{ productId: PACK, name: 'Trail Runner Backpack', quantity: 1, unitPrice: 89 }],
      shippingAddress: SHIPPING_ADDRESS,
    },
  });
  return { status: answer.status, id: answer.json().id };
}

/**
 * The standby Region's services against a Postgres pair standing in for a global database: the "reader endpoint"
 * is the primary (Aurora forwards writes from a secondary's reader to the writer; Postgres cannot, so the test
 * points it at the writer itself) and the "writer endpoint" is the hot standby (in recovery until promoted, like
 * a secondary's cluster endpoint).
 */
describe('a service with a writer and a reader endpoint', () => {
  let dir: string;
  let pair: ReplicatedPostgres;
  let east: ServiceApp | undefined;
  let west: ServiceApp | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'endpoints-'));
    await chmod(dir, 0o755);
    pair = await ReplicatedPostgres.start({
      baseDir: dir,
      databases: ['orders'],
      prepare: async (url) => void (await migrate(url, 'orders')),
    });
  }, 60_000);

  afterAll(async () => {
    await east?.close();
    await west?.close();
    await pair?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('writes through the reader endpoint while its cluster is a secondary, and to its writer within a check of the promotion; the heartbeat follows and records the handover', async () => {
    const env = (region: string, extra: Record<string, string>) =>
      loadOrdersConfig({
        LOG_LEVEL: 'silent',
        REGION: region,
        DATABASE_URL: pair.primary.url('orders'),
        HEARTBEAT_INTERVAL_MS: '100',
        ...extra,
      });
    // GIVEN the primary Region's orders service, writing the heartbeat
    east = await buildOrdersApp(env('us-east-1', {}));
    const eastUrl = await listen(east);
    await waitFor('us-east-1 to write the heartbeat', async () =>
      (await call(eastUrl, 'GET', '/topology')).json().heartbeat.role === 'writer' ? true : undefined,
    );
    // AND the standby Region's, given both endpoints of its cluster
    west = await buildOrdersApp(
      env('us-west-2', {
        DB_WRITER_HOST: `127.0.0.1:${pair.standby.port}`,
        DB_READER_HOST: `127.0.0.1:${pair.primary.port}`,
        DB_ENDPOINT_CHECK_MS: '100',
      }),
    );
    const westUrl = await listen(west);

    // THEN it uses the reader endpoint (the writer endpoint is in recovery), and its writes land on the writer
    const before = (await call(westUrl, 'GET', '/topology')).json();
    expect(before.store).toEqual(
      expect.objectContaining({ endpoint: 'reader', host: '127.0.0.1', port: pair.primary.port }),
    );
    const forwarded = await placeOrder(westUrl, 'endpoint-test-1');
    expect(forwarded.status).toBe(201);
    expect(await rows(pair.primary.url('orders'), `SELECT id FROM orders WHERE id = '${forwarded.id}'`)).toHaveLength(
      1,
    );
    expect(['standby', 'replica', 'starting']).toContain(before.heartbeat.role);

    // WHEN the primary Region is lost and the standby promoted
    await pair.waitForCatchUp();
    await east.close();
    east = undefined;
    await pair.primary.crash();
    await pair.promoteStandby();

    // THEN within a check the service writes to its own Region's writer
    const after = await waitFor('the writer endpoint', async () => {
      const topology = (await call(westUrl, 'GET', '/topology')).json();
      return topology.store.endpoint === 'writer' ? topology : undefined;
    });
    expect(after.store.port).toBe(pair.standby.port);
    const local = await placeOrder(westUrl, 'endpoint-test-2');
    expect(local.status).toBe(201);
    expect(await rows(pair.standby.url('orders'), 'SELECT id FROM orders ORDER BY id')).toEqual(
      expect.arrayContaining([{ id: forwarded.id }, { id: local.id }]),
    );
    // AND its heartbeat moves with it, the promoted database keeping the last replicated one as the handover
    await waitFor('us-west-2 to write the heartbeat', async () =>
      (await call(westUrl, 'GET', '/topology')).json().heartbeat.role === 'writer' ? true : undefined,
    );
    const handovers = await rows<{ prev_region: string; next_region: string }>(
      pair.standby.url('orders'),
      'SELECT prev_region, next_region FROM replication_heartbeat_handover',
    );
    expect(handovers).toEqual([{ prev_region: 'us-east-1', next_region: 'us-west-2' }]);
  }, 60_000);
});
