import { createDocumentClient, probeTable } from '../platform/dynamodb';
import { createServiceApp, type ServiceApp } from '../platform/service-app';
import { ServiceClient } from '../platform/service-client';
import { CheckoutRepository } from './checkout-repository';
import type { CheckoutConfig } from './config';
import { OrdersClient } from './orders-client';
import { registerCheckoutRoutes } from './routes';

/**
 * Builds the checkout service: open checkouts in DynamoDB, idempotent submission through the orders service,
 * and the platform's health, topology and chaos endpoints.
 */
export async function buildCheckoutApp(config: CheckoutConfig): Promise<ServiceApp> {
  const app = createServiceApp({ service: 'checkout', config });
  const db = createDocumentClient(config.dynamodb);
  const orders = new OrdersClient(new ServiceClient('orders', config.ordersUrl, config.upstreamTimeoutMs));

  app.serviceState.readiness.push({ name: 'dynamodb', check: () => probeTable(db, config.table) });
  app.serviceState.topology.push(() => ({
    store: {
      kind: 'dynamodb',
      table: config.table,
      region: config.dynamodb.awsRegion,
      endpoint: config.dynamodb.endpoint ?? null,
    },
    dependencies: { orders: config.ordersUrl },
  }));
  registerCheckoutRoutes(app, new CheckoutRepository(db, config.table), orders);
  app.addHook('onClose', async () => db.destroy());
  return app;
}
