import { envInteger } from '../platform/env';
import { type PostgresServiceConfig, parsePostgresServiceEnv } from '../platform/postgres-service-config';

/** The orders service's configuration. */
export interface OrdersConfig extends PostgresServiceConfig {
  /**
   * Synthetic orders (the canary's) older than this many days are deleted; 0 (the default) keeps them. A delete on the
   * new primary after a failover is a difference from the old primary's snapshot that the missing-transaction report
   * must show (a conflict for a person), so deleting is opt-in.
   */
  readonly syntheticOrderRetentionDays: number;
  /** Time between runs of the synthetic order retention job. */
  readonly syntheticOrderRetentionIntervalMs: number;
}

/** Reads and validates the orders service's environment; throws {@link ConfigError} naming every bad variable. */
export function loadOrdersConfig(env: Readonly<Record<string, string | undefined>>): OrdersConfig {
  const { config, parsed } = parsePostgresServiceEnv(env, 'orders', {
    SYNTHETIC_ORDER_RETENTION_DAYS: envInteger({ min: 0, max: 3_650, default: 0 }),
    SYNTHETIC_ORDER_RETENTION_INTERVAL_MS: envInteger({ min: 1_000, max: 86_400_000, default: 3_600_000 }),
  });
  return {
    ...config,
    syntheticOrderRetentionDays: parsed.SYNTHETIC_ORDER_RETENTION_DAYS,
    syntheticOrderRetentionIntervalMs: parsed.SYNTHETIC_ORDER_RETENTION_INTERVAL_MS,
  };
}
