import { z } from 'zod';
import {
  DATABASE_SECRET_VARIABLES,
  type DatabaseConfig,
  databaseEnv,
  toDatabaseConfig,
} from '../platform/database-config';
import { ConfigError, envBoolean, envInteger, parseEnv } from '../platform/env';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from '../platform/service-config';

/** The orders service's configuration. */
export interface OrdersConfig extends ServiceBaseConfig {
  readonly database: DatabaseConfig;
  /** Whether this instance competes to write `replication_heartbeat`. */
  readonly heartbeatEnabled: boolean;
  /** Time between heartbeats. */
  readonly heartbeatIntervalMs: number;
  /**
   * Synthetic orders (the canary's) older than this many days are deleted; 0 (the default) keeps them. A delete on the
   * new primary after a failover is a difference from the old primary's snapshot that the missing-transaction report
   * must show (a conflict for a person), so deleting is opt-in.
   */
  readonly syntheticOrderRetentionDays: number;
  /** Time between runs of the synthetic order retention job. */
  readonly syntheticOrderRetentionIntervalMs: number;
}

const schema = z.object({
  ...serviceBaseEnv,
  ...databaseEnv,
  HEARTBEAT_ENABLED: envBoolean({ default: true }),
  HEARTBEAT_INTERVAL_MS: envInteger({ min: 50, max: 60_000, default: 1_000 }),
  SYNTHETIC_ORDER_RETENTION_DAYS: envInteger({ min: 0, max: 3_650, default: 0 }),
  SYNTHETIC_ORDER_RETENTION_INTERVAL_MS: envInteger({ min: 1_000, max: 86_400_000, default: 3_600_000 }),
});

/** Reads and validates the orders service's environment; throws {@link ConfigError} naming every bad variable. */
export function loadOrdersConfig(env: Readonly<Record<string, string | undefined>>): OrdersConfig {
  const parsed = parseEnv(schema, env, { secret: DATABASE_SECRET_VARIABLES });
  const database = toDatabaseConfig(parsed, 'orders');
  if (typeof database === 'string') throw new ConfigError(`invalid configuration: ${database}`);
  return {
    ...toServiceBaseConfig(parsed),
    database,
    heartbeatEnabled: parsed.HEARTBEAT_ENABLED,
    heartbeatIntervalMs: parsed.HEARTBEAT_INTERVAL_MS,
    syntheticOrderRetentionDays: parsed.SYNTHETIC_ORDER_RETENTION_DAYS,
    syntheticOrderRetentionIntervalMs: parsed.SYNTHETIC_ORDER_RETENTION_INTERVAL_MS,
  };
}
