import { attachPostgres } from '../platform/postgres-service';
import { createServiceApp, type ServiceApp } from '../platform/service-app';
import type { OrdersConfig } from './config';
import { OrderRepository } from './order-repository';
import { registerOrderRoutes } from './routes';
import { SyntheticOrderRetention } from './synthetic-order-retention';

/**
 * Builds the orders service: idempotent order placement with a transactional outbox over Postgres (with the
 * heartbeat writer), the retention job of synthetic orders, and the platform's health, topology and chaos
 * endpoints. Nothing connects until `ready()`.
 */
export async function buildOrdersApp(config: OrdersConfig): Promise<ServiceApp> {
  const app = createServiceApp({ service: 'orders', config });
  const pool = attachPostgres(app, 'orders', config);
  registerOrderRoutes(app, new OrderRepository(pool));
  const retention = new SyntheticOrderRetention({
    pool,
    retentionDays: config.syntheticOrderRetentionDays,
    intervalMs: config.syntheticOrderRetentionIntervalMs,
    batchSize: 1_000,
    log: app.log.child({ component: 'synthetic-order-retention' }),
  });
  // Registered after attachPostgres's hooks: the pool has started (and migrated) before the first run.
  app.addHook('onReady', async () => {
    if (config.syntheticOrderRetentionDays > 0) retention.start();
  });
  app.addHook('onClose', async () => retention.stop());
  return app;
}
