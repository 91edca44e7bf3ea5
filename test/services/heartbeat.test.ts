import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { Client } from 'pg';
import { buildCatalogApp } from '../../services/catalog/app';
import { loadCatalogConfig } from '../../services/catalog/config';
import { buildOrdersApp } from '../../services/orders/app';
import { loadOrdersConfig } from '../../services/orders/config';
import { HeartbeatWriter } from '../../services/platform/heartbeat-writer';
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

/**
 * A TCP proxy to Postgres that passes every byte but holds back the close of a server's connection until
 * `release()`: the gap between a server's goodbye (an error message) and its socket closing, made wide.
 */
async function holdingProxy(server: URL): Promise<{ port: number; release(): void; close(): Promise<void> }> {
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(Number(server.port), server.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.on('data', (chunk) => client.write(chunk));
    upstream.on('end', () => held.push(() => client.end()));
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as AddressInfo).port,
    release: () => {
      for (const end of held.splice(0)) end();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}

/** A logger that keeps what it is told (level and message), enough for the writer. */
function keptLog(): { log: import('fastify').FastifyBaseLogger; lines: Array<{ level: string; fields: unknown }> } {
  const lines: Array<{ level: string; fields: unknown }> = [];
  const at = (level: string) => (fields: unknown) => lines.push({ level, fields });
  const log = {
    level: 'info',
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    trace: at('trace'),
    fatal: at('fatal'),
    silent: () => undefined,
    child: () => log,
  } as unknown as import('fastify').FastifyBaseLogger;
  return { log, lines };
}

describe('stopping the heartbeat while its database goes away (review newcomer-run F13)', () => {
  test('GIVEN a heartbeat whose session was ended by the server WHEN it stops before the socket closes THEN nothing is logged after "stopped" and its role stays stopped', async () => {
    const admin = new Client({ connectionString: pg.urls.catalog });
    await admin.connect();
    const proxy = await holdingProxy(new URL(pg.urls.catalog));
    const { log, lines } = keptLog();
    const target = new URL(pg.urls.catalog);
    target.port = String(proxy.port);
    const writer = new HeartbeatWriter({
      clientConfig: { connectionString: target.toString(), application_name: 'heartbeat-f13' },
      region: 'region-s',
      // Long enough that the writer is still disconnected when it is stopped.
      intervalMs: 2_000,
      log,
    });
    try {
      writer.start();
      await waitFor('the writer role', async () => (writer.role === 'writer' ? true : undefined));
      // What a Ctrl-C to the process group did to `npm run dev`: Postgres ends the session (57P01) as the service
      // stops, and the socket closes a moment later.
      const terminated = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'heartbeat-f13'",
      );
      expect(terminated.rowCount).toBe(1);
      await waitFor('the lost session', async () => (writer.role === 'disconnected' ? true : undefined));
      await writer.stop();
      proxy.release();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(writer.role).toBe('stopped');
      const stoppedAt = lines.findIndex((l) => JSON.stringify(l.fields).includes('"to":"stopped"'));
      expect(lines.slice(stoppedAt)).toHaveLength(1);
    } finally {
      await writer.stop();
      proxy.release();
      await proxy.close();
      await admin.end();
    }
  });
});
