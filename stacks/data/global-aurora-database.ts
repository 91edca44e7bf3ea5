import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatabaseNames } from '../naming/database-names';
import type { RegionRole } from '../region-role';

/** The Aurora PostgreSQL engine of every shop database (16.x supports global write forwarding). */
export const SHOP_POSTGRES_VERSION = rds.AuroraPostgresEngineVersion.VER_16_6;

/** The port the shop's databases listen on. */
export const SHOP_POSTGRES_PORT = 5432;

/** Properties of a {@link GlobalAuroraDatabase}. */
export interface GlobalAuroraDatabaseProps {
  /** Deterministic identifiers of the database (see `databaseNames`). */
  readonly names: DatabaseNames;
  /**
   * `primary` creates the `AWS::RDS::GlobalCluster`, and the cluster with its credentials inside it; `standby`
   * creates a secondary cluster that joins the global cluster, without credentials of its own. Both forward writes
   * whenever they are a secondary.
   */
  readonly role: RegionRole;
  /** The other Region; the primary replicates the credentials secret there. */
  readonly peerRegion: string;
  /** The VPC; the cluster goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /** The Region's customer-managed key: storage, credentials and Performance Insights are encrypted with it. */
  readonly encryptionKey: kms.IKey;
  /** Security group of the tasks allowed to connect. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /**
   * Instance class of both instances (global databases need a memory-optimised class).
   *
   * @default r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * How long automated backups are kept. A cluster that an unplanned failover leaves behind keeps the writes that
   * never replicated in a system snapshot, which "is subject to the backup retention period configured on the old
   * primary cluster" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html):
   * the default is the longest retention Aurora accepts.
   *
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;
  /**
   * How long the exported PostgreSQL log is kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * One member of an Aurora PostgreSQL global database. Deploy the primary Region first: the standby's cluster
 * joins the global cluster the primary created.
 */
export class GlobalAuroraDatabase extends Construct {
  /** The Region's cluster. */
  readonly cluster: rds.DatabaseCluster;
  /**
   * The master credentials (`username`, `password` JSON fields): the secret in the primary, its replica (same
   * name) in the standby.
   */
  readonly secret: secretsmanager.ISecret;
  /** The global cluster; only the primary Region defines it. */
  readonly globalCluster?: rds.CfnGlobalCluster;
  /** Hostname of the cluster (writer) endpoint; inactive in a secondary until it is promoted. */
  readonly writerHostname: string;
  /** Hostname of the reader endpoint; in a secondary, writes sent here are forwarded to the primary. */
  readonly readerHostname: string;
  /** The PostgreSQL port. */
  readonly port: number = SHOP_POSTGRES_PORT;
  /** The database the shop's service uses inside the cluster. */
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: GlobalAuroraDatabaseProps) {
    super(scope, id);
    const { names } = props;
    const isPrimary = props.role === 'primary';
    this.databaseName = names.databaseName;

    // Created before the cluster so Aurora exports into a group whose retention we own (no log-retention Lambda).
    const logGroup = new logs.LogGroup(this, 'PostgresLog', {
      logGroupName: names.logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
    const [first, second] = names.instanceIdentifiers;
    const credentials = isPrimary
      ? rds.Credentials.fromGeneratedSecret('postgres', {
          secretName: names.secretName,
          encryptionKey: props.encryptionKey,
          // The replica uses the standby Region's aws/secretsmanager key: the standby's own key does not exist yet
          // when the primary deploys first, and a replica cannot be created with a key that does not exist.
          replicaRegions: [{ region: props.peerRegion }],
        })
      : // A secondary inherits its credentials from the global cluster; the two properties this renders are
        // deleted below. Referencing the replica keeps the construct from generating a secret of its own.
        rds.Credentials.fromPassword(
          'postgres',
          SecretValue.secretsManager(names.secretName, { jsonField: 'password' }),
        );

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Aurora cluster ${names.clusterIdentifier}`,
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(
      props.clientSecurityGroup,
      ec2.Port.tcp(SHOP_POSTGRES_PORT),
      'PostgreSQL from database clients',
    );

    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: SHOP_POSTGRES_VERSION });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier: names.clusterIdentifier,
      credentials,
      defaultDatabaseName: isPrimary ? names.databaseName : undefined,
      port: SHOP_POSTGRES_PORT,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      writer: rds.ClusterInstance.provisioned('Instance1', { instanceType, instanceIdentifier: first }),
      readers: [
        rds.ClusterInstance.provisioned('Instance2', {
          instanceType,
          instanceIdentifier: second,
          promotionTier: 1,
        }),
      ],
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: { retention: props.backupRetention ?? Duration.days(35) },
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql'],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
      copyTagsToSnapshot: true,
    });
    this.cluster.node.addDependency(logGroup);

    const cfnCluster = this.cluster.node.defaultChild as rds.CfnDBCluster;
    // Write forwarding on every member, the primary included: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
    // (EnableGlobalWriteForwarding): "For the primary DB cluster of an Aurora global database, this value is used
    // immediately if the primary is demoted by a global cluster API operation, but it does nothing until then."
    // Without it, the Region a switchover or failover demotes could not write until failback.
    cfnCluster.enableGlobalWriteForwarding = true;
    if (isPrimary) {
      this.secret = this.cluster.secret!;
      // The global cluster is created empty and the primary cluster joins it by reference, rather than the global
      // cluster being made from an existing cluster (SourceDBClusterIdentifier): "You can set this value only on
      // Aurora DB clusters that are members of an Aurora global database" (same page), and RDS refuses a new
      // cluster outside a global cluster that asks for it ("Requested global functionality, but global cluster
      // identifier is not specified", hashicorp/terraform-provider-aws#37259). AWS::RDS::GlobalCluster: "You can
      // create a global database that is initially empty, and then add a primary cluster and a secondary cluster
      // to it." Engine, version and encryption must be given here, as no source cluster supplies them.
      this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
        globalClusterIdentifier: names.globalClusterIdentifier,
        engine: engine.engineType,
        engineVersion: SHOP_POSTGRES_VERSION.auroraPostgresFullVersion,
        storageEncrypted: true,
        deletionProtection: true,
      });
      // Deletion protection alone keeps the global cluster only while nobody turns it off; retained, it also
      // outlives a deleted stack, as the cluster's snapshot and the key do.
      this.globalCluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
      cfnCluster.globalClusterIdentifier = this.globalCluster.ref;
      // The generated secret itself (the cluster's `secret` is its target attachment): without it a retained
      // snapshot could not be opened.
      (this.cluster.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(RemovalPolicy.RETAIN);
    } else {
      cfnCluster.globalClusterIdentifier = names.globalClusterIdentifier;
      // A secondary must not specify master credentials: the global cluster's apply.
      cfnCluster.addPropertyDeletionOverride('MasterUsername');
      cfnCluster.addPropertyDeletionOverride('MasterUserPassword');
      cfnCluster.addPropertyDeletionOverride('ManageMasterUserPassword');
      this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'ReplicaSecret', names.secretName);
    }
    this.writerHostname = this.cluster.clusterEndpoint.hostname;
    this.readerHostname = this.cluster.clusterReadEndpoint.hostname;

    if (isPrimary) {
      // The generated secret itself (the cluster's `secret` is its target attachment).
      Validations.of(this.cluster.node.findChild('Secret')).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotation is deliberately not scheduled yet: ECS injects the secret only when a task starts, so a rotation would break running catalog and orders tasks until replaced; rotation comes with IAM database authentication (already enabled on the cluster).',
      });
    }
  }
}
