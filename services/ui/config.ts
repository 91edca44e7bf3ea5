import { z } from 'zod';
import { envInteger, envServiceUrl, parseEnv } from '../platform/env';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from '../platform/service-config';

/** The ui's configuration: where the four backend services are. */
export interface UiConfig extends ServiceBaseConfig {
  readonly catalogUrl: string;
  readonly cartsUrl: string;
  readonly ordersUrl: string;
  readonly checkoutUrl: string;
  /** Deadline of each call to a backend service. */
  readonly upstreamTimeoutMs: number;
}

const schema = z.object({
  ...serviceBaseEnv,
  CATALOG_URL: envServiceUrl(),
  CARTS_URL: envServiceUrl(),
  ORDERS_URL: envServiceUrl(),
  CHECKOUT_URL: envServiceUrl(),
  UPSTREAM_TIMEOUT_MS: envInteger({ min: 100, max: 60_000, default: 5_000 }),
});

/** Reads and validates the ui's environment; throws a ConfigError naming every bad variable. */
export function loadUiConfig(env: Readonly<Record<string, string | undefined>>): UiConfig {
  const parsed = parseEnv(schema, env);
  return {
    ...toServiceBaseConfig(parsed),
    catalogUrl: parsed.CATALOG_URL,
    cartsUrl: parsed.CARTS_URL,
    ordersUrl: parsed.ORDERS_URL,
    checkoutUrl: parsed.CHECKOUT_URL,
    upstreamTimeoutMs: parsed.UPSTREAM_TIMEOUT_MS,
  };
}
