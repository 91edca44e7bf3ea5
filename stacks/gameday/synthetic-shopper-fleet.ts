import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { dependsOnPolicyOnly } from '../lambda-depends-on-policy';
import { lambdaVpcAccessStatement } from '../lambda-vpc-access';
import { GAMEDAY_KEYS, gameDayNames } from '../naming/gameday-names';
import { syntheticShopperSecretName } from '../naming/secret-names';
import { acknowledgeWildcardResources, type WildcardReasons } from '../runbooks/wildcard-acknowledgements';
import { schedulerRole } from '../scheduler-role';
import { SHOPPER_HANDLER, shopperCode } from './shopper-code';

/**
 * The environment variables the shopper handler (`runbooks/gameday/shopper-handler.ts`) reads: the contract between
 * this construct and the handler.
 */
export const SHOPPER_ENVIRONMENT = {
  /** The shop's public URL (the global name), e.g. `https://www.shop.example.com`. */
  publicUrl: 'SHOP_PUBLIC_URL',
  /** This Region's load balancer URL, e.g. `http://<alb dns name>`. */
  regionalUrl: 'SHOP_REGIONAL_URL',
  /** The report bucket of the OTHER Region, where the acknowledgments go (`gamedays/<id>/acks/<region>/...`). */
  ackBucket: 'ACK_BUCKET',
  /** The Region of {@link SHOPPER_ENVIRONMENT.ackBucket}. */
  ackBucketRegion: 'ACK_BUCKET_REGION',
  /**
   * This Region's own report bucket: where an acknowledgment the OTHER Region gave (through the public name) goes, so
   * that every acknowledgment is kept by the Region that did not give it (contract section 1).
   */
  ownReportBucket: 'OWN_REPORT_BUCKET',
  /** The name of the synthetic shopper token secret (read at each invocation, as the canaries do). */
  shopperSecretId: 'SYNTHETIC_SHOPPER_SECRET_ID',
  /** How many orders one invocation (one a minute) places. */
  ratePerMinute: 'SHOPPER_RATE_PER_MINUTE',
} as const;

/** Properties of {@link SyntheticShopperFleet}. */
export interface SyntheticShopperFleetProps {
  readonly appName: string;
  readonly envName: string;
  /** The other Region: its report bucket receives this Region's acknowledgments. */
  readonly peerRegion: string;
  /** The name of the other Region's report bucket. */
  readonly peerReportBucketName: string;
  /** The name of this Region's report bucket: it keeps the acknowledgments the other Region gave. */
  readonly ownReportBucketName: string;
  /** The shop's public URL. */
  readonly publicUrl: string;
  /** This Region's load balancer URL. */
  readonly regionalUrl: string;
  /** Orders per minute while the schedule is enabled. */
  readonly ratePerMinute: number;
  /**
   * The VPC to run in, when the load balancer is internal (it answers its own VPC only).
   *
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The handler module to bundle (tests pass another one).
   *
   * @default runbooks/gameday/shopper-handler.ts
   */
  readonly entry?: string;
}

/** Why each wildcard resource of the shopper's policy is needed (cdk-nag AwsSolutions-IAM5). */
const SHOPPER_WILDCARDS: WildcardReasons = [
  [
    /\/gamedays\/\*\/acks\/\*$/,
    "The shopper writes one new object per invocation under gamedays/<game day>/acks/<Region>/ of a Region's report bucket (the other Region's for this Region's acknowledgments, its own for the other Region's); the game day and invocation ids are not known before.",
  ],
  [
    /:key\/\*$/,
    "Each Region's report key is created by that Region's runbook stack; each statement is limited to the key with the report alias, through S3 of that Region.",
  ],
  [
    /:secret:.+-\?\?\?\?\?\?$/,
    'Secrets Manager appends six random characters to a secret ARN; the statement names the synthetic shopper secret.',
  ],
  [
    /^\*$/,
    'Lambda needs these network-interface calls to attach a function to the VPC; they take no resource-level permission (the managed AWSLambdaVPCAccessExecutionRole grants the same).',
  ],
];

/**
 * The synthetic shopper of one Region for game days: a Lambda function on an EventBridge Scheduler schedule that is
 * created DISABLED (the game day's start-traffic phase enables it, clean-up disables it again). Each invocation
 * places orders through the public name and this Region's load balancer and writes what was acknowledged to the
 * report bucket of the Region that did NOT acknowledge it (the other Region's for this Region's answers, this Region's
 * own for the other Region's), under `gamedays/<id>/acks/` only: the ground truth survives the loss of the Region
 * that gave it.
 */
export class SyntheticShopperFleet extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: SyntheticShopperFleetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = gameDayNames(props.appName, props.envName, stack.region);
    const prefix = `${props.appName}-${props.envName}`;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      // Named: the other Region's report bucket policy admits this role by name (a reference cannot cross Regions).
      roleName: names.shopperRole,
      description: `The ${prefix} synthetic shopper of ${stack.region} (game days)`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const secretName = syntheticShopperSecretName(props.appName, props.envName);
    const statements = [
      new iam.PolicyStatement({
        sid: 'Logs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteAcknowledgmentsToTheOtherRegion',
        actions: ['s3:PutObject'],
        resources: [`arn:${stack.partition}:s3:::${props.peerReportBucketName}/${GAMEDAY_KEYS.acks}`],
      }),
      encryptWithReportKeyOf(stack, 'EncryptWithTheOtherRegionsReportKey', props.peerRegion, prefix),
      new iam.PolicyStatement({
        // Contract section 1: an acknowledgment is kept by the Region that did NOT give it. One the other Region gave
        // (through the public name) goes to this Region's own bucket, under gamedays/*/acks/* only.
        sid: 'WriteTheOtherRegionsAcknowledgmentsHere',
        actions: ['s3:PutObject'],
        resources: [`arn:${stack.partition}:s3:::${props.ownReportBucketName}/${GAMEDAY_KEYS.acks}`],
      }),
      encryptWithReportKeyOf(stack, 'EncryptWithThisRegionsReportKey', stack.region, prefix),
      new iam.PolicyStatement({
        sid: 'ReadSyntheticShopperToken',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${secretName}-??????`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    ];
    let securityGroup: ec2.SecurityGroup | undefined;
    if (props.vpc) {
      securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `${prefix} synthetic shopper: outbound to the load balancer, S3 and Secrets Manager`,
        allowAllOutbound: true,
      });
      statements.push(lambdaVpcAccessStatement('AttachToVpc'));
    }
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);
    acknowledgeWildcardResources(stack, [policy], SHOPPER_WILDCARDS, 'SyntheticShopperFleet');

    this.function = new lambda.Function(this, 'Function', {
      functionName: names.shopperFunction,
      description: `${prefix} synthetic shopper (game days): places orders, records their acknowledgments in ${props.peerRegion}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: SHOPPER_HANDLER,
      code: shopperCode(props.entry),
      role: this.role,
      memorySize: 256,
      // One invocation a minute places ratePerMinute orders: it must end before the next one starts.
      timeout: Duration.seconds(55),
      // No reserved concurrency: Lambda keeps a minimum of the account's concurrency unreserved, and a new account's
      // low quota may leave none to reserve; the 55 s timeout already ends an invocation before the next one starts.
      logGroup,
      environment: {
        [SHOPPER_ENVIRONMENT.publicUrl]: props.publicUrl,
        [SHOPPER_ENVIRONMENT.regionalUrl]: props.regionalUrl,
        [SHOPPER_ENVIRONMENT.ackBucket]: props.peerReportBucketName,
        [SHOPPER_ENVIRONMENT.ackBucketRegion]: props.peerRegion,
        [SHOPPER_ENVIRONMENT.ownReportBucket]: props.ownReportBucketName,
        [SHOPPER_ENVIRONMENT.shopperSecretId]: secretName,
        [SHOPPER_ENVIRONMENT.ratePerMinute]: String(props.ratePerMinute),
      },
      vpc: props.vpc,
      vpcSubnets: props.vpc ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined,
      securityGroups: securityGroup ? [securityGroup] : undefined,
    });
    dependsOnPolicyOnly(this.function, policy);

    const scheduleRole = schedulerRole(this, 'ScheduleRole', {
      roleName: names.shopperScheduleRole,
      description: `EventBridge Scheduler invokes the ${prefix} synthetic shopper of ${stack.region} with this role`,
    });
    scheduleRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: names.shopperSchedule,
      description: `${prefix} synthetic shopper of ${stack.region}: ${props.ratePerMinute} orders a minute while a game day runs`,
      // AWS::Scheduler::Schedule State, ENABLED or DISABLED. Created DISABLED: shoppers run only between a game
      // day's start-traffic and clean-up.
      state: 'DISABLED',
      // A rate expression counts whole minutes at the finest (EventBridge Scheduler User Guide, rate-based
      // schedules): one invocation a minute places ratePerMinute orders.
      scheduleExpression: 'rate(1 minute)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.function.functionArn,
        roleArn: scheduleRole.roleArn,
        // The start-traffic phase replaces it with the game day's id.
        input: JSON.stringify({ gameDayId: '' }),
        // A minute the shopper missed stays missed: the ledger records what was acknowledged, not what was planned.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
  }
}

/**
 * kms:GenerateDataKey on a Region's report key, for PutObject into that Region's report bucket (SSE-KMS by the bucket's
 * default). S3 User Guide (SSE-KMS): "To upload or download an object encrypted with an AWS KMS key to or from Amazon
 * S3, you need kms:GenerateDataKey and kms:Decrypt permissions on the key." The shopper only uploads single objects;
 * that GenerateDataKey alone suffices for that is unverified. The key is selected by its alias (kms:ResourceAliases)
 * and used through S3 of that Region only (kms:ViaService): no cross-Region reference.
 */
function encryptWithReportKeyOf(stack: Stack, sid: string, region: string, prefix: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['kms:GenerateDataKey'],
    resources: [stack.formatArn({ service: 'kms', region, resource: 'key', resourceName: '*' })],
    conditions: {
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/${prefix}/runbook-reports` },
      StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
    },
  });
}
