import type { FastifyBaseLogger } from 'fastify';
import { type ClientConfig, Pool } from 'pg';
import { type DatabaseService, migrate } from '../db/migrate';
import { withClient } from '../db/with-client';
import type { DatabaseConfig, DatabaseEndpoint } from './database-config';
import { asStoreError } from './store-failure';

/** What repositories need of a pool: queries and clients for transactions. */
export type Queryable = Pick<Pool, 'query' | 'connect'>;

/** The connection settings of `config` for a `pg` Client or Pool, tagged with the service's name. */
export function clientConfig(config: DatabaseConfig, applicationName: string): ClientConfig {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ssl: config.ssl === 'disable' ? false : { rejectUnauthorized: config.ssl === 'verify-full' },
    application_name: applicationName,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    // statement_timeout is enforced by the server; a frozen server enforces nothing. query_timeout is the client's.
    query_timeout: config.queryTimeoutMs,
    keepAlive: true,
  };
}

/** A connection pool for the service's database. Idle-connection errors are logged, not fatal. */
export function createPool(config: DatabaseConfig, applicationName: string, log: FastifyBaseLogger): Pool {
  const pool = new Pool({ ...clientConfig(config, applicationName), max: config.poolMax, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => {
    // Connections closing while the pool ends (shutdown) are expected to fail.
    if (!pool.ending) log.warn({ err: error }, 'idle Postgres connection failed; the pool replaces it');
  });
  // pg-pool listens to 'error' only on the connections it holds idle. One checked out (a transaction's, between two
  // of its statements) whose server ends the session or goes away emits 'error' with no query to reject, and an
  // 'error' event nothing listens to is an uncaught exception: the whole service would exit. While checked out, the
  // failure is logged (once; the socket closing is a second error); the holder's next statement rejects ("not
  // queryable"), and a connection released with that error, or not queryable, is not reused.
  const failed = new WeakSet<object>();
  const inUseFailed = function (this: object, error: Error) {
    if (pool.ending || failed.has(this)) return;
    failed.add(this);
    log.warn({ err: error }, 'Postgres connection in use failed; its next statement fails and it is not reused');
  };
  pool.on('acquire', (client) => client.on('error', inUseFailed));
  pool.on('release', (_error, client) => client.removeListener('error', inUseFailed));
  return pool;
}

/** Which endpoint a {@link ServicePool} uses: the only one, the writer endpoint, or the reader endpoint. */
export type EndpointMode = 'single' | 'writer' | 'reader';

/**
 * The service's pool. With one host it is a plain pool. With a writer and a reader endpoint (the standby Region of
 * a global database) it connects to the writer endpoint while that accepts writes (reachable and not in
 * recovery) and to the reader endpoint otherwise, and checks every `endpointCheckMs`: when a failover promotes
 * this Region's cluster, new work goes to its writer within one check; when a failback or switchover makes it a
 * secondary again, back to the reader (whose writes Aurora forwards to the other Region). A switch replaces the
 * pool: queries already running finish on the old one, which then closes.
 */
export class ServicePool implements Queryable {
  private current: Pool;
  private currentEndpoint: DatabaseEndpoint;
  private currentMode: EndpointMode;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly config: DatabaseConfig,
    private readonly applicationName: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.currentEndpoint = config.endpoints?.reader ?? { host: config.host, port: config.port };
    this.currentMode = config.endpoints ? 'reader' : 'single';
    this.current = this.poolFor(this.currentEndpoint);
  }

  /** The endpoint new connections go to, and why. */
  get endpoint(): DatabaseEndpoint & { readonly mode: EndpointMode } {
    return { ...this.currentEndpoint, mode: this.currentMode };
  }

  /** The database settings of the current endpoint (for dedicated connections: migrations, the heartbeat). */
  get currentConfig(): DatabaseConfig {
    return { ...this.config, host: this.currentEndpoint.host, port: this.currentEndpoint.port };
  }

  /** Names this database in the 503 a client gets when it cannot serve a query. */
  private get storeName(): string {
    return `Postgres database ${this.config.database}`;
  }

  /** The pool's `query`; an error that means the database is out of reach becomes a 503 naming it. */
  readonly query: Pool['query'] = ((...args: Parameters<Pool['query']>) =>
    this.named((this.current.query as (...a: unknown[]) => unknown)(...args))) as Pool['query'];

  /** The pool's `connect`, failing like {@link query}. */
  readonly connect: Pool['connect'] = ((...args: Parameters<Pool['connect']>) =>
    this.named((this.current.connect as (...a: unknown[]) => unknown)(...args))) as Pool['connect'];

  private named(result: unknown): unknown {
    if (!(result instanceof Promise)) return result; // the callback forms
    return result.catch((error: unknown) => {
      throw asStoreError(this.storeName, error);
    });
  }

  /** Chooses the endpoint once, then keeps checking it (nothing to do with a single host). */
  async start(): Promise<void> {
    if (!this.config.endpoints) return;
    await this.check();
    const every = this.config.endpointCheckMs;
    const loop = () => {
      this.timer = setTimeout(() => {
        this.checking = this.check().finally(() => {
          if (!this.closed) loop();
        });
      }, every);
      this.timer.unref();
    };
    loop();
  }

  /** Stops checking and ends the pool. */
  async end(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.checking;
    await this.current.end();
  }

  private poolFor(endpoint: DatabaseEndpoint): Pool {
    return createPool({ ...this.config, ...endpoint }, this.applicationName, this.log);
  }

  /** Whether the writer endpoint accepts writes now: one short-lived connection. */
  private async writerAcceptsWrites(writer: DatabaseEndpoint): Promise<boolean> {
    try {
      return await withClient(
        clientConfig({ ...this.config, ...writer }, `${this.applicationName}-endpoint-check`),
        async (client) => {
          const result = await client.query<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
          return result.rows[0]?.in_recovery === false;
        },
      );
    } catch {
      return false;
    }
  }

  private async check(): Promise<void> {
    const endpoints = this.config.endpoints;
    if (!endpoints || this.closed) return;
    const mode: EndpointMode = (await this.writerAcceptsWrites(endpoints.writer)) ? 'writer' : 'reader';
    if (mode === this.currentMode || this.closed) return;
    const old = this.current;
    this.currentEndpoint = endpoints[mode];
    this.current = this.poolFor(this.currentEndpoint);
    this.log.warn(
      { from: this.currentMode, to: mode, host: this.currentEndpoint.host, port: this.currentEndpoint.port },
      mode === 'writer'
        ? 'the writer endpoint accepts writes (this Region holds the writer): new connections go to it'
        : 'the writer endpoint does not accept writes (this Region is a secondary): new connections go to the reader endpoint',
    );
    this.currentMode = mode;
    await old.end().catch((error: unknown) => this.log.warn({ err: error }, 'closing the previous pool failed'));
  }
}

/** Whether the database answers and whether it is a read-only replica. */
export async function probePostgres(pool: Queryable): Promise<{ inRecovery: boolean }> {
  const result = await pool.query<{ in_recovery: boolean }>({
    name: 'platform_probe',
    text: 'SELECT pg_is_in_recovery() AS in_recovery',
  });
  return { inRecovery: result.rows[0]!.in_recovery };
}

/**
 * Applies the service's pending migrations when `config.migrateOnStart` is set and the database accepts
 * writes (a replica in the standby Region is skipped: it receives the schema by replication).
 */
export async function migrateOnStart(
  config: DatabaseConfig,
  service: DatabaseService,
  pool: Queryable,
  log: FastifyBaseLogger,
): Promise<void> {
  if (!config.migrateOnStart) return;
  if ((await probePostgres(pool)).inRecovery) {
    log.info('database is a read-only replica; migrations skipped');
    return;
  }
  const c = clientConfig(config, `${service}-migrate`);
  const url = new URL('postgres://localhost');
  url.hostname = String(c.host);
  url.port = String(c.port);
  url.username = encodeURIComponent(String(c.user));
  if (c.password) url.password = encodeURIComponent(String(c.password));
  url.pathname = `/${encodeURIComponent(String(c.database))}`;
  if (config.ssl !== 'disable')
    url.searchParams.set('sslmode', config.ssl === 'verify-full' ? 'verify-full' : 'no-verify');
  const result = await migrate(url.toString(), service);
  log.info({ applied: result.applied, skipped: result.skipped.length }, 'migrations applied');
}
