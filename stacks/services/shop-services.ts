import type { ShopDatabase } from '../naming/database-names';
import type { ShopTable } from '../naming/table-names';

/** The shop's services; each runs as one Fargate service reachable through Service Connect under its own name. */
export const SHOP_SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'] as const;

/** One of {@link SHOP_SERVICES}. */
export type ShopServiceName = (typeof SHOP_SERVICES)[number];

/** What one service needs from the platform; the services stack derives roles, network rules and env from it. */
export interface ShopServiceSpec {
  /** The Aurora database the service owns. @default - none */
  readonly database?: ShopDatabase;
  /** The DynamoDB global table the service owns. @default - none */
  readonly table?: ShopTable;
  /** The services it calls through Service Connect (`http://<name>:8080`). */
  readonly calls: readonly ShopServiceName[];
}

/** The port every service listens on, and the Service Connect port of each service. */
export const SHOP_SERVICE_PORT = 8080;

/** The dependencies of each service; the only place they are written down. */
export const SHOP_SERVICE_SPECS: Readonly<Record<ShopServiceName, ShopServiceSpec>> = {
  ui: { calls: ['catalog', 'carts', 'orders', 'checkout'] },
  catalog: { database: 'catalog', calls: [] },
  carts: { table: 'carts', calls: ['catalog'] },
  orders: { database: 'orders', calls: [] },
  checkout: { table: 'checkout', calls: ['orders'] },
};
