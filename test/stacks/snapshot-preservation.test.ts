import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { actionsFor } from '../../runbooks/adapters/aws/required-actions';
import { demoTopology } from '../../runbooks/adapters/local/demo-topology';
import { PRESERVATION_EVENT } from '../../runbooks/lambda/preserve-snapshots-handler';
import { preserveSnapshots } from '../../runbooks/orchestrations';
import type { PortMethod } from '../../runbooks/ports';
import type { RunbookStack } from '../../stacks/runbooks';
import { SnapshotPreservation } from '../../stacks/runbooks/snapshot-preservation';
import { nagCleanSuite } from './nag-findings';
import { standbyPermissionScope } from './permission-scope';
import { standaloneRunbookStack, stubRunbookCode } from './runbook-stack-fixture';

const CONTEXT = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../cdk.json'), 'utf8')).context;
const ACCOUNT = '111111111111';
const PRIMARY = 'us-east-1';
const STANDBY = 'us-west-2';

const CODE = stubRunbookCode('preserveSnapshotsHandler');

/** The runbook stack of `region`, as the regional stage builds it (the network and data parts stubbed). */
function runbookStack(region: string): RunbookStack {
  return standaloneRunbookStack(region, CODE).stack;
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

function statementsOf(template: Template, logicalIdPrefix: string): Statement[] {
  const entry = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) =>
    id.startsWith(logicalIdPrefix),
  );
  if (!entry) throw new Error(`no policy ${logicalIdPrefix}`);
  return (entry[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
    .Statement;
}

const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => [s.Action].flat()))].sort();

describe.each([PRIMARY, STANDBY])('SnapshotPreservation in the runbook stack of %s', (region) => {
  let stack: RunbookStack;
  let template: Template;
  let functionId: string;
  beforeAll(() => {
    stack = runbookStack(region);
    template = Template.fromStack(stack);
    functionId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) =>
      id.startsWith('SnapshotPreservationFunction'),
    )!;
  });

  test('a schedule runs the whole preserve-snapshots orchestration every 15 minutes', () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html: "When you set up EventBridge
    // Scheduler with Lambda, EventBridge Scheduler invokes your Lambda function asynchronously."
    // (The runbook stack has a second schedule, the scheduled readiness: test/stacks/scheduled-readiness.test.ts.)
    const invoking = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter(
      (s) => JSON.stringify(s.Properties.Target.Arn) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }),
    );
    expect(invoking).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Input: JSON.stringify(PRESERVATION_EVENT),
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SnapshotPreservationScheduleRole'), 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 2 },
      },
    });
  });

  test('the function runs the preservation handler of the runbook bundle, outside the VPC, with the runbook topology', () => {
    const fn = template.findResources('AWS::Lambda::Function')[functionId] as { Properties: Record<string, unknown> };
    expect(fn.Properties).toMatchObject({
      Handler: 'index.preserveSnapshotsHandler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
    });
    expect(fn.Properties.VpcConfig).toBeUndefined();
    const step = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('StepFunction'),
    )![1] as { Properties: { Environment: unknown } };
    expect(fn.Properties.Environment).toEqual(step.Properties.Environment);
  });

  test('a failed run is not retried by Lambda: the next scheduled run is the retry', () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html: "If the function returns an
    // error, by default Lambda attempts to run it two more times"
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
    });
  });

  test('its role grants exactly the actions of the preserve-snapshots steps: find, describe, copy, record', () => {
    const methods = new Set<PortMethod>(['journal.load', 'journal.save', 'journal.latest']);
    for (const step of preserveSnapshots.steps(stack.topology)) for (const m of step.uses) methods.add(m);
    const granted = actionsOf(statementsOf(template, 'SnapshotPreservationPolicy'));
    expect(granted).toEqual([...actionsFor(methods), 'logs:CreateLogStream', 'logs:PutLogEvents'].sort());
    expect(granted).toEqual([
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'rds:AddTagsToResource',
      'rds:CopyDBClusterSnapshot',
      'rds:DescribeDBClusterSnapshots',
      'rds:DescribeDBClusters',
      'rds:DescribeGlobalClusters',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
    ]);
  });

  test("the copy is allowed only from the other Region's unplanned-failover snapshots to this Region's recovery copies", () => {
    const peer = region === PRIMARY ? STANDBY : PRIMARY;
    const copy = statementsOf(template, 'SnapshotPreservationPolicy').find((s) =>
      [s.Action].flat().includes('rds:CopyDBClusterSnapshot'),
    )!;
    const arn = (r: string, name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${r}:${ACCOUNT}:cluster-snapshot:${name}`]],
    });
    const resources = stack.resolve(copy.Resource) as unknown[];
    const expected = [
      arn(peer, 'rds:unplanned-global-failover-shop-dev-catalog-*'),
      arn(peer, 'rds:unplanned-global-failover-shop-dev-orders-*'),
      arn(region, 'shop-dev-rcv-*'),
    ];
    expect(resources).toHaveLength(expected.length);
    expect(resources).toEqual(expect.arrayContaining(expected));
  });

  test("the schedule role may only invoke the preservation function, and only schedules of this account's default group assume it", () => {
    const invoke = statementsOf(template, 'SnapshotPreservationScheduleRoleDefaultPolicy');
    expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
    expect(invoke.flatMap((s) => [s.Resource].flat())).toEqual([
      { 'Fn::GetAtt': [functionId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [functionId, 'Arn'] }, ':*']] },
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': ACCOUNT,
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, `:scheduler:${region}:${ACCOUNT}:schedule-group/default`],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });
});

describe('SnapshotPreservation period', () => {
  const preservation = (period?: Duration) => {
    const app = new App({ context: CONTEXT });
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: STANDBY } });
    const topology = demoTopology(PRIMARY, STANDBY);
    // Not an object literal: the scope may carry fields other runbook functions need (ECS names for fencing).
    const permissions = standbyPermissionScope(stack, {
      globalClusterIdentifiers: ['shop-dev-catalog', 'shop-dev-orders'],
      clusterIdentifiers: ['shop-dev-catalog', 'shop-dev-orders'],
      routingParameterName: '/shop/dev/arc-routing',
    });
    new SnapshotPreservation(stack, 'SnapshotPreservation', {
      topology,
      code: CODE(),
      environment: { RUNBOOK_TOPOLOGY: JSON.stringify(topology), RUNBOOK_BUCKET: 'bucket' },
      permissions,
      ...(period ? { period } : {}),
    });
    return Template.fromStack(stack);
  };

  test('can be set in whole minutes', () => {
    preservation(Duration.minutes(30)).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 minutes)',
      Target: { RetryPolicy: { MaximumEventAgeInSeconds: 1800 } },
    });
  });

  test.each([Duration.seconds(90), Duration.minutes(0), Duration.days(2)])('refuses %s', (period) => {
    expect(() => preservation(period)).toThrow(
      `period: ${period.toHumanString()} is not accepted; accepted: whole minutes from 1 minute to 1 day (the system snapshot lasts as long as the backup retention, at least a day)`,
    );
  });
});

nagCleanSuite('SnapshotPreservation', () => runbookStack(STANDBY));
