import { Match } from 'aws-cdk-lib/assertions';
import { databaseNames, SHOP_POSTGRES_VERSION, tableNames } from '../../stacks';
import { buildShopApp, ROLES, removeShopApp, type ShopApp, templateOf } from './shop-app';

let shop: ShopApp;
beforeAll(() => {
  shop = buildShopApp();
});
afterAll(() => removeShopApp(shop));

const dbs = databaseNames('shop', 'dev');
const tables = tableNames('shop', 'dev');
const databases = ['catalog', 'orders'] as const;

describe('data stacks', () => {
  test.each(['primary', 'standby'] as const)(
    'the %s data stack is termination-protected and named after its Region',
    (role) => {
      // GIVEN the default config (primary us-east-1, standby us-west-2)
      const stack = shop.stages[role].data;
      // THEN
      expect(stack.terminationProtection).toBe(true);
      expect(stack.stackName).toBe(`shop-dev-${role === 'primary' ? 'us-east-1' : 'us-west-2'}-data`);
    },
  );

  test.each(['primary', 'standby'] as const)('the %s Region has one customer-managed KMS key with rotation', (role) => {
    const template = templateOf(shop.stages[role].data);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/shop-dev/data' });
  });

  test.each(databases)('the primary creates the %s global cluster empty, and its own cluster in it', (db) => {
    // WHEN
    const template = templateOf(shop.stages.primary.data);
    // THEN the global cluster comes first (a cluster created outside it cannot ask for write forwarding: RDS
    // answers "Requested global functionality, but global cluster identifier is not specified",
    // hashicorp/terraform-provider-aws#37259) and the cluster joins it by reference
    const globals = template.findResources('AWS::RDS::GlobalCluster', {
      Properties: { GlobalClusterIdentifier: dbs[db].globalClusterIdentifier },
    });
    const [globalId] = Object.keys(globals);
    expect(globals[globalId]).toEqual(
      expect.objectContaining({
        Properties: {
          GlobalClusterIdentifier: dbs[db].globalClusterIdentifier,
          Engine: 'aurora-postgresql',
          EngineVersion: SHOP_POSTGRES_VERSION.auroraPostgresFullVersion,
          StorageEncrypted: true,
          DeletionProtection: true,
        },
      }),
    );
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: dbs[db].clusterIdentifier,
      Engine: 'aurora-postgresql',
      EngineVersion: SHOP_POSTGRES_VERSION.auroraPostgresFullVersion,
      MasterUsername: 'postgres',
      DatabaseName: db,
      GlobalClusterIdentifier: { Ref: globalId },
    });
  });

  // Review M1. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
  // (EnableGlobalWriteForwarding): "For the primary DB cluster of an Aurora global database, this value is used
  // immediately if the primary is demoted by a global cluster API operation, but it does nothing until then."
  test.each(databases.flatMap((db) => ROLES.map((role) => [role, db] as const)))(
    'the %s %s cluster forwards writes whenever it is a secondary, also after a switchover or failover demotes it',
    (role, db) => {
      const template = templateOf(shop.stages[role].data);
      template.hasResourceProperties('AWS::RDS::DBCluster', {
        DBClusterIdentifier: dbs[db].clusterIdentifier,
        GlobalClusterIdentifier: Match.anyValue(),
        EnableGlobalWriteForwarding: true,
      });
    },
  );

  test.each(databases)(
    'the %s global cluster and the generated master secret outlive a deleted primary data stack',
    (db) => {
      const template = templateOf(shop.stages.primary.data);
      template.hasResource('AWS::RDS::GlobalCluster', {
        Properties: Match.objectLike({ GlobalClusterIdentifier: dbs[db].globalClusterIdentifier }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({ Name: dbs[db].secretName }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    },
  );

  test('only the primary defines global clusters', () => {
    templateOf(shop.stages.primary.data).resourceCountIs('AWS::RDS::GlobalCluster', 2);
    templateOf(shop.stages.standby.data).resourceCountIs('AWS::RDS::GlobalCluster', 0);
  });

  test.each(databases)(
    'the standby %s cluster joins the global cluster without credentials, forwarding writes',
    (db) => {
      const template = templateOf(shop.stages.standby.data);
      template.hasResourceProperties('AWS::RDS::DBCluster', {
        DBClusterIdentifier: dbs[db].clusterIdentifier,
        GlobalClusterIdentifier: dbs[db].globalClusterIdentifier,
        EnableGlobalWriteForwarding: true,
        MasterUsername: Match.absent(),
        MasterUserPassword: Match.absent(),
        ManageMasterUserPassword: Match.absent(),
        DatabaseName: Match.absent(),
      });
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 0);
    },
  );

  test.each(['primary', 'standby'] as const)(
    'every %s cluster is encrypted with the Region key, protected, backed up and observable',
    (role) => {
      const template = templateOf(shop.stages[role].data);
      const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
      for (const db of databases) {
        template.hasResourceProperties('AWS::RDS::DBCluster', {
          DBClusterIdentifier: dbs[db].clusterIdentifier,
          StorageEncrypted: true,
          KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
          DeletionProtection: true,
          BackupRetentionPeriod: Match.anyValue(),
          EnableIAMDatabaseAuthentication: true,
          EnableCloudwatchLogsExports: ['postgresql'],
          PerformanceInsightsEnabled: true,
        });
        template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: dbs[db].logGroupName });
      }
      for (const cluster of Object.values(template.findResources('AWS::RDS::DBCluster'))) {
        expect(cluster.DeletionPolicy).toBe('Snapshot');
      }
      template.resourceCountIs('AWS::RDS::DBInstance', 4);
      template.hasResourceProperties('AWS::RDS::DBInstance', {
        DBInstanceIdentifier: dbs.orders.instanceIdentifiers[1],
      });
    },
  );

  test.each(databases)('the %s credentials are encrypted with the key and replicated to the standby', (db) => {
    const template = templateOf(shop.stages.primary.data);
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: dbs[db].secretName,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      ReplicaRegions: [{ Region: 'us-west-2' }],
    });
  });

  test.each(['carts', 'checkout'] as const)(
    'the %s global table lives in the primary with a standby replica',
    (table) => {
      const template = templateOf(shop.stages.primary.data);
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: {
          TableName: tables[table],
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          Replicas: Match.anyValue(),
        },
      });
    },
  );

  test.each(['carts', 'checkout'] as const)('the %s table has exactly two replicas, both protected', (table) => {
    const template = templateOf(shop.stages.primary.data);
    const [resource] = Object.values(
      template.findResources('AWS::DynamoDB::GlobalTable', { Properties: { TableName: tables[table] } }),
    );
    const replicas = resource.Properties.Replicas as Array<Record<string, unknown>>;
    expect(replicas.map((r) => r.Region).sort()).toEqual(['us-east-1', 'us-west-2']);
    for (const replica of replicas) {
      expect(replica).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  test('the standby defines no table: the primary table owns its replica', () => {
    templateOf(shop.stages.primary.data).resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    templateOf(shop.stages.standby.data).resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(shop.stages.standby.data.tables.carts.tableName).toBe(tables.carts);
  });
});

// Review M2. The lost writes of an unplanned failover survive only in a system snapshot of the old primary:
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html, "The
// snapshot of the old storage volume is a system snapshot that's subject to the backup retention period configured
// on the old primary cluster." Every cluster can become the old primary, so all of them keep backups that long.
describe('backup retention', () => {
  let custom: ShopApp;
  beforeAll(() => {
    // GIVEN a team that keeps backups for 14 days
    custom = buildShopApp({ backupRetentionDays: 14 });
  });
  afterAll(() => removeShopApp(custom));

  test.each([
    ['default', 35, () => shop],
    ['configured', 14, () => custom],
  ] as const)('with the %s retention every cluster in both Regions keeps its backups %i days', (_, days, app) => {
    for (const role of ROLES) {
      const clusters = Object.values(templateOf(app().stages[role].data).findResources('AWS::RDS::DBCluster'));
      expect(clusters.map((c) => [c.Properties.DBClusterIdentifier, c.Properties.BackupRetentionPeriod])).toEqual(
        databases.map((db) => [dbs[db].clusterIdentifier, days]),
      );
    }
  });
});
