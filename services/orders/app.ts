import { HeartbeatWriter } from '../platform/heartbeat-writer';
import { clientConfig, createPool, migrateOnStart, probePostgres } from '../platform/postgres';
import { createServiceApp, type ServiceApp } from '../platform/service-app';
import type { OrdersConfig } from './config';
import { OrderRepository } from './order-repository';
import { registerOrderRoutes } from './routes';

/**
 * Builds the orders service: idempotent order placement with a transactional outbox over a Postgres pool, the
 * heartbeat writer (one instance per database writes), and the platform's health, topology and chaos endpoints.
 * Nothing connects until `ready()` (or `listen()`); `close()` stops the heartbeat and closes the pool.
 */
export async function buildOrdersApp(config: OrdersConfig): Promise<ServiceApp> {
  const app = createServiceApp({ service: 'orders', config });
  const pool = createPool(config.database, 'orders', app.log);
  const heartbeat = config.heartbeatEnabled
    ? new HeartbeatWriter({
        clientConfig: clientConfig(config.database, 'orders-heartbeat'),
        region: config.region,
        intervalMs: config.heartbeatIntervalMs,
        log: app.log.child({ component: 'heartbeat' }),
      })
    : undefined;

  app.serviceState.readiness.push({ name: 'postgres', check: () => probePostgres(pool) });
  app.serviceState.topology.push(() => ({
    store: {
      kind: 'postgres',
      host: config.database.host,
      port: config.database.port,
      database: config.database.database,
    },
    heartbeat: heartbeat
      ? { role: heartbeat.role, lastBeatAt: heartbeat.lastBeatAt?.toISOString() ?? null }
      : { role: 'disabled', lastBeatAt: null },
  }));
  registerOrderRoutes(app, new OrderRepository(pool));

  app.addHook('onReady', async () => {
    await migrateOnStart(config.database, 'orders', pool, app.log);
    heartbeat?.start();
  });
  app.addHook('onClose', async () => {
    await heartbeat?.stop();
    await pool.end();
  });
  return app;
}
