import type { DatabaseService } from '../db/migrate';
import type { DatabaseConfig } from './database-config';
import { HeartbeatWriter } from './heartbeat-writer';
import { clientConfig, migrateOnStart, probePostgres, ServicePool } from './postgres';
import type { ServiceApp } from './service-app';

/** What a Postgres-backed service configures about its database. */
export interface PostgresServiceConfig {
  readonly database: DatabaseConfig;
  readonly region: string;
  /** Whether this instance competes to write `replication_heartbeat`. */
  readonly heartbeatEnabled: boolean;
  /** Time between heartbeats. */
  readonly heartbeatIntervalMs: number;
}

/**
 * Gives a service its Postgres: a pool, readiness and topology entries, migrations on start (skipped on a read-only
 * replica), and the heartbeat writer (one instance per database writes, chosen by an advisory lock). Nothing
 * connects until the app is ready; closing the app stops the heartbeat, releasing its lock, and ends the pool.
 */
export function attachPostgres(app: ServiceApp, service: DatabaseService, config: PostgresServiceConfig): ServicePool {
  const pool = new ServicePool(config.database, service, app.log);
  const heartbeat = config.heartbeatEnabled
    ? new HeartbeatWriter({
        // Follows the pool to the writer endpoint after a failover, and writes there.
        clientConfig: () => clientConfig(pool.currentConfig, `${service}-heartbeat`),
        region: config.region,
        intervalMs: config.heartbeatIntervalMs,
        log: app.log.child({ component: 'heartbeat' }),
      })
    : undefined;

  app.serviceState.readiness.push({ name: 'postgres', check: () => probePostgres(pool) });
  app.serviceState.topology.push(() => ({
    store: {
      kind: 'postgres',
      host: pool.endpoint.host,
      port: pool.endpoint.port,
      endpoint: pool.endpoint.mode,
      database: config.database.database,
    },
    heartbeat: heartbeat
      ? { role: heartbeat.role, lastBeatAt: heartbeat.lastBeatAt?.toISOString() ?? null }
      : { role: 'disabled', lastBeatAt: null },
  }));
  app.addHook('onReady', async () => {
    await pool.start();
    await migrateOnStart(pool.currentConfig, service, pool, app.log);
    heartbeat?.start();
  });
  app.addHook('onClose', async () => {
    await heartbeat?.stop();
    await pool.end();
  });
  return pool;
}
