import { resourcePrefix } from './resource-prefix';

/** The Aurora PostgreSQL databases of the shop, one Aurora global database each. */
export const SHOP_DATABASES = ['catalog', 'orders'] as const;

/** One of {@link SHOP_DATABASES}. */
export type ShopDatabase = (typeof SHOP_DATABASES)[number];

/** Deterministic identifiers of one Aurora global database, so runbooks can find its parts by name. */
export interface DatabaseNames {
  /** The `AWS::RDS::GlobalCluster` identifier, e.g. `shop-dev-orders-global`. */
  readonly globalClusterIdentifier: string;
  /** The DB cluster identifier; the same in both Regions (a cluster ARN carries its Region), e.g. `shop-dev-orders`. */
  readonly clusterIdentifier: string;
  /** Identifiers of the cluster's instances, writer first. */
  readonly instanceIdentifiers: readonly [writer: string, reader: string];
  /** Secrets Manager name of the master credentials; the replica in the standby Region has the same name. */
  readonly secretName: string;
  /** The PostgreSQL database created in the cluster. */
  readonly databaseName: string;
  /** The CloudWatch Logs group Aurora exports the PostgreSQL log to. */
  readonly logGroupName: string;
}

/**
 * Names the parts of every shop database of an environment.
 *
 * @example databaseNames('shop', 'dev').orders.globalClusterIdentifier // 'shop-dev-orders-global'
 */
export function databaseNames(appName: string, envName: string): Record<ShopDatabase, DatabaseNames> {
  const prefix = resourcePrefix(appName, envName);
  const names = (database: ShopDatabase): DatabaseNames => {
    const clusterIdentifier = `${prefix}-${database}`;
    return {
      globalClusterIdentifier: `${clusterIdentifier}-global`,
      clusterIdentifier,
      instanceIdentifiers: [`${clusterIdentifier}-1`, `${clusterIdentifier}-2`],
      secretName: `${appName}/${envName}/${database}/master`,
      databaseName: database,
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
    };
  };
  return { catalog: names('catalog'), orders: names('orders') };
}
