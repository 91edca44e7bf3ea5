import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REMOVAL_FUNCTION_TIMEOUT_SECONDS } from '../../runbooks/adapters/aws/synthetic-orders-limits';
import type { PortMethod } from '../../runbooks/ports';
import { dependsOnPolicyOnly } from '../lambda-depends-on-policy';
import { lambdaVpcAccessStatement } from '../lambda-vpc-access';
import { syntheticOrdersFunctionName } from '../naming/runbook-names';
import { REMOVE_SYNTHETIC_ORDERS_HANDLER } from './runbook-code';
import { type PermissionScope, runbookPolicyStatements } from './runbook-permissions';
import { acknowledgeWildcardResources, type WildcardReasons } from './wildcard-acknowledgements';

/** Properties of {@link SyntheticOrdersRemoval}. */
export interface SyntheticOrdersRemovalProps {
  readonly appName: string;
  readonly envName: string;
  /** What the runbook of this Region acts on: the function's policy is scoped with it, narrowed to the orders database. */
  readonly permissions: PermissionScope;
  /** The orders database: its global and Regional cluster identifiers and the Secrets Manager name of its credentials. */
  readonly orders: {
    readonly globalClusterIdentifier: string;
    readonly clusterIdentifier: string;
    readonly secretName: string;
  };
  /** The runbook Lambda bundle; it exports `removeSyntheticOrdersHandler`. */
  readonly code: lambda.Code;
  /** The runbook functions' environment (`RUNBOOK_TOPOLOGY`, `RUNBOOK_BUCKET`). */
  readonly environment: Readonly<Record<string, string>>;
  readonly vpc: ec2.IVpc;
  /** The security group the Aurora clusters admit. */
  readonly databaseClientSecurityGroup: ec2.ISecurityGroup;
}

/** The port methods the function calls: where the writer is, its endpoint, the orders credentials. */
export const SYNTHETIC_ORDERS_METHODS: readonly PortMethod[] = [
  'credentials.databaseCredentials',
  'globalDatabase.describe',
  'globalDatabase.writerEndpoint',
];

/** Why each wildcard resource of the policy is needed, by pattern. */
const WILDCARD_REASONS: WildcardReasons = [
  [/^\*$/, 'The ENI actions Lambda needs to attach a function to the VPC take no resource ARN.'],
  [
    /:rds:[^:]+:[^:]+:cluster:[a-z0-9-]+-rcv-\*$/,
    "The runbooks' one scope of rds:DescribeDBClusters (read-only) also covers the recover runbook's temporary clusters, named <app>-<env>-rcv-*.",
  ],
];

/**
 * The function (named {@link syntheticOrdersFunctionName}, in the VPC, wearing the database client security group
 * like the runbook database function) that deletes a game day's synthetic orders by id from the orders database's
 * writer in this Region (runbooks/lambda/synthetic-orders-handler.ts). The game day's clean-up invokes it
 * synchronously; its role reads only where the writer is and the orders credentials. No retry of its own: it is only
 * invoked synchronously ("By default, Lambda invokes your function synchronously (i.e. the InvocationType is
 * RequestResponse)", Lambda API_Invoke) and the clean-up runs again.
 */
export class SyntheticOrdersRemoval extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SyntheticOrdersRemovalProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = `${props.appName}-${props.envName}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Deletes a ${prefix} game day's synthetic orders from the orders writer`,
    });
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        lambdaVpcAccessStatement(),
        ...runbookPolicyStatements(SYNTHETIC_ORDERS_METHODS, {
          ...props.permissions,
          globalClusterIdentifiers: [props.orders.globalClusterIdentifier],
          clusterIdentifiers: [props.orders.clusterIdentifier],
          secretNames: [props.orders.secretName],
        }),
      ],
    });
    policy.attachToRole(this.role);
    this.function = new lambda.Function(this, 'Function', {
      functionName: syntheticOrdersFunctionName(props.appName, props.envName),
      description: `${prefix} game day clean-up: delete its synthetic orders from the orders writer`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: REMOVE_SYNTHETIC_ORDERS_HANDLER,
      code: props.code,
      role: this.role,
      memorySize: 512,
      // The caller's Invoke request waits longer than this (INVOKE_REQUEST_LIMITS).
      timeout: Duration.seconds(REMOVAL_FUNCTION_TIMEOUT_SECONDS),
      environment: { ...props.environment },
      logGroup,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.databaseClientSecurityGroup],
      retryAttempts: 0,
    });
    dependsOnPolicyOnly(this.function, policy);
    acknowledgeWildcardResources(stack, [policy], WILDCARD_REASONS, 'SyntheticOrdersRemoval');
  }
}
