import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresServer } from '../../drill/stand-ins/postgres-server';
import { migrate, migrationFiles } from '../../services/db/migrate';
import { withClient } from '../../services/db/with-client';
import { buildOrdersApp } from '../../services/orders/app';
import { loadOrdersConfig } from '../../services/orders/config';
import { waitFor } from './support/wait';

// Review M5: every Region's catalog and orders tasks run with DB_MIGRATE_ON_START=true, because after a failover the
// standby Region holds the writer. That is safe only if a task whose database is a replica skips, and tasks that
// start together apply each migration once.

let dir: string;
let primary: PostgresServer;
let standby: PostgresServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shop-test-migrate-'));
  // Postgres runs as the `postgres` user when the tests run as root; it must be able to reach its data dir.
  await chmod(dir, 0o755);
  // GIVEN a primary with an empty orders database and a hot standby streaming from it
  const seed = await PostgresServer.create({ dataDir: path.join(dir, 'primary') });
  await seed.createDatabase('orders');
  const port = seed.port;
  await seed.stop();
  await PostgresServer.prepareStandby(path.join(dir, 'primary'), path.join(dir, 'standby'), port);
  primary = await PostgresServer.start({ dataDir: path.join(dir, 'primary'), port });
  standby = await PostgresServer.start({ dataDir: path.join(dir, 'standby') });
}, 60_000);

afterAll(async () => {
  await standby?.stop();
  await primary?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function query<T>(url: string, text: string): Promise<T[]> {
  return withClient(url, async (client) => (await client.query(text)).rows as T[]);
}

async function startOrders(url: string) {
  const app = await buildOrdersApp(
    loadOrdersConfig({ LOG_LEVEL: 'silent', DATABASE_URL: url, DB_MIGRATE_ON_START: 'true' }),
  );
  await app.ready();
  return app;
}

describe('orders with DB_MIGRATE_ON_START=true', () => {
  test('on a replica it starts without migrating: the schema arrives by replication', async () => {
    // WHEN a task starts against the standby
    const app = await startOrders(standby.url('orders'));
    await app.close();
    // THEN it did not try to write (a replica would refuse), and the standby has no migration table of its own
    expect(await query(standby.url('orders'), "SELECT to_regclass('schema_migrations') AS t")).toEqual([{ t: null }]);
  });

  test('on the writer, three tasks starting together apply each migration exactly once', async () => {
    // WHEN three tasks start at once against the primary
    const apps = await Promise.all([1, 2, 3].map(() => startOrders(primary.url('orders'))));
    await Promise.all(apps.map((app) => app.close()));
    // THEN every migration file is recorded once, and the standby receives them
    const files = (await migrationFiles('orders')).map((f) => f.name);
    const applied = async (url: string) =>
      (await query<{ name: string }>(url, 'SELECT name FROM schema_migrations ORDER BY name')).map((r) => r.name);
    expect(await applied(primary.url('orders'))).toEqual(files);
    await waitFor('the standby to replay the migrations', async () => {
      const [{ t }] = await query<{ t: string | null }>(
        standby.url('orders'),
        "SELECT to_regclass('schema_migrations') AS t",
      );
      return t && (await applied(standby.url('orders'))).length === files.length ? true : undefined;
    });
    expect(await applied(standby.url('orders'))).toEqual(files);
  });

  test('every database service applies the shared migrations (services/db/migrations) with its own, in name order', async () => {
    for (const service of ['orders', 'catalog'] as const) {
      const names = (await migrationFiles(service)).map((f) => f.name);
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining(['0003_heartbeat_handover.sql', '0005_heartbeat_log.sql']));
    }
  });

  test('the heartbeat log keeps every beat written on the writer, for a day (reconcile reads when replication stopped from it)', async () => {
    // GIVEN the orders schema on the writer
    await migrate(primary.url('orders'), 'orders');
    // WHEN the heartbeat is written three times, ten days from now, the first two days before the last
    const last = Date.now() + 10 * 86_400_000;
    const beats = [last - 2 * 86_400_000, last - 1000, last].map((ms) => new Date(ms).toISOString());
    for (const ts of beats) {
      await query(
        primary.url('orders'),
        `INSERT INTO replication_heartbeat (id, ts, region) VALUES (1, '${ts}', 'eu-west-1')
         ON CONFLICT (id) DO UPDATE SET ts = excluded.ts, region = excluded.region`,
      );
    }
    // THEN the log holds the beats of the last day before the latest, each once (older ones, the service's own
    // beats of today included, are pruned)
    const log = await query<{ ms: string }>(
      primary.url('orders'),
      'SELECT (extract(epoch FROM ts) * 1000)::bigint::text AS ms FROM replication_heartbeat_log ORDER BY ts',
    );
    expect(log.map((r) => new Date(Number(r.ms)).toISOString())).toEqual(beats.slice(1));
  });
});
