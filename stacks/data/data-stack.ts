import { type Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { databaseNames, SHOP_DATABASES, type ShopDatabase } from '../naming/database-names';
import { resourcePrefix } from '../naming/resource-prefix';
import { customerCookieSecretName, syntheticShopperSecretName } from '../naming/secret-names';
import { SHOP_TABLES, type ShopTable, tableNames } from '../naming/table-names';
import type { RegionRole } from '../region-role';
import { GlobalAuroraDatabase } from './global-aurora-database';
import { replicatedTokenSecret } from './replicated-token-secret';

/** Properties of a {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Application name, part of every resource name. */
  readonly appName: string;
  /** Environment name, part of every resource name. */
  readonly envName: string;
  /** Whether this Region creates the global resources (`primary`) or joins them (`standby`). */
  readonly role: RegionRole;
  /** The other Region: where the primary replicates tables and secrets to. */
  readonly peerRegion: string;
  /** The Region's VPC. */
  readonly vpc: ec2.IVpc;
  /** Security group of the tasks that may connect to the databases. */
  readonly databaseClientSecurityGroup: ec2.ISecurityGroup;
  /**
   * Instance class of the Aurora instances.
   *
   * @default r6g.large
   */
  readonly databaseInstanceType?: ec2.InstanceType;
  /**
   * How long every Aurora cluster keeps its automated backups.
   *
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;
}

/**
 * The stateful resources of one Region: its KMS key, its member of each Aurora global database and, in the
 * primary, the DynamoDB global tables with their replica in the standby. Termination-protected, and never renamed.
 */
export class DataStack extends Stack {
  /** The Region's customer-managed key (rotation on). */
  readonly key: kms.Key;
  /** The Region's member of each Aurora global database. */
  readonly databases: Readonly<Record<ShopDatabase, GlobalAuroraDatabase>>;
  /**
   * The global tables as seen from this Region: the tables themselves in the primary (they own every replica),
   * references by name to the local replicas in the standby.
   */
  readonly tables: Readonly<Record<ShopTable, dynamodb.ITableV2>>;
  /**
   * The synthetic shopper's token (a plain string secret): the ui accepts the canaries' requests that carry it and
   * marks their orders synthetic. Generated in the primary and replicated to the standby, because the global canary
   * reaches whichever Region is active; the standby references its replica by name.
   */
  readonly syntheticShopperToken: secretsmanager.ISecret;
  /**
   * The key the ui signs its customer cookies with (a plain string secret, the ui's `CUSTOMER_COOKIE_SECRET`).
   * Generated in the primary and replicated to the standby, so a cookie signed in one Region is valid in the other
   * after a failover; the standby references its replica by name.
   */
  readonly customerCookieSecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const prefix = resourcePrefix(props.appName, props.envName);

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${prefix}/data`,
      description: `Encrypts the ${prefix} databases and their credentials in this Region`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const dbNames = databaseNames(props.appName, props.envName);
    const databases = {} as Record<ShopDatabase, GlobalAuroraDatabase>;
    for (const database of SHOP_DATABASES) {
      databases[database] = new GlobalAuroraDatabase(this, toPascal(database), {
        names: dbNames[database],
        role: props.role,
        peerRegion: props.peerRegion,
        vpc: props.vpc,
        encryptionKey: this.key,
        clientSecurityGroup: props.databaseClientSecurityGroup,
        instanceType: props.databaseInstanceType,
        backupRetention: props.backupRetention,
      });
    }
    this.databases = databases;

    const names = tableNames(props.appName, props.envName);
    const tables = {} as Record<ShopTable, dynamodb.ITableV2>;
    for (const table of SHOP_TABLES) {
      const id = `${toPascal(table)}Table`;
      tables[table] =
        props.role === 'primary'
          ? new dynamodb.TableV2(this, id, {
              tableName: names[table],
              partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
              sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
              billing: dynamodb.Billing.onDemand(),
              pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
              deletionProtection: true,
              removalPolicy: RemovalPolicy.RETAIN,
              // A customer-managed key would need the standby key's ARN here, but that key is created by the
              // standby's data stack, which deploys after this one: the AWS-managed key (aws/dynamodb) exists in
              // every Region already and still encrypts every replica at rest with KMS.
              encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
              replicas: [{ region: props.peerRegion }],
            })
          : dynamodb.TableV2.fromTableName(this, id, names[table]);
    }
    this.tables = tables;

    this.syntheticShopperToken = replicatedTokenSecret(this, 'SyntheticShopperToken', {
      role: props.role,
      secretName: syntheticShopperSecretName(props.appName, props.envName),
      description: `The ${prefix} canaries' synthetic shopper token: the ui marks the orders of requests carrying it synthetic`,
      length: 48,
      peerRegion: props.peerRegion,
      whyNotRotated:
        'Not rotated automatically: ECS injects the token into the ui only when a task starts, so a rotation would lock the canaries out of the running tasks until they are replaced; rotate by updating the secret, then redeploying the services.',
    });
    // The ui accepts 32 to 256 printable characters.
    this.customerCookieSecret = replicatedTokenSecret(this, 'CustomerCookieSecret', {
      role: props.role,
      secretName: customerCookieSecretName(props.appName, props.envName),
      description: `The ${prefix} ui's customer cookie key: the ui signs each visitor's customer id with it (HMAC-SHA256)`,
      length: 64,
      peerRegion: props.peerRegion,
      whyNotRotated:
        'Not rotated automatically: ECS injects the key into the ui only when a task starts, and a new key makes every signed cookie invalid (each shopper becomes a new visitor, their cart out of reach); rotate by updating the secret, then redeploying the services, when that is acceptable.',
    });
  }
}

function toPascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
