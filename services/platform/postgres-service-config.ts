import { z } from 'zod';
import { DATABASE_SECRET_VARIABLES, type DatabaseConfig, databaseEnv, toDatabaseConfig } from './database-config';
import { ConfigError, envBoolean, envInteger, parseEnv } from './env';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from './service-config';

/** What every service that owns a Postgres database (catalog, orders) is configured with. */
export interface PostgresServiceConfig extends ServiceBaseConfig {
  readonly database: DatabaseConfig;
  /** Whether this instance competes to write `replication_heartbeat`. */
  readonly heartbeatEnabled: boolean;
  /** Time between heartbeats. */
  readonly heartbeatIntervalMs: number;
}

/** The environment variables behind {@link PostgresServiceConfig}. */
export const postgresServiceEnv = {
  ...serviceBaseEnv,
  ...databaseEnv,
  HEARTBEAT_ENABLED: envBoolean({ default: true }),
  HEARTBEAT_INTERVAL_MS: envInteger({ min: 50, max: 60_000, default: 1_000 }),
};

/**
 * Reads and validates the environment of a service owning the Postgres database `database`: the variables of
 * {@link postgresServiceEnv} plus the service's own `extra` ones. Throws {@link ConfigError} naming every bad
 * variable (secrets hidden). Returns the shared part of the configuration and the parsed variables, from which
 * the service takes its own.
 */
export function parsePostgresServiceEnv<E extends z.ZodRawShape>(
  env: Readonly<Record<string, string | undefined>>,
  database: string,
  extra: E,
): { readonly config: PostgresServiceConfig; readonly parsed: z.output<z.ZodObject<typeof postgresServiceEnv & E>> } {
  const schema = z.object({ ...postgresServiceEnv, ...extra }) as z.ZodObject<typeof postgresServiceEnv & E>;
  const parsed = parseEnv(schema, env, { secret: DATABASE_SECRET_VARIABLES });
  const shared = parsed as z.output<z.ZodObject<typeof postgresServiceEnv>>;
  const databaseConfig = toDatabaseConfig(shared, database);
  if (typeof databaseConfig === 'string') throw new ConfigError(`invalid configuration: ${databaseConfig}`);
  return {
    config: {
      ...toServiceBaseConfig(shared),
      database: databaseConfig,
      heartbeatEnabled: shared.HEARTBEAT_ENABLED,
      heartbeatIntervalMs: shared.HEARTBEAT_INTERVAL_MS,
    },
    parsed,
  };
}
