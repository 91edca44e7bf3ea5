import { z } from 'zod';
import {
  DATABASE_SECRET_VARIABLES,
  type DatabaseConfig,
  databaseEnv,
  toDatabaseConfig,
} from '../platform/database-config';
import { ConfigError, envBoolean, envInteger, parseEnv } from '../platform/env';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from '../platform/service-config';

/** The catalog service's configuration. */
export interface CatalogConfig extends ServiceBaseConfig {
  readonly database: DatabaseConfig;
  /** Whether this instance competes to write `replication_heartbeat`. */
  readonly heartbeatEnabled: boolean;
  /** Time between heartbeats. */
  readonly heartbeatIntervalMs: number;
  /**
   * How long a product list, product, size or tag answer may be reused from memory before Postgres is asked
   * again; 0 reads Postgres every time.
   */
  readonly cacheTtlMs: number;
}

const schema = z.object({
  ...serviceBaseEnv,
  ...databaseEnv,
  HEARTBEAT_ENABLED: envBoolean({ default: true }),
  HEARTBEAT_INTERVAL_MS: envInteger({ min: 50, max: 60_000, default: 1_000 }),
  CATALOG_CACHE_TTL_MS: envInteger({ min: 0, max: 300_000, default: 1_000 }),
});

/** Reads and validates the catalog's environment; throws {@link ConfigError} naming every bad variable. */
export function loadCatalogConfig(env: Readonly<Record<string, string | undefined>>): CatalogConfig {
  const parsed = parseEnv(schema, env, { secret: DATABASE_SECRET_VARIABLES });
  const database = toDatabaseConfig(parsed, 'catalog');
  if (typeof database === 'string') throw new ConfigError(`invalid configuration: ${database}`);
  return {
    ...toServiceBaseConfig(parsed),
    database,
    heartbeatEnabled: parsed.HEARTBEAT_ENABLED,
    heartbeatIntervalMs: parsed.HEARTBEAT_INTERVAL_MS,
    cacheTtlMs: parsed.CATALOG_CACHE_TTL_MS,
  };
}
