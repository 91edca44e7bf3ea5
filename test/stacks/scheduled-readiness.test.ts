import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { actionsFor } from '../../runbooks/adapters/aws/required-actions';
import { demoTopology } from '../../runbooks/adapters/local/demo-topology';
import { READINESS_EVENT, scheduledReadinessMethods } from '../../runbooks/lambda/readiness-handler';
import { READINESS_METRICS } from '../../runbooks/readiness/readiness-metrics';
import { DEFAULT_READINESS_SETTINGS, parseTopology, type Topology } from '../../runbooks/topology';
import { alarmNames } from '../../stacks/naming/alarm-names';
import type { RunbookStack } from '../../stacks/runbooks';
import { ScheduledReadiness } from '../../stacks/runbooks/scheduled-readiness';
import { SHOP_SERVICES } from '../../stacks/services/shop-services';
import { nagCleanSuite } from './nag-findings';
import { standbyPermissionScope } from './permission-scope';
import { standaloneRunbookStack, stubRunbookCode } from './runbook-stack-fixture';

const CONTEXT = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../cdk.json'), 'utf8')).context;
const ACCOUNT = '111111111111';
const PRIMARY = 'us-east-1';
const STANDBY = 'us-west-2';

const CODE = stubRunbookCode('readinessHandler');

/** The runbook stack of `region`, as the regional stage builds it (the network and data parts stubbed). */
function runbookStack(region: string, extra: Partial<ConstructorParameters<typeof RunbookStack>[2]> = {}) {
  return standaloneRunbookStack(region, CODE, extra).stack;
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

/** The topology the functions receive, as the stack resolves it (tokens left as they are). */
function topologyOf(template: Template, functionId: string): Topology {
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as {
    Properties: { Environment: { Variables: { RUNBOOK_TOPOLOGY: unknown } } };
  };
  const value = fn.Properties.Environment.Variables.RUNBOOK_TOPOLOGY;
  // The topology is a Fn::Join of literal text and tokens (the bucket, key and security group): stitch the literal
  // parts with a placeholder for each token, which is enough to read the fields these tests look at.
  const text =
    typeof value === 'string'
      ? value
      : ((value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1] as unknown[])
          .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
          .join('');
  return JSON.parse(text) as Topology;
}

describe.each([PRIMARY, STANDBY])('ScheduledReadiness in the runbook stack of %s', (region) => {
  const peer = region === PRIMARY ? STANDBY : PRIMARY;
  let stack: RunbookStack;
  let template: Template;
  let functionId: string;
  beforeAll(() => {
    stack = runbookStack(region);
    template = Template.fromStack(stack);
    functionId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) =>
      id.startsWith('ScheduledReadinessFunction'),
    )!;
  });

  test('a schedule runs every readiness check every 30 minutes by default', () => {
    // EventBridge Scheduler User Guide, "Schedule types": a rate expression is "rate(value unit)", the value "A positive
    // number", the unit "minutes | hours | days".
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Input: JSON.stringify(READINESS_EVENT),
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ScheduledReadinessScheduleRole'), 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 1800, MaximumRetryAttempts: 2 },
      },
    });
  });

  test('the function runs the readiness handler of the runbook bundle in the VPC, with the runbook topology, never longer than the shortest schedule', () => {
    const fn = template.findResources('AWS::Lambda::Function')[functionId] as { Properties: Record<string, unknown> };
    expect(fn.Properties).toMatchObject({
      Handler: 'index.readinessHandler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
    });
    // The health URLs of an internal load balancer answer only inside the VPC.
    expect(fn.Properties.VpcConfig).toMatchObject({
      SecurityGroupIds: [stack.resolve(stack.scheduledReadiness.securityGroup.securityGroupId)],
    });
    const step = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('StepFunction'),
    )![1] as { Properties: { Environment: unknown } };
    expect(fn.Properties.Environment).toEqual(step.Properties.Environment);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 1800,
    });
  });

  test("the topology lists the other Region's services, both Regions' canary and readiness alarms, and the readiness settings", () => {
    const topology = topologyOf(template, functionId);
    for (const r of [region, peer]) {
      const names = alarmNames('shop', 'dev', r);
      expect(topology.regions[r]).toMatchObject({
        ecsClusterName: 'shop-dev',
        services: [...SHOP_SERVICES],
        canaryAlarmNames: [names.canaryLocal, names.canaryGlobal],
        readinessAlarmName: names.readiness,
      });
    }
    expect(topology.readiness).toEqual({
      ...DEFAULT_READINESS_SETTINGS,
      tables: ['shop-dev-carts', 'shop-dev-checkout'],
    });
    // AND the runbooks accept it
    expect(() => parseTopology(topology, 'template')).not.toThrow();
  });

  test('its role grants what the checks declare, the peak read and the record writes, and PutMetricData in the readiness namespace only', () => {
    const statements = statementsOf(template, 'ScheduledReadinessPolicy');
    expect(actionsOf(statements)).toEqual(
      [
        ...new Set([
          // (routing mode arc-cluster: the Region switch port has no plan to act on, so its methods get nothing)
          ...actionsFor(scheduledReadinessMethods().filter((m) => !m.startsWith('regionSwitch.'))),
          'cloudwatch:PutMetricData',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ]),
      ].sort(),
    );
    // CloudWatch User Guide, "Using condition keys to limit access to CloudWatch namespaces": "The following policy
    // limits the user to publishing metrics only in the namespace named MyCustomNamespace" (Resource "*",
    // StringEquals cloudwatch:namespace).
    expect(statements.filter((s) => [s.Action].flat().includes('cloudwatch:PutMetricData'))).toEqual([
      {
        Action: 'cloudwatch:PutMetricData',
        Effect: 'Allow',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': READINESS_METRICS.namespace } },
      },
    ]);
  });

  test("release awareness: the topology names each Region's services stack deployed-commit parameter, and the role may read exactly those two (in their Regions) besides the routing parameter", () => {
    // The parameter stacks/deployed-commit.ts writes on every deploy of the services stack (`/<stack name>/deployed-commit`).
    const topology = topologyOf(template, functionId);
    for (const r of [region, peer]) {
      expect(topology.regions[r]!.deployedCommitParameterName).toBe(`/shop-dev-${r}-services/deployed-commit`);
    }
    expect(topology.readiness.releaseGraceMinutes).toBe(100);
    const reads = statementsOf(template, 'ScheduledReadinessPolicy').filter((s) =>
      [s.Action].flat().includes('ssm:GetParameter'),
    );
    expect(reads.map((s) => [s.Action].flat())).toEqual([['ssm:GetParameter']]);
    const arn = (r: string, name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${r}:${ACCOUNT}:parameter/${name}`]],
    });
    // routing-configuration reads the routing parameter of this Region (the routing port's grant).
    expect(new Set([stack.resolve(reads[0]!.Resource)].flat())).toEqual(
      new Set([
        arn(region, 'shop/dev/arc-routing'),
        ...[region, peer].map((r) => arn(r, `shop-dev-${r}-services/deployed-commit`)),
      ]),
    );
  });

  test('the records are written under readiness/ of the report bucket, and nowhere else', () => {
    const puts = statementsOf(template, 'ScheduledReadinessPolicy').filter((s) =>
      [s.Action].flat().includes('s3:PutObject'),
    );
    expect(puts.flatMap((s) => [s.Resource].flat())).toEqual([
      { 'Fn::Join': ['', [stack.resolve(stack.reports.bucket.bucketArn), '/readiness/*']] },
    ]);
  });

  test('the alarm: overall CheckGreen below 1 over twice the schedule, missing data breaching, named as the topology says', () => {
    const topology = topologyOf(template, functionId);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: topology.regions[region]!.readinessAlarmName,
      Namespace: READINESS_METRICS.namespace,
      MetricName: READINESS_METRICS.metricName,
      Dimensions: [
        { Name: 'App', Value: 'shop' },
        { Name: 'Check', Value: 'overall' },
        { Name: 'Env', Value: 'dev' },
      ],
      Statistic: 'Minimum',
      // PutMetricAlarm: "Valid values are 10, 20, 30, and any multiple of 60."
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      // CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data": "breaching – Missing data
      // points are treated as "bad" and breaching the threshold".
      TreatMissingData: 'breaching',
    });
    expect(topology.regions[region]!.readinessAlarmName).toBe(`shop-dev-${region}-readiness`);
    // AND its window slides (the default when EvaluationWindow is not set: CloudWatch User Guide, "Alarm evaluation
    // window"): a window aligned to clock boundaries would start each period empty, which counts as breaching here.
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarm!.Properties.EvaluationWindow).toBeUndefined();
  });

  test("the schedule role may only invoke the readiness function, and only schedules of this account's default group assume it", () => {
    const invoke = statementsOf(template, 'ScheduledReadinessScheduleRoleDefaultPolicy');
    expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
    expect(invoke.flatMap((s) => [s.Resource].flat())).toEqual([
      { 'Fn::GetAtt': [functionId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [functionId, 'Arn'] }, ':*']] },
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
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
          }),
        ],
      },
    });
  });
});

describe('ScheduledReadiness settings from the configuration', () => {
  test.each([
    [5, 'rate(5 minutes)', 600],
    [60, 'rate(1 hour)', 7200],
    [720, 'rate(12 hours)', 86400],
  ])('every %i minutes: %s, the alarm over %i s', (minutes, expression, alarmPeriod) => {
    const template = Template.fromStack(runbookStack(STANDBY, { readinessSchedule: Duration.minutes(minutes) }));
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: expression });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `shop-dev-${STANDBY}-readiness`,
      Period: alarmPeriod,
    });
  });

  test('the readiness settings and the baseline minimum reach the topology', () => {
    const template = Template.fromStack(
      runbookStack(PRIMARY, {
        readiness: {
          peakSharePercent: 80,
          scaleUpBudgetSeconds: 60,
          failbackHealthyMinutes: 15,
          releaseGraceMinutes: 45,
        },
        baselineMinimumTasks: 2,
      }),
    );
    const functionId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) =>
      id.startsWith('ScheduledReadinessFunction'),
    )!;
    const topology = topologyOf(template, functionId);
    expect(topology.readiness).toMatchObject({
      peakSharePercent: 80,
      scaleUpBudgetSeconds: 60,
      failbackHealthyMinutes: 15,
      releaseGraceMinutes: 45,
    });
    expect(topology.regions[PRIMARY]!.baselineMinimumTasks).toBe(2);
    expect(topology.regions[STANDBY]!.baselineMinimumTasks).toBe(2);
  });
});

describe('ScheduledReadiness refuses', () => {
  const readiness = (options: { schedule?: Duration; topology?: Topology } = {}) => {
    const app = new App({ context: CONTEXT });
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: STANDBY } });
    const topology = options.topology ?? demoTopology(PRIMARY, STANDBY);
    new ScheduledReadiness(stack, 'ScheduledReadiness', {
      topology,
      code: CODE(),
      environment: { RUNBOOK_TOPOLOGY: JSON.stringify(topology), RUNBOOK_BUCKET: 'bucket' },
      vpc: new ec2.Vpc(stack, 'Vpc', { availabilityZones: [`${STANDBY}a`, `${STANDBY}b`] }),
      permissions: standbyPermissionScope(stack, {
        globalClusterIdentifiers: ['shop-dev-catalog'],
        clusterIdentifiers: ['shop-dev-catalog'],
        routingParameterName: '/shop/dev/arc-routing',
      }),
      ...(options.schedule ? { schedule: options.schedule } : {}),
    });
    return Template.fromStack(stack);
  };

  test.each([Duration.minutes(4), Duration.seconds(450), Duration.minutes(721), Duration.days(1)])(
    'a schedule of %s',
    (schedule) => {
      expect(() => readiness({ schedule })).toThrow(
        `schedule: ${schedule.toHumanString()} is not accepted; accepted: whole minutes from 5 to 720 (the alarm's period is twice the schedule, at most a day)`,
      );
    },
  );

  test('a topology without the readiness alarm of its Region', () => {
    const topology = demoTopology(PRIMARY, STANDBY);
    const { readinessAlarmName: _, ...standby } = topology.regions[STANDBY]!;
    expect(() =>
      readiness({ topology: { ...topology, regions: { ...topology.regions, [STANDBY]: standby } } }),
    ).toThrow(
      `topology.regions.${STANDBY}.readinessAlarmName: missing; accepted: the name of the alarm the scheduled readiness raises in ${STANDBY} (a failback reads it)`,
    );
  });

  // A check with nothing configured to judge says GREEN with a "not checked" note (the drill and the simulations run
  // such topologies on purpose). Deployed, that would be GREEN forever about something nobody checks: a runbook
  // stack built without its health URLs, ECS cluster or services, canary alarms or global tables stops at synth.
  test.each<[string, string, Partial<Topology['regions'][string]>, string]>([
    ['healthUrls', STANDBY, { healthUrls: [] }, 'services-healthy'],
    [
      'ecsClusterName',
      PRIMARY,
      { ecsClusterName: undefined },
      'capacity, image-parity, task-settings-parity and capacity-headroom',
    ],
    [
      'services',
      PRIMARY,
      { services: [], writerServices: [] },
      'capacity, image-parity, task-settings-parity and capacity-headroom',
    ],
    ['canaryAlarmNames', PRIMARY, { canaryAlarmNames: [] }, 'canaries-green'],
  ])('a topology whose %s of %s is empty', (field, region, change, checks) => {
    const topology = demoTopology(PRIMARY, STANDBY);
    const changed = { ...topology.regions[region]!, ...change };
    expect(() => readiness({ topology: { ...topology, regions: { ...topology.regions, [region]: changed } } })).toThrow(
      `topology.regions.${region}.${field}: ${JSON.stringify((change as Record<string, unknown>)[field] ?? null)} leaves ${checks} nothing to judge (they would be GREEN without checking); accepted: ${field === 'healthUrls' ? `the health URLs of ${region}` : field === 'canaryAlarmNames' ? `the canary alarms of ${region}` : field === 'ecsClusterName' ? `the ECS cluster of ${region}` : `the ECS services of ${region}`}`,
    );
  });

  test('a topology without DynamoDB global tables', () => {
    const topology = demoTopology(PRIMARY, STANDBY);
    expect(() => readiness({ topology: { ...topology, readiness: { ...topology.readiness, tables: [] } } })).toThrow(
      'topology.readiness.tables: [] leaves table-replication nothing to judge (they would be GREEN without checking); accepted: the DynamoDB global tables of the shop',
    );
  });

  test('a permission scope without the deployed-commit parameters the parity checks read (no unscoped ssm:GetParameter)', () => {
    expect(() => readiness()).toThrow(
      'runbook permissions: deployedCommitParameters: undefined names no parameter; accepted: the deployed-commit SSM parameter of each Region (facts.deployedCommit reads them)',
    );
  });
});

nagCleanSuite('ScheduledReadiness', () => runbookStack(STANDBY));
