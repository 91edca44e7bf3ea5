import { attachPostgres } from '../platform/postgres-service';
import { createServiceApp, type ServiceApp } from '../platform/service-app';
import type { OrdersConfig } from './config';
import { OrderRepository } from './order-repository';
import { registerOrderRoutes } from './routes';

/**
 * Builds the orders service: idempotent order placement with a transactional outbox over Postgres (with the
 * heartbeat writer) and the platform's health, topology and chaos endpoints. Nothing connects until `ready()`.
 */
export async function buildOrdersApp(config: OrdersConfig): Promise<ServiceApp> {
  const app = createServiceApp({ service: 'orders', config });
  const pool = attachPostgres(app, 'orders', config);
  registerOrderRoutes(app, new OrderRepository(pool));
  return app;
}
