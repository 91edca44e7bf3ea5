import { createDocumentClient, probeTable } from '../platform/dynamodb';
import { createServiceApp, type ServiceApp } from '../platform/service-app';
import { ServiceClient } from '../platform/service-client';
import { CartRepository } from './cart-repository';
import { CatalogProducts } from './catalog-products';
import type { CartsConfig } from './config';
import { registerCartRoutes } from './routes';

/**
 * Builds the carts service: carts in DynamoDB with atomic adds, products checked against the catalog service,
 * and the platform's health, topology and chaos endpoints.
 */
export async function buildCartsApp(config: CartsConfig): Promise<ServiceApp> {
  const app = createServiceApp({ service: 'carts', config });
  const db = createDocumentClient(config.dynamodb);
  const catalog = new ServiceClient('catalog', config.catalogUrl, config.upstreamTimeoutMs);

  app.serviceState.readiness.push({ name: 'dynamodb', check: () => probeTable(db, config.table) });
  app.serviceState.topology.push(() => ({
    store: {
      kind: 'dynamodb',
      table: config.table,
      region: config.dynamodb.awsRegion,
      endpoint: config.dynamodb.endpoint ?? null,
    },
    dependencies: { catalog: config.catalogUrl },
  }));
  registerCartRoutes(app, new CartRepository(db, config.table), new CatalogProducts(catalog, config.productCacheTtlMs));
  app.addHook('onClose', async () => db.destroy());
  return app;
}
