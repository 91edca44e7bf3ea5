import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  bundleShopperHandler,
  GAMEDAY_EXPERIMENT_TAG,
  GameDayExperiments,
  type GameDayExperimentsProps,
  gameDayNames,
  SHOPPER_ENVIRONMENT,
  SyntheticShopperFleet,
} from '../../stacks';
import { jsonDifferences } from '../support/json-differences';
import { buildShopApp, ROLES, removeShopApp, type ShopApp, templateOf } from './shop-app';

// Issue 16: the game-day resources of each Region. Everything here exists only when config gameDays.enabled is true.

const REGION = { primary: 'us-east-1', standby: 'us-west-2' } as const;
const PEER = { primary: 'us-west-2', standby: 'us-east-1' } as const;

let shop: ShopApp;
let plain: ShopApp;
beforeAll(() => {
  shop = buildShopApp({ gameDays: { enabled: true } });
  plain = buildShopApp();
});
afterAll(() => {
  removeShopApp(shop);
  removeShopApp(plain);
});

/** A value of a synthesized template, as JSON.parse gives it. */
type CfnJson = ReturnType<typeof JSON.parse>;
type Resource = { Type: string; Properties: Record<string, CfnJson>; DependsOn?: string[] };
const resourcesOf = (template: Template) => Object.values(template.toJSON().Resources as Record<string, Resource>);
const templatesOf = (app: ShopApp) =>
  app.app.node
    .findAll()
    .filter((c): c is Stack => Stack.isStack(c))
    .map((stack) => ({ stack, template: templateOf(stack) }));
const gameday = (role: (typeof ROLES)[number]) => {
  const stack = shop.stages[role].gameday;
  if (!stack) throw new Error(`no game-day stack in ${role}`);
  return templateOf(stack);
};
const experiments = (role: (typeof ROLES)[number]): Record<string, CfnJson> =>
  Object.fromEntries(
    resourcesOf(gameday(role))
      .filter((r) => r.Type === 'AWS::FIS::ExperimentTemplate')
      .map((r) => [r.Properties.Tags[GAMEDAY_EXPERIMENT_TAG], r.Properties]),
  );
const resolved = (value: unknown) => JSON.stringify(value);

describe('GIVEN the default config (game days off)', () => {
  test('THEN no stage has a game-day stack and no template holds any game-day resource or setting', () => {
    expect([plain.stages.primary.gameday, plain.stages.standby.gameday]).toEqual([undefined, undefined]);
    const found = templatesOf(plain).flatMap(({ stack, template }) => {
      const text = JSON.stringify(template.toJSON());
      return [
        ...resourcesOf(template)
          .filter((r) => /^AWS::(FIS|ResilienceHub)::/.test(r.Type))
          .map((r) => `${stack.stackName}: ${r.Type}`),
        ...['EnableFaultInjection', 'gamedays/', 'amazon-ssm-agent', 'gameday']
          .filter((needle) => text.includes(needle))
          .map((needle) => `${stack.stackName}: ${needle}`),
      ];
    });
    expect(found).toEqual([]);
  });

  test('THEN the game-day values change no template while game days are off', () => {
    const tuned = buildShopApp({
      gameDays: { enabled: false, evidenceRetentionDays: 7, shopperRatePerMinute: 1 },
      rtoTargetMinutes: 99,
      rpoTargetSeconds: 9,
    });
    try {
      const byStack = (app: ShopApp) =>
        Object.fromEntries(templatesOf(app).map(({ stack, template }) => [stack.stackName, template.toJSON()]));
      // The differences by stack and JSON path, so a failure names what changed instead of printing two templates.
      expect(jsonDifferences(byStack(plain), byStack(tuned))).toEqual([]);
    } finally {
      removeShopApp(tuned);
    }
  });

  test('THEN the only Scheduler schedules are the snapshot preservation and scheduled readiness ones', () => {
    const schedules = templatesOf(plain).flatMap(({ template }) =>
      resourcesOf(template).filter((r) => r.Type === 'AWS::Scheduler::Schedule'),
    );
    // One of each per Region (issue 17 added the scheduled readiness); no synthetic shopper.
    expect(schedules.map((s) => s.Properties.Description as string).sort()).toEqual([
      expect.stringMatching(/snapshots/),
      expect.stringMatching(/snapshots/),
      expect.stringMatching(/every readiness check/),
      expect.stringMatching(/every readiness check/),
    ]);
  });
});

describe.each(ROLES)('GIVEN game days enabled, the %s Region', (role) => {
  const region = REGION[role];
  const peer = PEER[role];
  const peerCanary = `arn:aws:cloudwatch:${peer}:111111111111:alarm:shop-dev-${peer}-canary-local`;

  test('THEN its game-day stack is <app>-<env>-<region>-gameday and every taggable resource carries gameday: shop-dev', () => {
    expect(shop.stages[role].gameday?.stackName).toBe(`shop-dev-${region}-gameday`);
    const untagged = resourcesOf(gameday(role))
      // IAM policies and AWS::Scheduler::Schedule have no Tags property in CloudFormation (the schedule has a fixed name).
      .filter((r) => !['AWS::IAM::Policy', 'AWS::CDK::Metadata', 'AWS::Scheduler::Schedule'].includes(r.Type))
      .filter((r) => {
        const tags = r.Properties.Tags;
        const values = Array.isArray(tags) ? tags : Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
        return !values.some((t: { Key: string; Value: string }) => t.Key === 'gameday' && t.Value === 'shop-dev');
      })
      .map((r) => r.Type);
    expect(untagged).toEqual([]);
  });

  // FIS API, CreateExperimentTemplateStopConditionInput: "Specify aws:cloudwatch:alarm if the stop condition is defined
  // by a CloudWatch alarm"; value: "The Amazon Resource Name (ARN) of the CloudWatch alarm."
  test("THEN every experiment template is stopped by the OTHER Region's local canary alarm, and only by it", () => {
    const templates = Object.values(experiments(role));
    expect(templates).toHaveLength(2);
    for (const t of templates) {
      expect(resolved(t.StopConditions)).toBe(
        resolved([
          {
            Source: 'aws:cloudwatch:alarm',
            Value: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, peerCanary.slice('arn:aws'.length)]] },
          },
        ]),
      );
      expect(resolved(t.StopConditions)).not.toContain(`:cloudwatch:${region}:`);
    }
  });

  // "The current schema version is 2." (FIS User Guide, Experiment logging.)
  test('THEN every experiment logs to the game-day log group in CloudWatch Logs, schema 2', () => {
    const logGroups = resourcesOf(gameday(role)).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups.map((l) => l.Properties.LogGroupName)).toContain('/shop/dev/gameday/experiments');
    for (const t of Object.values(experiments(role))) {
      expect(t.LogConfiguration.LogSchemaVersion).toBe(2);
      expect(resolved(t.LogConfiguration.CloudWatchLogsConfiguration.LogGroupArn)).toMatch(/ExperimentsLogs.*Arn/);
    }
  });

  // FIS User Guide, Cross-Region: Connectivity: "It includes blocking network traffic from the experiment Region to the
  // destination Region by targeting transit gateways and route tables. It also pauses cross-Region replication for S3
  // and DynamoDB." No transit gateway and no replicated bucket exist in this project.
  test('THEN region-isolation runs the Cross-Region: Connectivity actions that have targets here, towards the other Region', () => {
    const t = experiments(role)['region-isolation'];
    const actions = Object.values(t.Actions) as Array<{ ActionId: string; Parameters: CfnJson; Targets: CfnJson }>;
    const byId = (id: string) => actions.filter((a) => a.ActionId === id);
    expect(byId('aws:network:route-table-disrupt-cross-region-connectivity')).toEqual([
      expect.objectContaining({ Parameters: { duration: 'PT1H', region: peer }, Targets: { Subnets: 'Subnets' } }),
    ]);
    expect(byId('aws:dynamodb:global-table-pause-replication')).toEqual([
      expect.objectContaining({ Parameters: { duration: 'PT1H' }, Targets: { Tables: 'GlobalTables' } }),
    ]);
    expect(byId('aws:network:transit-gateway-disrupt-cross-region-connectivity')).toEqual([]);
    expect(byId('aws:s3:bucket-pause-replication')).toEqual([]);
    expect(t.Targets.Subnets.ResourceType).toBe('aws:ec2:subnet');
    expect(resolved(t.Targets.Subnets.ResourceArns)).toMatch(/tasksSubnet1.*tasksSubnet2/);
    expect(resolved(t.Targets.Subnets.ResourceArns)).not.toMatch(/public|databases/);
    expect(resolved(t.Targets.GlobalTables)).toBe(
      resolved({
        ResourceArns: ['carts', 'checkout'].map((table) => ({
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, `:dynamodb:${region}:111111111111:table/shop-dev-${table}`],
          ],
        })),
        ResourceType: 'aws:dynamodb:global-table',
        SelectionMode: 'ALL',
      }),
    );
    expect(t.ExperimentOptions).toEqual({ AccountTargeting: 'single-account', EmptyTargetResolutionMode: 'fail' });
  });

  test("THEN region-isolation cuts the database writers' tasks (catalog, orders) off the Aurora port, through the ECS fault injection endpoints", () => {
    const t = experiments(role)['region-isolation'];
    const actions = Object.values(t.Actions) as Array<{ ActionId: string; Parameters: CfnJson; Targets: CfnJson }>;
    const blackholes = actions.filter((a) => a.ActionId === 'aws:ecs:task-network-blackhole-port');
    expect(blackholes.map((a) => t.Targets[a.Targets.Tasks].Parameters)).toEqual([
      { cluster: 'shop-dev', service: 'catalog' },
      { cluster: 'shop-dev', service: 'orders' },
    ]);
    for (const a of blackholes) {
      expect(a.Parameters).toEqual({
        duration: 'PT1H',
        port: '5432',
        protocol: 'tcp',
        trafficType: 'egress',
        useEcsFaultInjectionEndpoints: 'true',
      });
    }
  });

  test("THEN aurora-global-failover starts the other Region's own failover runbook towards it, and nothing else", () => {
    const t = experiments(role)['aurora-global-failover'];
    expect(Object.values(t.Actions)).toEqual([
      expect.objectContaining({
        ActionId: 'aws:ssm:start-automation-execution',
        Parameters: expect.objectContaining({ maxDuration: 'PT2H' }),
      }),
    ]);
    const [action] = Object.values(t.Actions) as Array<{ Parameters: CfnJson }>;
    expect(resolved(action!.Parameters.documentArn)).toContain(`:ssm:${peer}:111111111111:document/shop-dev-failover`);
    const parameters = resolved(action!.Parameters.documentParameters);
    expect(parameters).toContain(`\\"TargetRegion\\":\\"${peer}\\"`);
    expect(parameters).toContain('\\"DryRun\\":\\"false\\"');
    expect(parameters).toContain(`\\"FailedRegion\\":\\"${region}\\"`);
    expect(parameters).toContain(`role/shop-dev-${peer}-runbook`);
    expect(t.Targets).toEqual({});
  });

  test('THEN the FIS role is trusted by FIS for this account only and may pass no role but the failover runbook role', () => {
    const template = gameday(role);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: `shop-dev-${region}-gameday-fis`,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'fis.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ],
      },
    });
    const statements = statementsOf(template, /^ExperimentsPolicy/);
    const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole).toHaveLength(1);
    expect(resolved(passRole[0]!.Resource)).toContain(`:role/shop-dev-${peer}-runbook`);
  });

  test('THEN no game-day policy grants an action wildcard, and "*" resources only go to calls without resource-level permission', () => {
    const statements = [
      ...statementsOf(gameday(role), /./),
      ...statementsOf(templateOf(shop.stages[role].services), /FisSsmAgent/),
    ];
    const readOnlyOrUnscoped =
      /^(ec2:(Describe|Get)\w+|tag:GetResources|ssm:(ListCommands|CancelCommand|CreateActivation|AddTagsToResource|DeleteActivation|DeregisterManagedInstance)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|DescribeResourcePolicies|PutResourcePolicy|DescribeLogGroups)|ec2:(CreateNetworkInterface|DeleteNetworkInterface|AssignPrivateIpAddresses|UnassignPrivateIpAddresses))$/;
    for (const s of statements) {
      for (const action of [s.Action].flat()) expect(action).not.toMatch(/\*/);
      if ([s.Resource].flat().includes('*')) {
        for (const action of [s.Action].flat())
          expect({ action, ok: readOnlyOrUnscoped.test(action) }).toEqual({ action, ok: true });
      }
    }
  });

  test("THEN the shopper runs the handler with the public name, this Region's load balancer and the OTHER Region's report bucket", () => {
    const template = gameday(role);
    const [fn] = resourcesOf(template).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fn!.Properties.Handler).toBe('index.handler');
    expect(fn!.Properties.FunctionName).toBe('shop-dev-synthetic-shopper');
    const env = fn!.Properties.Environment.Variables;
    expect(env[SHOPPER_ENVIRONMENT.publicUrl]).toBe('http://www.shop.example.com');
    expect(resolved(env[SHOPPER_ENVIRONMENT.regionalUrl])).toMatch(new RegExp(`shop-dev-${region}-services`));
    // "It also supports cross-account and cross-region references." (CloudFormation Template Reference, Fn::GetStackOutput)
    expect(env[SHOPPER_ENVIRONMENT.ackBucket]).toEqual({
      'Fn::GetStackOutput': { StackName: `shop-dev-${peer}-runbooks`, Region: peer, OutputName: 'ReportBucketName' },
    });
    expect(env[SHOPPER_ENVIRONMENT.ackBucketRegion]).toBe(peer);
    // Contract section 1: an acknowledgment is kept by the Region that did NOT give it. One the other Region gave
    // through the public name goes to this Region's own bucket (runbooks/gameday/shopper-handler.ts reads
    // OWN_REPORT_BUCKET; the function's own Region).
    expect(env.OWN_REPORT_BUCKET).toEqual({
      'Fn::GetStackOutput': { StackName: `shop-dev-${region}-runbooks`, OutputName: 'ReportBucketName' },
    });
    expect(env[SHOPPER_ENVIRONMENT.shopperSecretId]).toBe('shop/dev/synthetic-shopper');
    expect(env[SHOPPER_ENVIRONMENT.ratePerMinute]).toBe('6');
    expect(fn!.DependsOn).toEqual([expect.stringMatching(/^ShoppersPolicy/)]);
    // It ends before the next minute's invocation; no reserved concurrency, which a new account's low quota may not
    // be able to grant.
    expect([fn!.Properties.Timeout, fn!.Properties.ReservedConcurrentExecutions]).toEqual([55, undefined]);
  });

  test("THEN the shopper may write only under gamedays/*/acks/* of both Regions' report buckets and read only the shopper token", () => {
    const statements = statementsOf(gameday(role), /^ShoppersPolicy/);
    const s3 = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    const acksOf = (bucket: CfnJson) =>
      resolved({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', bucket, '/gamedays/*/acks/*']] });
    expect(s3.map((s) => [s.Action, resolved(s.Resource)]).sort()).toEqual(
      [
        [
          's3:PutObject',
          acksOf({
            'Fn::GetStackOutput': {
              StackName: `shop-dev-${peer}-runbooks`,
              Region: peer,
              OutputName: 'ReportBucketName',
            },
          }),
        ],
        // This Region's own bucket: the acknowledgments the other Region gave (contract section 1).
        [
          's3:PutObject',
          acksOf({
            'Fn::GetStackOutput': { StackName: `shop-dev-${region}-runbooks`, OutputName: 'ReportBucketName' },
          }),
        ],
      ].sort(),
    );
    // S3 User Guide (SSE-KMS): "To upload or download an object encrypted with an AWS KMS key to or from Amazon S3,
    // you need kms:GenerateDataKey and kms:Decrypt permissions on the key." Each Region's report key, through that
    // Region's S3 only.
    const kms = statements.filter((s) => s.Action === 'kms:GenerateDataKey');
    expect(kms.map((s) => ({ condition: s.Condition, key: resolved(s.Resource) }))).toEqual(
      [peer, region].map((r) => ({
        condition: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/shop-dev/runbook-reports' },
          StringEquals: { 'kms:ViaService': `s3.${r}.amazonaws.com` },
        },
        key: expect.stringContaining(`:kms:${r}:111111111111:key/*`),
      })),
    );
    const secrets = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('secretsmanager:')));
    expect(secrets.map((s) => [s.Action, resolved(s.Resource)])).toEqual([
      ['secretsmanager:GetSecretValue', expect.stringContaining(`:secret:shop/dev/synthetic-shopper-??????`)],
    ]);
  });

  test('THEN the shopper schedule is created DISABLED, one invocation a minute, without retries, targeting the shopper', () => {
    gameday(role).hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'shop-dev-synthetic-shopper',
      State: 'DISABLED',
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShoppersFunction'), 'Arn'] },
        Input: '{"gameDayId":""}',
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    });
  });

  test('THEN the Resilience Hub policy holds RTO 15 min (900 s) and RPO 60 s for every disruption, and the app is assessed against it', () => {
    const template = gameday(role);
    template.hasResourceProperties('AWS::ResilienceHub::ResiliencyPolicy', {
      PolicyName: `shop-dev-${region}-targets`,
      Policy: Object.fromEntries(
        ['Software', 'Hardware', 'AZ', 'Region'].map((k) => [k, { RtoInSecs: 900, RpoInSecs: 60 }]),
      ),
    });
    const [app] = resourcesOf(template).filter((r) => r.Type === 'AWS::ResilienceHub::App');
    expect(resolved(app!.Properties.ResiliencyPolicyArn)).toMatch(/ResiliencePolicy.*PolicyArn/);
    expect(app!.Properties.ResourceMappings).toHaveLength(5);
    for (const mapping of app!.Properties.ResourceMappings) {
      expect(mapping.MappingType).toBe('CfnStack');
      // Weak references only: turning game days off never leaves an export in use.
      expect(resolved(mapping.PhysicalResourceId.Identifier)).toContain('Fn::GetStackOutput');
    }
    expect(resolved(template.toJSON())).not.toContain('Fn::ImportValue');
  });

  test('THEN the report bucket denies an evidence object written without COMPLIANCE lock for 400 days', () => {
    const policy = resourcesOf(templateOf(shop.stages[role].runbooks)).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && resolved(r.Properties).includes('gamedays/*/evidence/*'),
    );
    const denies = policy!.Properties.PolicyDocument.Statement.filter(
      (s: { Effect: string; Sid?: string }) => s.Effect === 'Deny' && s.Sid?.startsWith('Evidence'),
    );
    expect(denies.map((s: { Condition: unknown }) => s.Condition)).toEqual([
      { StringNotEquals: { 's3:object-lock-mode': 'COMPLIANCE' } },
      { Null: { 's3:object-lock-remaining-retention-days': 'true' } },
      { NumericLessThan: { 's3:object-lock-remaining-retention-days': '400' } },
    ]);
    for (const s of denies) expect(resolved(s.Resource)).toMatch(/\/gamedays\/\*\/evidence\/\*"\]\]\}$/);
  });

  // ECS Developer Guide: "You need to opt-in in order to use fault injection by setting the enableFaultInjection task
  // definition parameter value to true." FIS User Guide: "To use aws:ecs:task actions, you will need to add a container
  // with an SSM Agent to your Amazon Elastic Container Service (Amazon ECS) task definition."
  test('THEN every task definition enables fault injection and only the targets of the ECS action run the SSM agent sidecar', () => {
    const tasks = resourcesOf(templateOf(shop.stages[role].services)).filter(
      (r) => r.Type === 'AWS::ECS::TaskDefinition',
    );
    expect(tasks).toHaveLength(5);
    const withSidecar = tasks
      .filter((t) => t.Properties.ContainerDefinitions.some((c: { Name: string }) => c.Name === 'amazon-ssm-agent'))
      .map((t) => t.Properties.ContainerDefinitions[0].LogConfiguration.Options['awslogs-stream-prefix']);
    expect(withSidecar).toEqual(['catalog', 'orders']);
    for (const t of tasks) {
      expect(t.Properties.EnableFaultInjection).toBe(true);
      const sidecar = t.Properties.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'amazon-ssm-agent');
      if (sidecar) {
        expect(sidecar.Essential).toBe(false);
        expect(sidecar.Environment).toEqual([{ Name: 'MANAGED_INSTANCE_ROLE_NAME', Value: expect.anything() }]);
        expect(sidecar.Command[0]).toContain('ECS_TASK_ARN');
      }
    }
  });
});

describe('GIVEN the game-day targets in the config', () => {
  test('WHEN rtoTargetMinutes is 30 and rpoTargetSeconds 5 THEN the resiliency policy says 1800 s and 5 s', () => {
    const other = buildShopApp({ gameDays: { enabled: true }, rtoTargetMinutes: 30, rpoTargetSeconds: 5 });
    try {
      templateOf(other.stages.primary.gameday!).hasResourceProperties('AWS::ResilienceHub::ResiliencyPolicy', {
        Policy: Match.objectLike({ Region: { RtoInSecs: 1800, RpoInSecs: 5 } }),
      });
    } finally {
      removeShopApp(other);
    }
  });
});

describe('GIVEN internal load balancers', () => {
  test('THEN the shopper runs in the task subnets of its VPC (an internal load balancer answers its VPC only); internet-facing, it runs outside', () => {
    const internal = buildShopApp({ gameDays: { enabled: true }, loadBalancerScheme: 'internal' });
    try {
      const [fn] = resourcesOf(templateOf(internal.stages.primary.gameday!)).filter(
        (r) => r.Type === 'AWS::Lambda::Function',
      );
      expect(resolved(fn!.Properties.VpcConfig.SubnetIds)).toMatch(/tasksSubnet1.*tasksSubnet2/);
      const [outside] = resourcesOf(gameday('primary')).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(outside!.Properties.VpcConfig).toBeUndefined();
    } finally {
      removeShopApp(internal);
    }
  });
});

describe('GameDayExperiments never exists without the other Region stop condition', () => {
  const build = (stopConditionAlarm: GameDayExperimentsProps['stopConditionAlarm']) => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    return () =>
      new GameDayExperiments(stack, 'E', {
        appName: 'shop',
        envName: 'dev',
        peerRegion: 'us-west-2',
        stopConditionAlarm,
        subnets: vpc.privateSubnets,
        vpcId: vpc.vpcId,
        globalTableNames: ['shop-dev-carts'],
        ecsTargets: [{ cluster: 'shop-dev', service: 'orders' }],
        failoverDocumentArn: 'arn:aws:ssm:us-west-2:111111111111:document/shop-dev-failover',
        failoverAutomationRoleArn: 'arn:aws:iam::111111111111:role/shop-dev-us-west-2-runbook',
      });
  };

  test.each([
    ['an alarm of its own Region', { region: 'us-east-1', alarmName: 'shop-dev-us-east-1-canary-local' }],
    ['an alarm of a third Region', { region: 'eu-west-1', alarmName: 'x' }],
    ['no alarm name', { region: 'us-west-2', alarmName: '' }],
    ['no alarm at all', undefined as never],
  ])('WHEN given %s THEN it refuses, naming the field, the value and what is accepted', (_, alarm) => {
    expect(build(alarm)).toThrow(
      /^stopConditionAlarm: .* is not accepted; accepted: a CloudWatch alarm of the other Region \(us-west-2\), never one of us-east-1$/,
    );
  });

  test('WHEN given the other Region alarm THEN both templates carry it', () => {
    const make = build({ region: 'us-west-2', alarmName: 'shop-dev-us-west-2-canary-local' });
    const experiments = make();
    for (const t of Object.values(experiments.templates)) {
      expect(JSON.stringify(Stack.of(experiments).resolve(t.stopConditions))).toContain(
        ':cloudwatch:us-west-2:111111111111:alarm:shop-dev-us-west-2-canary-local',
      );
    }
  });
});

describe('SyntheticShopperFleet bundles the handler module it is given', () => {
  test('GIVEN another entry WHEN synthesized THEN the asset is that module, exporting handler', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shopper-entry-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      fs.writeFileSync(
        entry,
        "export async function handler() { return { acknowledged: 42, marker: 'test-entry' }; }\n",
      );
      const stack = new Stack(new App({ outdir: dir }), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
      new SyntheticShopperFleet(stack, 'F', {
        appName: 'shop',
        envName: 'dev',
        peerRegion: 'us-west-2',
        peerReportBucketName: 'bucket',
        ownReportBucketName: 'own-bucket',
        publicUrl: 'http://www.shop.example.com',
        regionalUrl: 'http://alb',
        ratePerMinute: 6,
        entry,
      });
      const template = Template.fromStack(stack);
      // The construct bundled this entry (memoized per entry): the bundle holds its code, not the real handler's.
      const bundle = fs.readFileSync(path.join(bundleShopperHandler(entry), 'index.js'), 'utf8');
      expect(bundle).toContain('test-entry');
      expect(bundleShopperHandler(entry)).not.toBe(bundleShopperHandler());
      // The folder is named by the entry, not by how many entries this process bundled before: two jest workers
      // bundling different entries never write into one folder.
      const elsewhere = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `process.stdout.write(require('./stacks').bundleShopperHandler(${JSON.stringify(entry)}))`,
        ],
        { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' },
      );
      expect(elsewhere).toBe(bundleShopperHandler(entry));
      fs.rmSync(elsewhere, { recursive: true, force: true });
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: gameDayNames('shop', 'dev', 'us-east-1').shopperRole,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN an entry that does not exist THEN it refuses with the field, the value and what is accepted', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(
      () =>
        new SyntheticShopperFleet(stack, 'F', {
          appName: 'shop',
          envName: 'dev',
          peerRegion: 'us-west-2',
          peerReportBucketName: 'bucket',
          ownReportBucketName: 'own-bucket',
          publicUrl: 'http://x',
          regionalUrl: 'http://y',
          ratePerMinute: 6,
          entry: '/nonexistent/shopper.ts',
        }),
    ).toThrow(
      'shopperEntry: "/nonexistent/shopper.ts" does not exist; accepted: a TypeScript module exporting handler',
    );
  });
});

/** Every statement of the IAM policies in `template` whose logical id matches `id`. */
function statementsOf(template: Template, id: RegExp): Array<Record<string, CfnJson>> {
  return Object.entries(template.toJSON().Resources as Record<string, Resource>)
    .filter(([logicalId, r]) => r.Type === 'AWS::IAM::Policy' && id.test(logicalId))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}
