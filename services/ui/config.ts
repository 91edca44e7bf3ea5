import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { envInteger, envServiceUrl, parseEnv } from '../platform/env';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from '../platform/service-config';
import { SYNTHETIC_SHOPPER_TOKEN_PATTERN } from './synthetic-shopper';

/** What a secret must look like: 32 to 256 printable ASCII characters (the stacks generate 64 letters and digits). */
const SECRET_PATTERN = SYNTHETIC_SHOPPER_TOKEN_PATTERN;

/** The ui's configuration: where the four backend services are. */
export interface UiConfig extends ServiceBaseConfig {
  readonly catalogUrl: string;
  readonly cartsUrl: string;
  readonly ordersUrl: string;
  readonly checkoutUrl: string;
  /** Deadline of each call to a backend service. */
  readonly upstreamTimeoutMs: number;
  /**
   * The token of the canary's synthetic shopper (`x-synthetic-shopper`); unset: no request can be a synthetic
   * shopper's, and the header is refused.
   */
  readonly syntheticShopperToken: string | undefined;
  /**
   * The key of the customer cookie's signature (HMAC-SHA256). On AWS from Secrets Manager, one secret for both
   * Regions, so a shopper keeps their cart across a failover; unset (local runs), a random one made at start.
   */
  readonly customerCookieSecret: string;
}

const schema = z.object({
  ...serviceBaseEnv,
  CATALOG_URL: envServiceUrl(),
  CARTS_URL: envServiceUrl(),
  ORDERS_URL: envServiceUrl(),
  CHECKOUT_URL: envServiceUrl(),
  UPSTREAM_TIMEOUT_MS: envInteger({ min: 100, max: 60_000, default: 5_000 }),
  SYNTHETIC_SHOPPER_TOKEN: z
    .string()
    .optional()
    .refine((raw) => raw === undefined || raw === '' || SYNTHETIC_SHOPPER_TOKEN_PATTERN.test(raw), {
      message: 'accepted: 32 to 256 printable ASCII characters without spaces, or unset',
    })
    .transform((raw) => (raw === undefined || raw === '' ? undefined : raw)),
  CUSTOMER_COOKIE_SECRET: z
    .string()
    .optional()
    .refine((raw) => raw === undefined || raw === '' || SECRET_PATTERN.test(raw), {
      message:
        'accepted: 32 to 256 printable ASCII characters without spaces, or unset (a random secret is generated at start)',
    })
    .transform((raw) => (raw === undefined || raw === '' ? randomBytes(32).toString('base64url') : raw)),
});

/** Reads and validates the ui's environment; throws a ConfigError naming every bad variable. */
export function loadUiConfig(env: Readonly<Record<string, string | undefined>>): UiConfig {
  const parsed = parseEnv(schema, env, { secret: ['SYNTHETIC_SHOPPER_TOKEN', 'CUSTOMER_COOKIE_SECRET'] });
  return {
    ...toServiceBaseConfig(parsed),
    catalogUrl: parsed.CATALOG_URL,
    cartsUrl: parsed.CARTS_URL,
    ordersUrl: parsed.ORDERS_URL,
    checkoutUrl: parsed.CHECKOUT_URL,
    upstreamTimeoutMs: parsed.UPSTREAM_TIMEOUT_MS,
    syntheticShopperToken: parsed.SYNTHETIC_SHOPPER_TOKEN,
    customerCookieSecret: parsed.CUSTOMER_COOKIE_SECRET,
  };
}
