import { Client } from 'pg';
import { buildCatalogApp } from '../../services/catalog/app';
import { loadCatalogConfig } from '../../services/catalog/config';
import { buildOrdersApp } from '../../services/orders/app';
import { loadOrdersConfig } from '../../services/orders/config';
import type { ServiceApp } from '../../services/platform/service-app';
import { call, listen } from './support/http';
import { startPostgres, type TestPostgres } from './support/stores';
import { waitFor } from './support/wait';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

async function role(url: string): Promise<string> {
  return (await call(url, 'GET', '/topology')).json().heartbeat.role;
}

describe('replication heartbeat', () => {
  test('two instances on one database: exactly one writes every interval; when it stops the other takes over', async () => {
    const db = new Client({ connectionString: pg.urls.catalog });
    await db.connect();
    const env = (region: string) => ({
      LOG_LEVEL: 'silent',
      REGION: region,
      DATABASE_URL: pg.urls.catalog,
      HEARTBEAT_INTERVAL_MS: '100',
    });
    const a: ServiceApp = await buildCatalogApp(loadCatalogConfig(env('region-a')));
    const urlA = await listen(a);
    await waitFor('a to write', async () => ((await role(urlA)) === 'writer' ? true : undefined));
    const b: ServiceApp = await buildCatalogApp(loadCatalogConfig(env('region-b')));
    const urlB = await listen(b);
    try {
      await waitFor('b to stand by', async () => ((await role(urlB)) === 'standby' ? true : undefined));

      // For a second, every read shows region-a's heartbeat moving forward: b never writes.
      const seen: Array<{ ts: Date; region: string }> = [];
      for (let i = 0; i < 10; i++) {
        seen.push((await db.query('SELECT ts, region FROM replication_heartbeat WHERE id = 1')).rows[0]);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(new Set(seen.map((s) => s.region))).toEqual(new Set(['region-a']));
      expect(seen[9]!.ts.getTime()).toBeGreaterThan(seen[0]!.ts.getTime());
      expect([await role(urlA), await role(urlB)]).toEqual(['writer', 'standby']);
      expect((await db.query('SELECT count(*)::int AS n FROM replication_heartbeat')).rows[0].n).toBe(1);

      const stoppedAt = Date.now();
      await a.close();
      await waitFor('b to take over', async () => ((await role(urlB)) === 'writer' ? true : undefined));
      const row = await waitFor('region-b heartbeat', async () => {
        const r = (await db.query('SELECT ts, region FROM replication_heartbeat WHERE id = 1')).rows[0];
        return r.region === 'region-b' ? r : undefined;
      });
      expect(Date.now() - stoppedAt).toBeLessThan(3_000);
      expect(row.ts.getTime()).toBeGreaterThan(seen[9]!.ts.getTime());

      // The region change, and only it, is kept (migration 0003): the last region-a beat is the cut a failover
      // from region-a would need once region-b has overwritten the row.
      const handovers = (
        await db.query('SELECT prev_ts, prev_region, next_ts, next_region FROM replication_heartbeat_handover')
      ).rows;
      expect(handovers).toHaveLength(1);
      const [handover] = handovers;
      expect([handover.prev_region, handover.next_region]).toEqual(['region-a', 'region-b']);
      expect(handover.prev_ts.getTime()).toBeGreaterThanOrEqual(seen[9]!.ts.getTime());
      expect(handover.prev_ts.getTime()).toBeLessThan(handover.next_ts.getTime());
      expect(handover.next_ts.getTime()).toBeLessThanOrEqual(row.ts.getTime());
    } finally {
      await a.close();
      await b.close();
      await db.end();
    }
  });

  test('the orders service keeps the heartbeat of its own database', async () => {
    const db = new Client({ connectionString: pg.urls.orders });
    await db.connect();
    const orders = await buildOrdersApp(
      loadOrdersConfig({
        LOG_LEVEL: 'silent',
        REGION: 'region-o',
        DATABASE_URL: pg.urls.orders,
        HEARTBEAT_INTERVAL_MS: '100',
      }),
    );
    const url = await listen(orders);
    try {
      await waitFor('orders to write', async () => ((await role(url)) === 'writer' ? true : undefined));
      const row = await waitFor(
        'a heartbeat row',
        async () => (await db.query('SELECT region FROM replication_heartbeat')).rows[0],
      );
      expect(row).toEqual({ region: 'region-o' });
    } finally {
      await orders.close();
      await db.end();
    }
  });
});
