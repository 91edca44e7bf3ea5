import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { RoutingMode } from '../config/shop-config';
import type { Topology } from '../runbooks/topology';
import { migrate } from '../services/db/migrate';
import { withClient } from '../services/db/with-client';
import { CanaryAlarms } from './adapters/canary-alarms';
import { LocalGlobalCluster } from './adapters/local-global-database';
import { LocalRoutingControl } from './adapters/local-routing-control';
import { RegionOutages } from './adapters/region-outages';
import { type ServiceBuild, serviceBuild } from './adapters/service-build';
import { SYNTHETIC_SHOPPER_SERVICE_ENV } from './canary/synthetic-shopper';
import { SERVICES, type ServiceName, type ShopServices, startShopServices } from './dev';
import { DRILL_DATABASES, DRILL_NAMES, type DrillDatabase, drillTopology } from './drill-topology';
import { type FrontDoor, startFrontDoor } from './front-door';
import type { Resources } from './resources';
import { DynamoDbServer, SHOP_TABLES } from './stand-ins/dynamodb-server';
import { PostgresServer } from './stand-ins/postgres-server';
import { ReplicatedPostgres } from './stand-ins/replicated-postgres';
import { TableReplicator } from './stand-ins/table-replicator';

/** Options of {@link TwoRegionShop.start}. */
export interface TwoRegionShopOptions {
  /** Folder for every data directory; the caller removes it. */
  readonly workDir: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Where everything started is registered, so that an interrupted drill stops it. */
  readonly resources: Resources;
  /** Receives one line per notable change (writer moved, Region rebuilt, routing changed). */
  readonly onEvent: (message: string) => void;
  /** Whether a journey canary runs: the topology then names each Region's canary alarm. @default false */
  readonly canary?: boolean;
  /** How the runbooks move traffic (see `drillTopology`). @default 'arc-cluster' */
  readonly routingMode?: RoutingMode;
}

/**
 * How a Region's services differ from the other Region's when they start (tests make parity checks red with it).
 */
export interface ServiceDrift {
  /** Extra environment of every service of the Region (e.g. `CATALOG_CACHE_TTL_MS`). */
  readonly env?: Readonly<Record<string, string>>;
  /** A label standing for another build of a service: its digest differs (see {@link serviceBuild}). */
  readonly build?: Partial<Readonly<Record<ServiceName, string>>>;
}

/** Interval of the DynamoDB table copier (the global-table replication stand-in). */
const TABLE_REPLICATION_INTERVAL_MS = 250;

// The ui accepts the drill's canary as the synthetic shopper, as the stacks' ui accepts the deployed canary.
const SERVICE_ENV = {
  HEARTBEAT_INTERVAL_MS: '1000',
  CHAOS_ENABLED: 'false',
  ...SYNTHETIC_SHOPPER_SERVICE_ENV,
  // One key for the customer cookies of both Regions' uis, as the stacks give both one secret: a shopper keeps their
  // customer id (cart, checkout, orders) across a failover.
  CUSTOMER_COOKIE_SECRET: randomBytes(32).toString('base64url'),
} as const;

/**
 * The shop in two simulated Regions on this machine: per Region the five services (in this process, `REGION` =
 * the Region's name) and a dynalite for carts and checkout; catalog and orders each a Postgres primary in the
 * primary Region streaming to a hot standby in the standby Region, whose services read from it until it is
 * promoted; an asynchronous last-writer-wins copier between the dynalites; routing controls; and the front door,
 * the shop's single address, sending every request to the Region whose routing control is On.
 */
export class TwoRegionShop {
  private readonly services = new Map<string, ShopServices>();
  private readonly servicePorts = new Map<string, Readonly<Record<ServiceName, number>>>();
  /** What each Region's services were last started with (kept while they are stopped). */
  private readonly builds = new Map<string, Readonly<Record<string, ServiceBuild>>>();
  private readonly drift = new Map<string, ServiceDrift>();
  private readonly dynamo = new Map<string, DynamoDbServer>();
  /** Each Region's dynalite port, kept for a restart on the same address. */
  private readonly dynamoPorts = new Map<string, number>();
  private replicator: TableReplicator | undefined;
  private frontDoorServer: FrontDoor | undefined;
  /** The runbook topology of the drill (health URLs included). */
  topology!: Topology;
  readonly outages = new RegionOutages();
  readonly routing: LocalRoutingControl;
  /** Each Region's canary alarm, fed by the drill's canary runs. */
  readonly canaryAlarms: CanaryAlarms;

  /** The global databases, by database. */
  clusters!: Readonly<Record<DrillDatabase, LocalGlobalCluster>>;
  private pairs: Partial<Record<DrillDatabase, ReplicatedPostgres>> = {};
  /** Postgres pairs being started: {@link stop} waits for them, so a pair that finishes starting is stopped too. */
  private readonly startingPairs = new Set<Promise<unknown>>();

  private constructor(private readonly options: TwoRegionShopOptions) {
    this.canaryAlarms = new CanaryAlarms(
      [options.primaryRegion, options.standbyRegion],
      DRILL_NAMES.canaryAlarm,
      (region) => !this.outages.isDown(region),
    );
    this.routing = new LocalRoutingControl(
      [
        {
          control: DRILL_NAMES.routingControl(options.primaryRegion),
          region: options.primaryRegion,
          initialState: 'On',
        },
        {
          control: DRILL_NAMES.routingControl(options.standbyRegion),
          region: options.standbyRegion,
          initialState: 'Off',
        },
      ],
      (states) =>
        options.onEvent(
          `routing controls: ${Object.entries(states)
            .map(([r, s]) => `${r} ${s}`)
            .join(', ')}`,
        ),
    );
  }

  /**
   * Starts both Regions and the front door (Postgres pairs in parallel, from one migrated template). The shop is
   * registered in `options.resources` as one item that stops its parts in order (copier, front door, services,
   * dynalite, Postgres), also when it fails halfway through starting.
   */
  static async start(options: TwoRegionShopOptions): Promise<TwoRegionShop> {
    const { resources, workDir, primaryRegion, standbyRegion } = options;
    const shop = new TwoRegionShop(options);
    resources.add('two-region shop', () => shop.stop());
    const dynamoStarting = Promise.all(
      [primaryRegion, standbyRegion].map(async (region) => {
        const server = await DynamoDbServer.start();
        shop.dynamo.set(region, server);
        shop.dynamoPorts.set(region, server.port);
      }),
    );
    const template = await migratedTemplate(path.join(workDir, 'template'), resources);
    await Promise.all(
      DRILL_DATABASES.map(async (database) => {
        // Known to the shop the moment it has started (its servers run in a process group of their own: only the
        // shop's stop stops them), and waited for by a stop that comes while it starts.
        const starting = ReplicatedPostgres.fromTemplate({
          baseDir: path.join(workDir, database),
          templateDataDir: template,
        }).then((started) => {
          shop.pairs[database] = started;
          return started;
        });
        shop.startingPairs.add(starting);
        const pair = await starting.finally(() => shop.startingPairs.delete(starting));
        // Each pair serves one database: the template's other one goes (the drop replicates to the standby).
        for (const other of DRILL_DATABASES.filter((d) => d !== database)) {
          await withClient(pair.primary.url(), (client) => client.query(`DROP DATABASE ${other}`));
        }
      }),
    );
    shop.clusters = Object.fromEntries(
      DRILL_DATABASES.map((database) => [
        database,
        new LocalGlobalCluster({
          globalClusterIdentifier: DRILL_NAMES.globalCluster(database),
          database,
          pair: shop.pairs[database]!,
          primaryRegion,
          standbyRegion,
          clusterIdentifier: (region) => DRILL_NAMES.cluster(database, region),
          onEvent: options.onEvent,
        }),
      ]),
    ) as Record<DrillDatabase, LocalGlobalCluster>;
    await dynamoStarting;
    await Promise.all([primaryRegion, standbyRegion].map((region) => shop.startServices(region)));
    shop.replicator = new TableReplicator(
      shop.dynamo.get(primaryRegion)!.client(),
      shop.dynamo.get(standbyRegion)!.client(),
      { tables: SHOP_TABLES, intervalMs: TABLE_REPLICATION_INTERVAL_MS },
    );
    shop.replicator.start();
    shop.frontDoorServer = await startFrontDoor({
      targets: Object.fromEntries([primaryRegion, standbyRegion].map((r) => [r, shop.uiUrl(r)])),
      activeRegion: () => shop.routing.activeRegion(),
      upstreamTimeoutMs: 10_000,
    });
    shop.topology = drillTopology({
      primaryRegion,
      standbyRegion,
      canary: options.canary ?? false,
      ...(options.routingMode ? { routingMode: options.routingMode } : {}),
      uiUrls: Object.fromEntries([primaryRegion, standbyRegion].map((r) => [r, shop.uiUrl(r)])),
    });
    return shop;
  }

  /**
   * Stops everything, clients before servers: the table copier and the front door, the services, then dynalite
   * (which throws from a request still in flight when its database closes under it), then every Postgres server.
   */
  async stop(): Promise<void> {
    const quietly = (work: Promise<unknown> | undefined) => work?.then(() => undefined).catch(() => undefined);
    // A pair still starting is waited for (it starts within seconds), then stopped with the others below.
    await Promise.all([...this.startingPairs].map((starting) => quietly(starting)));
    await Promise.all([quietly(this.replicator?.stop()), quietly(this.frontDoorServer?.close())]);
    const services = [...this.services.values()];
    this.services.clear();
    await Promise.all(services.map((s) => quietly(s.kill())));
    const dynamo = [...this.dynamo.values()];
    this.dynamo.clear();
    await Promise.all(dynamo.map((d) => quietly(d.stop())));
    await Promise.all([
      ...Object.values(this.clusters ?? {}).map((c) => quietly(c.stop())),
      ...Object.values(this.pairs).map((p) => quietly(p?.stop())),
    ]);
  }

  get primaryRegion(): string {
    return this.options.primaryRegion;
  }

  get standbyRegion(): string {
    return this.options.standbyRegion;
  }

  /** The shop's single address. */
  get frontDoorUrl(): string {
    return this.frontDoorServer!.url;
  }

  /** Base URL of the ui of `region` (its "load balancer"). */
  uiUrl(region: string): string {
    const ports = this.servicePorts.get(region);
    if (!ports) throw new Error(`no services were started in ${region}`);
    return `http://127.0.0.1:${ports.ui}`;
  }

  /** Base URL of the orders service of `region` (the shoppers' cancels and address changes go to it). */
  ordersUrl(region: string): string {
    const ports = this.servicePorts.get(region);
    if (!ports) throw new Error(`no services were started in ${region}`);
    return `http://127.0.0.1:${ports.orders}`;
  }

  /** The services running in `region` now. */
  runningServices(region: string): readonly ServiceName[] {
    return this.services.has(region) ? ['ui', 'catalog', 'carts', 'orders', 'checkout'] : [];
  }

  /** What each service of `region` was last started with: its code's digest and environment. */
  serviceBuilds(region: string): Readonly<Record<string, ServiceBuild>> {
    return this.builds.get(region) ?? {};
  }

  /**
   * Stops the services of `region` as a lost host does (the Region stays up: its databases and APIs answer). The
   * front door answers 503 while the Region's routing control is On.
   */
  async stopServices(region: string): Promise<void> {
    const services = this.services.get(region);
    this.services.delete(region);
    await services?.kill();
  }

  /** Starts the services of `region` again on their addresses, with `drift` from now on (none when not given). */
  async restartServices(region: string, drift: ServiceDrift = {}): Promise<void> {
    await this.stopServices(region);
    this.drift.set(region, drift);
    await this.startServices(region);
  }

  /** Waits until both standbys have replayed everything their primaries wrote. */
  async waitForCatchUp(timeoutMs = 15_000): Promise<void> {
    await Promise.all(DRILL_DATABASES.map((d) => this.pairs[d]!.waitForCatchUp(timeoutMs)));
  }

  /**
   * Cuts replication between the Regions: a last table-copier pass, then the copier stops and both Postgres
   * streams are cut. Every write to the primary Region from now on stays there.
   */
  async cutReplication(): Promise<void> {
    await this.replicator?.stop();
    await this.replicator?.copyOnce();
    await Promise.all(DRILL_DATABASES.map((d) => this.pairs[d]!.cutReplication()));
  }

  /**
   * The Region fails like a lost data center: its Postgres servers are killed (SIGKILL), its services lose their
   * listeners and every connection at once, its dynalite stops, and its APIs stop answering.
   */
  async failRegion(region: string): Promise<void> {
    this.outages.fail(region);
    const services = this.services.get(region);
    this.services.delete(region);
    await Promise.all([
      ...DRILL_DATABASES.map((d) => this.clusters[d].crash(region)),
      services?.kill(),
      this.dynamo.get(region)?.stop(),
    ]);
    this.dynamo.delete(region);
  }

  /**
   * The failed Region is back and rejoins: its Postgres servers are rebuilt as standbys of the current writers,
   * its dynalite starts empty on the same port and receives a full copy of the surviving Region's tables, its
   * services start again on their ports, and the table copier runs from the surviving Region to it.
   */
  async rebuildRegion(region: string, survivor: string): Promise<void> {
    this.outages.restore(region);
    const tablesAndServices = async () => {
      const old = this.dynamo.get(region);
      if (old) await old.stop();
      const server = await DynamoDbServer.start({ port: this.dynamoPort(region) });
      this.dynamo.set(region, server);
      await this.replicator?.stop();
      this.replicator = new TableReplicator(this.dynamo.get(survivor)!.client(), server.client(), {
        tables: SHOP_TABLES,
        intervalMs: TABLE_REPLICATION_INTERVAL_MS,
      });
      await this.replicator.copyOnce();
      this.replicator.start();
      // The services connect lazily: they may start while their Postgres standbys are being rebuilt.
      await this.startServices(region);
    };
    await Promise.all([...DRILL_DATABASES.map((d) => this.clusters[d].rebuildAsStandby(region)), tablesAndServices()]);
    this.canaryAlarms.regionBack(region);
    this.options.onEvent(`${region} rebuilt: Postgres standbys of the writers, dynalite copied, services started`);
  }

  /** Makes `region` the source of the table copier (after the writers moved there). */
  async replicateTablesFrom(region: string): Promise<void> {
    const other = region === this.primaryRegion ? this.standbyRegion : this.primaryRegion;
    await this.replicator?.stop();
    this.replicator = new TableReplicator(this.dynamo.get(region)!.client(), this.dynamo.get(other)!.client(), {
      tables: SHOP_TABLES,
      intervalMs: TABLE_REPLICATION_INTERVAL_MS,
    });
    this.replicator.start();
  }

  private dynamoPort(region: string): number {
    const port = this.dynamoPorts.get(region);
    if (port === undefined) throw new Error(`no dynalite was started in ${region}`);
    return port;
  }

  private async startServices(region: string): Promise<void> {
    const dynamo = this.dynamo.get(region)!;
    const ports = this.servicePorts.get(region);
    const drift = this.drift.get(region) ?? {};
    const services = await startShopServices({
      region,
      logLevel: 'silent',
      env: { ...SERVICE_ENV, ...drift.env },
      ports: ports ?? { ui: 0, catalog: 0, carts: 0, orders: 0, checkout: 0 },
      stores: {
        catalogDatabaseUrl: this.clusters.catalog.urlIn(region),
        ordersDatabaseUrl: this.clusters.orders.urlIn(region),
        dynamodbEndpoint: dynamo.endpoint,
      },
    });
    this.services.set(region, services);
    this.servicePorts.set(region, services.ports);
    this.builds.set(
      region,
      Object.fromEntries(SERVICES.map((name) => [name, serviceBuild(name, services.env[name], drift.build?.[name])])),
    );
  }
}

/** A stopped server's data directory holding both databases, created and migrated (≈ the cost of one server). */
async function migratedTemplate(dataDir: string, resources: Resources): Promise<string> {
  const server = await PostgresServer.create({ dataDir });
  const untrack = resources.add('postgres template', () => server.stop());
  try {
    for (const database of DRILL_DATABASES) {
      await server.createDatabase(database);
      await migrate(server.url(database), database);
    }
  } finally {
    await server.stop();
    untrack();
  }
  return dataDir;
}
