import type { ShopConfig } from '../config';

/**
 * The configuration as the environment variables `loadConfig` reads: set on every job that synthesizes, so the
 * workflow deploys exactly the configuration it was generated from, whatever the defaults in the checkout are.
 */
export function synthEnvironment(config: ShopConfig): Record<string, string> {
  return {
    APP_NAME: config.appName,
    ENV_NAME: config.envName,
    AWS_ACCOUNT_ID: config.account,
    PRIMARY_REGION: config.primaryRegion,
    STANDBY_REGION: config.standbyRegion,
    DOMAIN_NAME: config.domainName,
    BACKUP_RETENTION_DAYS: String(config.backupRetentionDays),
    BAKE_MINUTES: String(config.bakeMinutes),
    CANARY_RATE_MINUTES: String(config.canaryRateMinutes),
    ROUTING_MODE: config.routingMode,
    LOAD_BALANCER_SCHEME: config.loadBalancerScheme,
  };
}
