import { envInteger } from '../platform/env';
import { type PostgresServiceConfig, parsePostgresServiceEnv } from '../platform/postgres-service-config';

/** The catalog service's configuration. */
export interface CatalogConfig extends PostgresServiceConfig {
  /**
   * How long a product list, product, size or tag answer may be reused from memory before Postgres is asked
   * again; 0 reads Postgres every time.
   */
  readonly cacheTtlMs: number;
}

/** Reads and validates the catalog's environment; throws {@link ConfigError} naming every bad variable. */
export function loadCatalogConfig(env: Readonly<Record<string, string | undefined>>): CatalogConfig {
  const { config, parsed } = parsePostgresServiceEnv(env, 'catalog', {
    CATALOG_CACHE_TTL_MS: envInteger({ min: 0, max: 300_000, default: 1_000 }),
  });
  return { ...config, cacheTtlMs: parsed.CATALOG_CACHE_TTL_MS };
}
