import { resourcePrefix } from './resource-prefix';

/** The DynamoDB global tables of the shop. */
export const SHOP_TABLES = ['carts', 'checkout'] as const;

/** One of {@link SHOP_TABLES}. */
export type ShopTable = (typeof SHOP_TABLES)[number];

/**
 * Names the DynamoDB global tables of an environment; a replica has the same name in every Region.
 *
 * @example tableNames('shop', 'dev').carts // 'shop-dev-carts'
 */
export function tableNames(appName: string, envName: string): Record<ShopTable, string> {
  const prefix = resourcePrefix(appName, envName);
  return { carts: `${prefix}-carts`, checkout: `${prefix}-checkout` };
}
