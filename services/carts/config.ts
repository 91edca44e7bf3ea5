import { z } from 'zod';
import { type DynamoDbConfig, dynamoDbEnv, envTableName, toDynamoDbConfig } from '../platform/dynamodb';
import { envInteger, envServiceUrl, parseEnv } from '../platform/env';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from '../platform/service-config';

/** The carts service's configuration. */
export interface CartsConfig extends ServiceBaseConfig {
  readonly dynamodb: DynamoDbConfig;
  /** The DynamoDB table holding carts (`pk`, `sk` strings). */
  readonly table: string;
  /** Base URL of the catalog service (products are looked up there when added). */
  readonly catalogUrl: string;
  /** How long a product looked up in the catalog is reused. */
  readonly productCacheTtlMs: number;
  /** Deadline of each call to the catalog. */
  readonly upstreamTimeoutMs: number;
}

const schema = z.object({
  ...serviceBaseEnv,
  ...dynamoDbEnv,
  CARTS_TABLE: envTableName('carts'),
  CATALOG_URL: envServiceUrl(),
  PRODUCT_CACHE_TTL_MS: envInteger({ min: 0, max: 3_600_000, default: 30_000 }),
  UPSTREAM_TIMEOUT_MS: envInteger({ min: 100, max: 60_000, default: 2_000 }),
});

/** Reads and validates the carts service's environment; throws a ConfigError naming every bad variable. */
export function loadCartsConfig(env: Readonly<Record<string, string | undefined>>): CartsConfig {
  const parsed = parseEnv(schema, env);
  const base = toServiceBaseConfig(parsed);
  return {
    ...base,
    dynamodb: toDynamoDbConfig(parsed, parsed.AWS_REGION || base.region),
    table: parsed.CARTS_TABLE,
    catalogUrl: parsed.CATALOG_URL,
    productCacheTtlMs: parsed.PRODUCT_CACHE_TTL_MS,
    upstreamTimeoutMs: parsed.UPSTREAM_TIMEOUT_MS,
  };
}
