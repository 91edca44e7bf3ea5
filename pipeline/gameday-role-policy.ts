import { ArnFormat, type Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RunbookAction } from '../.github/actions/failover/automation-document-name';
import type { ShopConfig } from '../config';
import { FAULT_INJECTION_ACTIONS } from '../runbooks/adapters/aws/fis';
import { REPORT_BUCKETS_ACTIONS } from '../runbooks/adapters/aws/gameday-buckets';
import { REGION_FACTS_ACTIONS } from '../runbooks/adapters/aws/gameday-region-facts';
import { SYNTHETIC_ORDERS_ACTIONS } from '../runbooks/adapters/aws/gameday-synthetic-orders';
import { SHOPPER_SCHEDULE_ACTIONS } from '../runbooks/adapters/aws/scheduler';
import { gameDayNames } from '../stacks/naming/gameday-names';
import { syntheticOrdersFunctionName } from '../stacks/naming/runbook-names';
import { syntheticShopperSecretName } from '../stacks/naming/secret-names';
import { stackNames } from '../stacks/naming/stack-names';

/**
 * The runbook documents a game day starts (review 16d G10): readiness (preflight), failover and recover. Never
 * switchover or failback: the game-day role is trusted from an Environment without reviewers, so what it may start,
 * any job on the deploy branch naming that Environment may start; those stay behind the failover Environment.
 */
export const GAMEDAY_RUNBOOKS = ['readiness', 'failover', 'recover'] as const satisfies readonly RunbookAction[];

const unique = (actions: readonly string[]) => [...new Set(actions)].sort();
const all = (table: Readonly<Record<string, readonly string[]>>, prefix: string) =>
  unique(Object.values(table).flatMap((actions) => actions.filter((action) => action.startsWith(prefix))));

/**
 * What the game-day role may do besides starting and following the runbooks (the failover permissions it shares):
 * the actions of the game-day AWS adapters (`requiredActions` of runbooks/adapters/aws/{fis,scheduler,gameday-buckets,
 * gameday-region-facts,gameday-synthetic-orders}.ts, so a call added there is granted here), scoped to the game
 * day's resources of both Regions where IAM allows it.
 *
 * Unverified (no AWS here): that FIS StartExperiment is authorized on both the template and the new experiment (the
 * statements grant both); that the report bucket's generated name starts with its stack's name (CloudFormation names
 * an unnamed bucket `<stack name>-<logical id>-<random>`, lower case); that the synthetic shopper's secret and the
 * report buckets are encrypted with keys whose policy lets the account's principals use them through S3.
 */
export function gameDayStatements(stack: Stack, config: ShopConfig): iam.PolicyStatement[] {
  const regions = [config.primaryRegion, config.standbyRegion];
  const { appName, envName } = config;
  const names = (region: string) => gameDayNames(appName, envName, region);
  const stacks = stackNames(appName, envName);
  const arn = (service: string, region: string, resource: string, resourceName: string) =>
    stack.formatArn({ service, region, resource, resourceName });
  const reportBuckets = regions.map((region) => `arn:${stack.partition}:s3:::${stacks.runbooks(region)}-*`);
  return [
    new iam.PolicyStatement({
      sid: 'GameDayFindsExperimentTemplates',
      // ListExperimentTemplates has no resource-level permission.
      actions: [...FAULT_INJECTION_ACTIONS.findTemplate],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'GameDayStartsItsOwnExperimentTemplates',
      actions: ['fis:StartExperiment'],
      resources: regions.map((region) => arn('fis', region, 'experiment-template', '*')),
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${names(config.primaryRegion).tag.key}`]: names(config.primaryRegion).tag.value,
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'GameDayRunsExperiments',
      actions: unique([
        ...FAULT_INJECTION_ACTIONS.start,
        ...FAULT_INJECTION_ACTIONS.get,
        ...FAULT_INJECTION_ACTIONS.stop,
      ]),
      resources: regions.map((region) => arn('fis', region, 'experiment', '*')),
    }),
    new iam.PolicyStatement({
      sid: 'GameDayEnablesShopperSchedules',
      actions: all(SHOPPER_SCHEDULE_ACTIONS, 'scheduler:'),
      resources: regions.map((region) =>
        arn('scheduler', region, 'schedule', `default/${names(region).shopperSchedule}`),
      ),
    }),
    new iam.PolicyStatement({
      sid: 'GameDayPassesShopperScheduleRole',
      // UpdateSchedule sends the schedule's whole target, its role included.
      actions: all(SHOPPER_SCHEDULE_ACTIONS, 'iam:'),
      resources: regions.map((region) =>
        stack.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: names(region).shopperScheduleRole,
        }),
      ),
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'GameDayReadsAndWritesReportBuckets',
      actions: all(REPORT_BUCKETS_ACTIONS, 's3:').filter((action) => action !== 's3:ListBucket'),
      resources: reportBuckets.map((bucket) => `${bucket}/*`),
    }),
    new iam.PolicyStatement({
      sid: 'GameDayListsReportBuckets',
      actions: ['s3:ListBucket'],
      resources: reportBuckets,
    }),
    new iam.PolicyStatement({
      sid: 'GameDayUsesReportBucketKeysThroughS3',
      actions: all(REPORT_BUCKETS_ACTIONS, 'kms:'),
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': regions.map((region) => `s3.${region}.amazonaws.com`) } },
    }),
    new iam.PolicyStatement({
      sid: 'GameDayReadsRegionFacts',
      // RDS account attributes and CloudWatch GetMetricData have no resource-level permission; the snapshot and
      // cluster reads are read-only across the account's clusters.
      actions: all(REGION_FACTS_ACTIONS, ''),
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'GameDayReadsStackOutputs',
      // gameday-ports.ts: the report bucket (runbooks stack) and the load balancer (services stack) of each Region.
      actions: ['cloudformation:DescribeStacks'],
      resources: regions.flatMap((region) =>
        [stacks.runbooks(region), stacks.services(region)].map((name) =>
          arn('cloudformation', region, 'stack', `${name}/*`),
        ),
      ),
    }),
    new iam.PolicyStatement({
      sid: 'GameDayRemovesSyntheticOrders',
      // gameday-synthetic-orders.ts: clean-up invokes the runbook function that deletes the game day's synthetic
      // orders from the orders writer, in either Region (the writer's), and no other function.
      actions: all(SYNTHETIC_ORDERS_ACTIONS, 'lambda:'),
      resources: regions.map((region) =>
        stack.formatArn({
          service: 'lambda',
          region,
          resource: 'function',
          resourceName: syntheticOrdersFunctionName(appName, envName),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    }),
    new iam.PolicyStatement({
      sid: 'GameDayReadsSyntheticShopperToken',
      // gameday-ports.ts: orders are read through the ui as their synthetic customer, with this token.
      actions: ['secretsmanager:GetSecretValue'],
      resources: regions.map((region) =>
        arn('secretsmanager', region, 'secret', `${syntheticShopperSecretName(appName, envName)}-??????`),
      ),
    }),
  ];
}

/** cdk-nag acknowledgments of {@link gameDayStatements}' wildcards, each with its reason. */
export function acknowledgeGameDayWildcards(scope: Construct, stack: Stack, config: ShopConfig): void {
  const regions = [config.primaryRegion, config.standbyRegion];
  const stacks = stackNames(config.appName, config.envName);
  const account = stack.account;
  const acknowledge = (resource: string, reason: string) =>
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  acknowledge(
    '*',
    'fis:ListExperimentTemplates, rds:DescribeAccountAttributes and cloudwatch:GetMetricData have no resource-level permissions; RDS describe calls are read-only; KMS use is limited to S3 in the two Regions (kms:ViaService).',
  );
  for (const region of regions) {
    acknowledge(
      `arn:<AWS::Partition>:fis:${region}:${account}:experiment-template/*`,
      'StartExperiment only on templates tagged gameday=<app>-<env> (aws:ResourceTag condition).',
    );
    acknowledge(
      `arn:<AWS::Partition>:fis:${region}:${account}:experiment/*`,
      'An experiment gets its id when it starts: the game day starts, reads and stops its own.',
    );
    acknowledge(
      `arn:<AWS::Partition>:s3:::${stacks.runbooks(region)}-*`,
      'The report bucket has a generated name that starts with its stack name.',
    );
    acknowledge(
      `arn:<AWS::Partition>:s3:::${stacks.runbooks(region)}-*/*`,
      'The game-day record, acknowledgments, recover reports and evidence pack in the report bucket.',
    );
    for (const name of [stacks.runbooks(region), stacks.services(region)]) {
      acknowledge(
        `arn:<AWS::Partition>:cloudformation:${region}:${account}:stack/${name}/*`,
        'A CloudFormation stack ARN ends in an id assigned at creation (read-only DescribeStacks of one named stack).',
      );
    }
    acknowledge(
      `arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${syntheticShopperSecretName(config.appName, config.envName)}-??????`,
      'A Secrets Manager ARN ends in 6 random characters: this covers only the synthetic shopper token.',
    );
  }
}
