import { z } from 'zod';
import { type DynamoDbConfig, dynamoDbEnv, envTableName, toDynamoDbConfig } from '../platform/dynamodb';
import { envInteger, envServiceUrl, parseEnv } from '../platform/env';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from '../platform/service-config';

/** The checkout service's configuration. */
export interface CheckoutConfig extends ServiceBaseConfig {
  readonly dynamodb: DynamoDbConfig;
  /** The DynamoDB (global) table holding open checkouts (`pk`, `sk` strings). */
  readonly table: string;
  /** Base URL of the orders service. */
  readonly ordersUrl: string;
  /** Deadline of each call to the orders service. */
  readonly upstreamTimeoutMs: number;
}

const schema = z.object({
  ...serviceBaseEnv,
  ...dynamoDbEnv,
  CHECKOUT_TABLE: envTableName('checkout'),
  ORDERS_URL: envServiceUrl(),
  UPSTREAM_TIMEOUT_MS: envInteger({ min: 100, max: 60_000, default: 5_000 }),
});

/** Reads and validates the checkout service's environment; throws a ConfigError naming every bad variable. */
export function loadCheckoutConfig(env: Readonly<Record<string, string | undefined>>): CheckoutConfig {
  const parsed = parseEnv(schema, env);
  const base = toServiceBaseConfig(parsed);
  return {
    ...base,
    dynamodb: toDynamoDbConfig(parsed, parsed.AWS_REGION || base.region),
    table: parsed.CHECKOUT_TABLE,
    ordersUrl: parsed.ORDERS_URL,
    upstreamTimeoutMs: parsed.UPSTREAM_TIMEOUT_MS,
  };
}
