import { attachPostgres } from '../platform/postgres-service';
import { createServiceApp, type ServiceApp } from '../platform/service-app';
import type { CatalogConfig } from './config';
import { ProductRepository } from './product-repository';
import { registerCatalogRoutes } from './routes';

/**
 * Builds the catalog service: the product API over Postgres (with the heartbeat writer) and the platform's health,
 * topology and chaos endpoints. Nothing connects until `ready()` (or `listen()`).
 */
export async function buildCatalogApp(config: CatalogConfig): Promise<ServiceApp> {
  const app = createServiceApp({ service: 'catalog', config });
  const pool = attachPostgres(app, 'catalog', config);
  registerCatalogRoutes(app, new ProductRepository(pool), config.cacheTtlMs);
  return app;
}
