import type { FastifyBaseLogger } from 'fastify';
import { type ClientConfig, Pool } from 'pg';
import { type DatabaseService, migrate } from '../db/migrate';
import type { DatabaseConfig } from './database-config';

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
  return pool;
}

/** Whether the database answers and whether it is a read-only replica. */
export async function probePostgres(pool: Pool): Promise<{ inRecovery: boolean }> {
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
  pool: Pool,
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
