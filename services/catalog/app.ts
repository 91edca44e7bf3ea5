import { HeartbeatWriter } from '../platform/heartbeat-writer';
import { clientConfig, createPool, migrateOnStart, probePostgres } from '../platform/postgres';
import { createServiceApp, type ServiceApp } from '../platform/service-app';
import type { CatalogConfig } from './config';
import { ProductRepository } from './product-repository';
import { registerCatalogRoutes } from './routes';

/**
 * Builds the catalog service: the product API over a Postgres pool, the heartbeat writer (one instance per
 * database writes), and the platform's health, topology and chaos endpoints. Nothing connects until `ready()`
 * (or `listen()`); `close()` stops the heartbeat, releasing its lock, and closes the pool.
 */
export async function buildCatalogApp(config: CatalogConfig): Promise<ServiceApp> {
  const app = createServiceApp({ service: 'catalog', config });
  const pool = createPool(config.database, 'catalog', app.log);
  const heartbeat = config.heartbeatEnabled
    ? new HeartbeatWriter({
        clientConfig: clientConfig(config.database, 'catalog-heartbeat'),
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
  registerCatalogRoutes(app, new ProductRepository(pool), config.cacheTtlMs);

  app.addHook('onReady', async () => {
    await migrateOnStart(config.database, 'catalog', pool, app.log);
    heartbeat?.start();
  });
  app.addHook('onClose', async () => {
    await heartbeat?.stop();
    await pool.end();
  });
  return app;
}
